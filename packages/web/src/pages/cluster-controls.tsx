/**
 * The controls of an active cluster: scale to a number of workers (asking first when one scale
 * would take more than half of the free pool; the input follows the real target after a clamp
 * or a scale made elsewhere), adaptive min/max (owners only; min > max refused in the form),
 * and stop after a confirmation. Admins act through the admin API.
 * @module
 */
import { useEffect, useState } from 'react';
import type { ClusterView, GatewayApi, PoolState } from '../gateway-api.js';

/** A scale or adapt answer (null for a stop), or its failure; shown by the page. */
export type Report = (p: Promise<{ ok: boolean; msg: string | null } | null>) => void;

/** What every control gets. */
interface ControlProps {
  readonly api: GatewayApi;
  readonly cluster: ClusterView;
  readonly admin: boolean;
  readonly report: Report;
  /** The shared pool, for the confirmation of a big scale (none: no confirmation). */
  readonly pool?: PoolState | null | undefined;
}

/** Workers free in the pool for `c`'s worker size, or null when unknown. */
export function freeWorkers(pool: PoolState | null | undefined, c: ClusterView): number | null {
  const line = pool?.new_cluster.find((n) => n.profile === c.profile || n.profile === null);
  return pool === null || pool === undefined || line === undefined
    ? null
    : pool.machines_free * line.workers_per_machine;
}

function ScaleForm({ api, cluster: c, admin, report, pool }: ControlProps) {
  const [count, setCount] = useState(String(c.workers_target));
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    if (!dirty) setCount(String(c.workers_target));
  }, [c.workers_target, dirty]);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const n = Number(count);
        const extra = n - c.workers_target;
        const free = freeWorkers(pool, c);
        if (
          free !== null &&
          extra > 0 &&
          extra > free / 2 &&
          !window.confirm(
            `Scaling ${c.name} to ${String(n)} workers asks for ${String(extra)} more: more than half of the ${String(free)} workers free in the pool everyone shares. Scale anyway?`
          )
        )
          return;
        setDirty(false);
        report(admin ? api.admin.scale(c.name, n) : api.scale(c.name, n));
      }}
    >
      <label>
        Workers{' '}
        <input
          name="count"
          type="number"
          min="0"
          step="1"
          required
          value={count}
          onChange={(e) => {
            setDirty(true);
            setCount(e.target.value);
          }}
        />
      </label>
      <button type="submit">Scale</button>
    </form>
  );
}

function AdaptForm({ api, cluster: c, report }: ControlProps) {
  const [min, setMin] = useState(String(c.adaptive?.minimum ?? 0));
  const [max, setMax] = useState(String(c.adaptive?.maximum ?? 4));
  const [error, setError] = useState('');
  const bound = (label: string, field: string, value: string, set: (v: string) => void) => (
    <label>
      {label}{' '}
      <input
        name={field}
        type="number"
        min="0"
        step="1"
        value={value}
        {...(error === '' ? {} : { 'aria-invalid': true, 'aria-describedby': 'adapt-error' })}
        onChange={(e) => {
          setError('');
          set(e.target.value);
        }}
      />
    </label>
  );
  if (c.adaptive !== null)
    return (
      <form
        onSubmit={(e) => {
          e.preventDefault();
          report(api.stopAdapt(c.name));
        }}
      >
        <span>
          Adaptive: {c.adaptive.minimum} to {c.adaptive.maximum} workers
        </span>{' '}
        <button type="submit">Stop adapting</button>
      </form>
    );
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const lo = Number(min);
        const hi = Number(max);
        if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < 0)
          setError('The adaptive minimum and maximum must be whole numbers, 0 or more.');
        else if (lo > hi)
          setError(
            `The adaptive minimum (${String(lo)}) must not be more than the maximum (${String(hi)}).`
          );
        else report(api.adapt(c.name, lo, hi));
      }}
    >
      {bound('Adaptive minimum', 'min', min, setMin)}
      {bound('Adaptive maximum', 'max', max, setMax)}
      <button type="submit">Adapt</button>
      {error !== '' && (
        <p className="error" id="adapt-error" role="alert" data-testid="adapt-error">
          {error}
        </p>
      )}
    </form>
  );
}

/** Scale, adapt (owners) and stop for an active cluster. */
export function ClusterControls(props: ControlProps) {
  const { api, cluster: c, admin, report } = props;
  return (
    <div className="controls">
      <ScaleForm {...props} />
      {!admin && <AdaptForm {...props} />}
      <button
        type="button"
        className="danger"
        onClick={() => {
          if (window.confirm(`Stop cluster ${c.name}? Its workers and data will be lost.`))
            report(admin ? api.admin.stop(c.name) : api.stop(c.name));
        }}
      >
        Stop
      </button>
    </div>
  );
}

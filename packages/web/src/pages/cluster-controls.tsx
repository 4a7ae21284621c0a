/**
 * The controls of an active cluster: scale to a number of workers, adaptive min/max (owners
 * only), and stop after a confirmation. Admins act through the admin API.
 * @module
 */
import { useState } from 'react';
import type { ClusterView, GatewayApi } from '../gateway-api.js';

/** A scale or adapt answer (null for a stop), or its failure; shown by the card. */
export type Report = (p: Promise<{ ok: boolean; msg: string | null } | null>) => void;

/** What every control gets. */
interface ControlProps {
  readonly api: GatewayApi;
  readonly cluster: ClusterView;
  readonly admin: boolean;
  readonly report: Report;
  /** Tells the adapt form that a scale ended adaptive scaling. */
  readonly onScaled: () => void;
}

function ScaleForm({ api, cluster: c, admin, report, onScaled }: ControlProps) {
  const [count, setCount] = useState(String(c.requested_workers));
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onScaled();
        report(admin ? api.admin.scale(c.name, Number(count)) : api.scale(c.name, Number(count)));
      }}
    >
      <label>
        Workers{' '}
        <input
          name="count"
          type="number"
          min="0"
          value={count}
          onChange={(e) => {
            setCount(e.target.value);
          }}
        />
      </label>
      <button type="submit">Scale</button>
    </form>
  );
}

function AdaptForm(props: {
  api: GatewayApi;
  name: string;
  report: Report;
  adaptive: boolean;
  setAdaptive: (on: boolean) => void;
}) {
  const { api, name, report, adaptive, setAdaptive } = props;
  const [min, setMin] = useState('0');
  const [max, setMax] = useState('4');
  const bound = (label: string, field: string, value: string, set: (v: string) => void) => (
    <label>
      {label}{' '}
      <input
        name={field}
        type="number"
        min="0"
        value={value}
        onChange={(e) => {
          set(e.target.value);
        }}
      />
    </label>
  );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (adaptive) {
          setAdaptive(false);
          report(api.stopAdapt(name));
        } else {
          setAdaptive(true);
          report(api.adapt(name, Number(min), Number(max)));
        }
      }}
    >
      {bound('Adaptive min', 'min', min, setMin)}
      {bound('max', 'max', max, setMax)}
      <button type="submit">{adaptive ? 'Stop adapting' : 'Adapt'}</button>
    </form>
  );
}

/** Scale, adapt (owners) and stop for an active cluster. */
export function ClusterControls(props: Omit<ControlProps, 'onScaled'>) {
  const { api, cluster: c, admin, report } = props;
  const [adaptive, setAdaptive] = useState(false);
  return (
    <div className="controls">
      <ScaleForm
        {...props}
        onScaled={() => {
          setAdaptive(false);
        }}
      />
      {!admin && (
        <AdaptForm
          api={api}
          name={c.name}
          report={report}
          adaptive={adaptive}
          setAdaptive={setAdaptive}
        />
      )}
      <button
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

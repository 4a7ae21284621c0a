/**
 * The shared pool: machines in use out of the total, the user's own share, the machine types
 * workers are packed onto, and what a new cluster of each profile the user may pick would get.
 * @module
 */
import { formatCount } from '@gatehouse/api';
import type { PageProps } from '../page-kit.js';
import { useLive } from '../live.js';
import { MachineTypesTable, NewClusterTable } from './pool-tables.js';
import { BudgetPanel } from './pool-budget.js';

/** Pool page. */
export function PoolPage({ api }: PageProps) {
  const pool = useLive(
    api,
    () => api.pool(),
    () => true,
    5000
  );
  const p = pool.value;
  if (p === null)
    return (
      <section>
        {pool.error === '' ? <p>Loading…</p> : <p className="error">{pool.error}</p>}
      </section>
    );
  const pct = p.machines_total === 0 ? 0 : (100 * p.machines_in_use) / p.machines_total;
  return (
    <section>
      <h1>Pool</h1>
      <p data-testid="pool-summary">
        {p.machines_in_use} of {formatCount(p.machines_total, 'machine')} in use by{' '}
        {formatCount(p.users_with_machines, 'user')}; {p.machines_free} free.
      </p>
      <div className="bar" aria-label="machines in use">
        <div style={{ width: `${String(pct)}%` }} />
      </div>
      <p>
        Your clusters use <b>{formatCount(p.your_machines, 'machine')}</b>
        {p.user_machine_cap === null
          ? '.'
          : ` of the ${String(p.user_machine_cap)} one user may have.`}
      </p>
      <BudgetPanel api={api} />
      <p>
        Workers are packed onto machines, and a machine only hosts one user's workers. When the pool
        is full, the workers of a scale request that do not fit wait in line for machines (or, if
        the gateway is set so, the request is reduced to what fits) and the gateway says so; a new
        cluster needs no machine until it asks for workers.
      </p>
      <MachineTypesTable pool={p} />
      <NewClusterTable pool={p} />
      {p.queue !== undefined && p.queue.length > 0 && (
        <>
          <h2>Waiting for machines</h2>
          <p>Freed machines go first to the user with the least recent usage, then first come.</p>
          <ol data-testid="pool-queue">
            {p.queue.map((e) => (
              <li key={e.cluster} value={e.position}>
                {e.cluster} ({e.username}): {formatCount(e.granted, 'worker')} now,{' '}
                {e.wanted - e.granted} waiting
              </li>
            ))}
          </ol>
        </>
      )}
      {p.per_user !== undefined && (
        <>
          <h2>Machines per user</h2>
          <ul>
            {Object.entries(p.per_user).map(([u, n]) => (
              <li key={u}>
                {u}: {formatCount(n, 'machine')}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

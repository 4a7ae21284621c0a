/**
 * The pool page's two tables: the machine types workers are packed onto, and what a new
 * cluster of each profile the user may pick would get now.
 * @module
 */
import type { PoolState } from '../gateway-api.js';
import { formatBytes, formatCores } from '@gatehouse/api';

/** The machine types of the pool, with their size and count. */
export function MachineTypesTable({ pool: p }: { pool: PoolState }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Machine type</th>
          <th>Cores</th>
          <th>Memory</th>
          <th>Count</th>
        </tr>
      </thead>
      <tbody>
        {p.machine_types.map((m) => (
          <tr key={m.name}>
            <td>{m.name}</td>
            <td>{formatCores(m.cores)}</td>
            <td>{formatBytes(m.memory)}</td>
            <td>{m.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What a new cluster of each profile would get now, and what limits it. */
export function NewClusterTable({ pool: p }: { pool: PoolState }) {
  return (
    <>
      <h2>A new cluster now</h2>
      <table data-testid="pool-new-cluster">
        <thead>
          <tr>
            <th>Profile</th>
            <th>Worker</th>
            <th>Per machine</th>
            <th>Workers now</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {p.new_cluster.map((n) => (
            <tr key={n.profile ?? ''}>
              <td>{n.profile ?? 'Default'}</td>
              <td>
                {formatCores(n.worker_cores)}, {formatBytes(n.worker_memory)}
              </td>
              <td>{n.workers_per_machine}</td>
              <td>{n.workers_now}</td>
              <td>{n.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/**
 * A cluster's facts as a definition list: owner (for admins), workers running and requested,
 * cores and memory in use, age, time left before the lifetime limit, and the stop reason.
 * @module
 */
import type { ClusterView } from '../gateway-api.js';
import { bytes, duration } from '../format.js';

/** The facts of cluster `c`; `admin` adds its owner. */
export function ClusterFacts({ cluster: c, admin }: { cluster: ClusterView; admin: boolean }) {
  return (
    <dl>
      {admin && (
        <>
          <dt>Owner</dt>
          <dd>{c.username}</dd>
        </>
      )}
      <dt>Workers</dt>
      <dd data-testid="workers">
        {c.workers} running
        {c.requested_workers !== c.workers ? `, ${String(c.requested_workers)} requested` : ''}
      </dd>
      <dt>In use</dt>
      <dd>
        {c.cores} cores, {bytes(c.memory)}
      </dd>
      <dt>Age</dt>
      <dd>{duration(c.age_seconds)}</dd>
      {c.lifetime_left_seconds !== null && (
        <>
          <dt>Time left</dt>
          <dd>{duration(c.lifetime_left_seconds)} before the lifetime limit</dd>
        </>
      )}
      {c.stop_reason !== null && (
        <>
          <dt>Stop reason</dt>
          <dd data-testid="stop-reason">{c.stop_reason}</dd>
        </>
      )}
    </dl>
  );
}

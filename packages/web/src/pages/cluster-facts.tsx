/**
 * A cluster's facts as a definition list: owner (for admins), profile, environment, workers
 * running, starting and target, cores and memory in use now, age, time left before the
 * lifetime limit, cost so far, and why it stopped or failed.
 * @module
 */
import type { ClusterView } from '../gateway-api.js';
import { statusReason, workersText } from '../cluster-words.js';
import { formatBytes, formatCoreHours, formatCores, formatDuration } from '../format.js';

/** The facts of cluster `c`; `admin` adds its owner. */
export function ClusterFacts({ cluster: c, admin }: { cluster: ClusterView; admin: boolean }) {
  const ended = c.status === 'STOPPED' || c.status === 'FAILED';
  return (
    <dl className="facts">
      {admin && (
        <>
          <dt>Owner</dt>
          <dd>{c.username}</dd>
        </>
      )}
      <dt>Profile</dt>
      <dd>{c.profile ?? 'default'}</dd>
      <dt>Environment</dt>
      <dd>{c.environment ?? 'default'}</dd>
      <dt>Workers</dt>
      <dd data-testid="workers">{workersText(c)}</dd>
      <dt>In use</dt>
      <dd data-testid="in-use">
        {formatCores(c.cores)}, {formatBytes(c.memory)}
      </dd>
      <dt>Each worker</dt>
      <dd>
        {formatCores(c.worker_cores)}, {formatBytes(c.worker_memory)}
      </dd>
      <dt>{ended ? 'Ran for' : 'Age'}</dt>
      <dd>{formatDuration(c.age_seconds)}</dd>
      {c.lifetime_left_seconds !== null && (
        <>
          <dt>Time left</dt>
          <dd>{formatDuration(c.lifetime_left_seconds)} before the lifetime limit</dd>
        </>
      )}
      <dt>Cost so far</dt>
      <dd data-testid="cost">
        {formatCoreHours(c.core_hours)}, {c.memory_gib_hours.toFixed(2)} GiB-hours of memory
      </dd>
      {ended && (
        <>
          <dt>{c.status === 'FAILED' ? 'Failure' : 'Stop reason'}</dt>
          <dd data-testid="stop-reason">{statusReason(c)}</dd>
        </>
      )}
    </dl>
  );
}

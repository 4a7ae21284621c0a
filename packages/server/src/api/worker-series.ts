/**
 * A cluster's workers over its life as a step series (target and running count), rebuilt from
 * its events for the cluster page's chart (issue 16): scale grants set the target, adapt
 * requests its maximum, workers connecting and ending move the running count, and the
 * cluster's end drops both to 0. Long lives are thinned to at most {@link MAX_POINTS} steps.
 * @module
 */
import type { ClusterEvent, WorkerPoint } from '@gatehouse/api';

/** The most steps a series holds. */
export const MAX_POINTS = 500;

/** The target an event sets, or undefined when it sets none. */
function targetOf(e: ClusterEvent): number | undefined {
  const n = e.type === 'cluster.scale' ? e.data['granted'] : undefined;
  if (typeof n === 'number') return n;
  const max = e.type === 'cluster.adapt' ? e.data['maximum'] : undefined;
  return typeof max === 'number' && e.data['active'] !== false ? max : undefined;
}

/** The series of the cluster started at `startTime` (ms) with `events` (oldest first). */
export function workerSeries(events: readonly ClusterEvent[], startTime: number): WorkerPoint[] {
  const points: WorkerPoint[] = [{ at: startTime, target: 0, running: 0 }];
  const running = new Set<string>();
  let target = 0;
  for (const e of events) {
    const before = { target, running: running.size };
    const t = targetOf(e);
    if (t !== undefined) target = t;
    if (e.worker !== null && e.type === 'worker.running') running.add(e.worker);
    if (e.worker !== null && (e.type === 'worker.stopped' || e.type === 'worker.failed'))
      running.delete(e.worker);
    if (e.type === 'cluster.stopped' || e.type === 'cluster.failed') {
      target = 0;
      running.clear();
    }
    if (before.target === target && before.running === running.size) continue;
    const last = points[points.length - 1];
    const point = { at: e.time, target, running: running.size };
    if (last !== undefined && last.at === e.time) points[points.length - 1] = point;
    else points.push(point);
  }
  return thin(points);
}

/** At most {@link MAX_POINTS} of `points`, evenly spread, keeping the first and the last. */
function thin(points: WorkerPoint[]): WorkerPoint[] {
  if (points.length <= MAX_POINTS) return points;
  const step = (points.length - 1) / (MAX_POINTS - 1);
  const out: WorkerPoint[] = [];
  for (let i = 0; i < MAX_POINTS; i++) {
    const p = points[Math.round(i * step)];
    if (p !== undefined) out.push(p);
  }
  return out;
}

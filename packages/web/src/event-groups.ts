/**
 * A cluster's events in plain words: a burst of worker events becomes one line per kind ("3
 * workers started in 4 s", "2 workers stopped: idle"), other events keep their own message.
 * @module
 */
import type { ClusterEvent } from '@gatehouse/api';
import { formatCount, formatDuration } from './format.js';

/** One line of the events list. */
export interface EventGroup {
  /** A stable key (the first event's id). */
  readonly id: number;
  /** The event type (of every event in the group). */
  readonly type: string;
  /** When the group began and ended (ms). */
  readonly time: number;
  readonly end: number;
  readonly text: string;
  /** The workers it covers. */
  readonly workers: readonly string[];
}

const VERBS: Readonly<Record<string, string>> = {
  'worker.starting': 'requested',
  'worker.queued': 'queued',
  'worker.running': 'started',
  'worker.stopping': 'stopping',
  'worker.stopped': 'stopped',
  'worker.failed': 'failed',
};

function reasonOf(e: ClusterEvent): string | null {
  const r = e.data.reason;
  return typeof r === 'string' && r !== '' ? r : null;
}

function describe(type: string, events: readonly ClusterEvent[], askedAt: number | null): string {
  const first = events[0];
  const last = events[events.length - 1];
  if (first === undefined || last === undefined) return '';
  const n = formatCount(events.length, 'worker');
  const verb = VERBS[type] ?? type;
  if (type === 'worker.running' && askedAt !== null)
    return `${n} ${verb} in ${formatDuration((last.time - askedAt) / 1000)}`;
  const reasons = [...new Set(events.map(reasonOf).filter((r) => r !== null))];
  return reasons.length === 0 ? `${n} ${verb}` : `${n} ${verb}: ${reasons.join(', ')}`;
}

/** Groups `events` (oldest first) into lines, oldest first. */
export function groupEvents(events: readonly ClusterEvent[]): EventGroup[] {
  const out: EventGroup[] = [];
  const askedAt = new Map<string, number>();
  let burst = new Map<string, ClusterEvent[]>();
  const flush = () => {
    for (const [type, list] of burst) {
      const first = list[0];
      const last = list[list.length - 1];
      if (first === undefined || last === undefined) continue;
      const workers = list.map((e) => e.worker ?? '');
      const asked = workers.map((w) => askedAt.get(w)).filter((t) => t !== undefined);
      out.push({
        id: first.id,
        type,
        time: first.time,
        end: last.time,
        text: describe(type, list, asked.length > 0 ? Math.min(...asked) : null),
        workers,
      });
    }
    burst = new Map();
  };
  for (const e of events) {
    if (e.type === 'worker.starting' && e.worker !== null) askedAt.set(e.worker, e.time);
    if (e.type.startsWith('worker.') && e.worker !== null) {
      burst.set(e.type, [...(burst.get(e.type) ?? []), e]);
      continue;
    }
    flush();
    out.push({ id: e.id, type: e.type, time: e.time, end: e.time, text: e.message, workers: [] });
  }
  flush();
  return out.sort((a, b) => a.time - b.time || a.id - b.id);
}

/** The workers that have stopped or failed, per `events`. */
export function endedWorkers(events: readonly ClusterEvent[]): Map<string, 'stopped' | 'failed'> {
  const ended = new Map<string, 'stopped' | 'failed'>();
  for (const e of events) {
    if (e.worker === null) continue;
    if (e.type === 'worker.stopped') ended.set(e.worker, 'stopped');
    else if (e.type === 'worker.failed') ended.set(e.worker, 'failed');
  }
  return ended;
}

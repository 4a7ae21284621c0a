/**
 * What a pod's status says, in the backend contract's terms: Pending and not scheduled is
 * queued with kube-scheduler's reason ("waiting for a machine"), Pending while its container is
 * prepared is queued too (the start timeout counts from running); an image that cannot be
 * pulled, a crash loop or a bad container config ends it at once with the container's message;
 * Succeeded, Failed (evicted, OOM-killed, exit code) and a deletion in progress end it with why.
 * @module
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { Observation } from '../backend.js';

/** Waiting reasons that never resolve on their own: the start fails at once. */
export const FAIL_FAST = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** Clock ms of a Kubernetes timestamp (a Date or its text), or `fallback`. */
function ms(t: Date | string | undefined, fallback: number): number {
  if (t === undefined) return fallback;
  const n = new Date(t).getTime();
  return Number.isNaN(n) ? fallback : n;
}

/** `reason: message`, or whichever of them is there. */
function said(reason: string | undefined, message: string | undefined): string {
  return [reason, message].filter((x) => x !== undefined && x !== '').join(': ');
}

/** How a terminated container ended, e.g. `OOMKilled, exit code 137`. */
function terminated(cs: V1ContainerStatus): string | null {
  const t = cs.state?.terminated ?? cs.lastState?.terminated;
  if (t === undefined) return null;
  const msg = t.message?.trim();
  const head = `${t.reason ?? 'terminated'}, exit code ${String(t.exitCode)}`;
  return msg === undefined || msg === '' ? head : `${head}: ${msg}`;
}

/** Why a pod that will never run ended, or null while it may still run. */
export function failFastReason(pod: V1Pod): string | null {
  for (const cs of pod.status?.containerStatuses ?? []) {
    const w = cs.state?.waiting;
    if (w?.reason !== undefined && FAIL_FAST.has(w.reason)) return said(w.reason, w.message);
  }
  return null;
}

/** Why a finished (or finishing) pod ended, or null while it is live. */
export function endReason(pod: V1Pod): string | null {
  if (pod.metadata?.deletionTimestamp !== undefined) return 'pod deleted';
  const phase = pod.status?.phase;
  if (phase === 'Succeeded') return 'exit code 0';
  if (phase === 'Failed') {
    if (pod.status?.reason !== undefined) return said(pod.status.reason, pod.status.message);
    for (const cs of pod.status?.containerStatuses ?? []) {
      const how = terminated(cs);
      if (how !== null) return how;
    }
    return said('Failed', pod.status?.message);
  }
  return failFastReason(pod);
}

/** The pod's observation; `now` for timestamps the pod lacks. */
export function podObservation(pod: V1Pod, now: number): Observation {
  const ended = endReason(pod);
  if (ended !== null) return { phase: 'exited', how: ended };
  const created = ms(pod.metadata?.creationTimestamp, now);
  if (pod.status?.phase === 'Running') {
    return { phase: 'running', since: ms(pod.status.startTime, created) };
  }
  const scheduled = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    const why = said(scheduled.reason, scheduled.message);
    return { phase: 'queued', reason: `waiting for a machine: ${why}`, since: created };
  }
  const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting?.reason;
  const reason =
    scheduled === undefined ? 'waiting to be scheduled' : `starting (${waiting ?? 'pending'})`;
  return { phase: 'queued', reason, since: created };
}

/**
 * Records refusals once, from the API's one error handler: every error answer with a code that
 * has a refusal metric counts in `gatehouse_refusals_total`, and a `GatewayError` that says who
 * was refused what (`Refusal`) is also written to the audit log and recorded as a
 * `request.refused` event, as `docs/events.md` and `docs/metrics.md` describe.
 * @module
 */
import type { ErrorCode } from '@gatehouse/api';
import type { Refusal } from '../errors.js';
import type { EventSink } from '../events/event-recorder.js';
import type { GatewayMetrics, RefusalReason } from '../observability/metrics.js';
import type { ApiContext } from './context.js';

/** The refusal metric label of each error code that has one. */
const METRIC_OF: Partial<Record<ErrorCode, RefusalReason>> = {
  unauthenticated: 'unauthenticated',
  not_granted: 'not_granted',
  quota_exceeded: 'quota',
  too_many_requests: 'rate_limited',
  payload_too_large: 'body_too_large',
};

/** Records one error answer: its code, and who was refused what when the error says. */
export type RefusalRecorder = (code: ErrorCode, refusal: Refusal | undefined) => void;

/** What refusals are recorded into. */
export interface RefusalSinks {
  readonly metrics: Pick<GatewayMetrics, 'refusal'>;
  readonly audit: ApiContext['audit'];
  readonly events: EventSink;
}

/** The recorder writing into `sinks`. */
export function createRefusalRecorder(sinks: RefusalSinks): RefusalRecorder {
  return (code, refusal) => {
    const metric = refusal?.metric ?? METRIC_OF[code];
    if (metric !== undefined) sinks.metrics.refusal(metric);
    if (refusal === undefined) return;
    const { user, action, reason, cluster = null } = refusal;
    if (refusal.audit === true) sinks.audit(user, action, '', 'refused', reason);
    if (refusal.event === false) return;
    sinks.events.record({
      type: 'request.refused',
      cluster: cluster?.name ?? null,
      username: cluster?.owner ?? user,
      actor: user,
      message: `${action} refused: ${reason}`,
      data: { action, reason, ...refusal.data },
    });
  };
}

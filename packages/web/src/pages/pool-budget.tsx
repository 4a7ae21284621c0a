/**
 * The pool page's budget: the core-hours the user may use this period, used and left, and what
 * happens when they run out (issue 21).
 * @module
 */
import type { GatewayApi } from '../gateway-api.js';
import { useLive } from '../live.js';

/** Core-hours for people, precise enough for small budgets. */
const hours = (h: number): string => `${String(Number(h.toPrecision(3)))} core-hours`;

/** The caller's budget this period; nothing when no budget applies to them. */
export function BudgetPanel({ api }: { api: GatewayApi }) {
  const live = useLive(
    api,
    () => api.budget(),
    (e) => e.type.startsWith('budget.') || e.type === 'worker.running',
    15000
  );
  const b = live.value;
  if (b === null || b.state === 'none' || b.left_core_hours === null) return null;
  const total = (b.budget_core_hours ?? 0) + b.extra_core_hours;
  const pct = total === 0 ? 100 : Math.min(100, (100 * b.used_core_hours) / total);
  const until = new Date(b.period_end).toISOString().slice(0, 10);
  return (
    <div data-testid="pool-budget">
      <h2>Your budget</h2>
      <p>
        <b>{hours(b.left_core_hours)}</b> left of {hours(total)} this {b.period} (
        {hours(b.used_core_hours)} used; renews {until} UTC).
        {b.extra_core_hours > 0 && ` Includes ${hours(b.extra_core_hours)} granted by an admin.`}
      </p>
      <div className="bar" aria-label="budget used">
        <div style={{ width: `${String(pct)}%` }} />
      </div>
      {b.state === 'warning' && (
        <p className="error">
          You have used over {Math.round(b.warn_at * 100)}% of your budget. When it runs out, new
          clusters and scale-ups are refused and running clusters are stopped after a grace period.
        </p>
      )}
      {b.state === 'exhausted' && (
        <p className="error">
          Your budget is used up: new clusters and scale-ups are refused, and running clusters are
          stopped after a grace period. Ask an admin for extra hours.
        </p>
      )}
    </div>
  );
}

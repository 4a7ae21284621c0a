/**
 * A stacked bar chart of core-hours per user per day, drawn as SVG.
 * @module
 */
import type { UsageDay } from '../gateway-api.js';

const COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#14b8a6', '#ec4899'];

/** The chart. */
export function UsageChart({ rows }: { rows: readonly UsageDay[] }) {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const users = [...new Set(rows.map((r) => r.username))].sort();
  const total = (d: string) =>
    rows.filter((r) => r.day === d).reduce((s, r) => s + r.core_hours, 0);
  const max = Math.max(0.001, ...days.map(total));
  const W = 60;
  const H = 160;
  if (days.length === 0) return <p>No usage recorded in this window.</p>;
  return (
    <figure>
      <svg
        width={days.length * W + 40}
        height={H + 40}
        role="img"
        aria-label="core-hours per user per day"
      >
        {days.map((d, i) => {
          let y = H;
          return (
            <g key={d} transform={`translate(${String(40 + i * W)},0)`}>
              {users.map((u, j) => {
                const v = rows.find((r) => r.day === d && r.username === u)?.core_hours ?? 0;
                const h = (v / max) * H;
                y -= h;
                return (
                  <rect
                    key={u}
                    x={8}
                    y={y}
                    width={W - 16}
                    height={h}
                    fill={COLORS[j % COLORS.length]}
                  >
                    <title>{`${u} ${d}: ${v.toFixed(2)} core-hours`}</title>
                  </rect>
                );
              })}
              <text x={W / 2} y={H + 14} fontSize="10" textAnchor="middle">
                {d.slice(5)}
              </text>
            </g>
          );
        })}
        <text x={0} y={10} fontSize="10">
          {max.toFixed(1)} h
        </text>
      </svg>
      <figcaption>
        Core-hours per day:{' '}
        {users.map((u, j) => (
          <span key={u} style={{ color: COLORS[j % COLORS.length] }}>
            ■ {u}{' '}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

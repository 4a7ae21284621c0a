/**
 * Core-hours per user per day as a stacked bar chart (SVG) with both axes labelled and every day
 * of the period drawn (days without use at zero), and the same numbers as a table.
 * @module
 */
import { formatCoreHours, type UsageDay } from '@gatehouse/api';

/** Bar colours: each at least 4.5:1 against white, so bars and swatches stay distinguishable. */
const COLORS = ['#1d4ed8', '#b45309', '#047857', '#b91c1c', '#6d28d9', '#0f766e', '#be185d'];
const DAY_MS = 86_400_000;

/** The `days` UTC days ending today (`now`), oldest first, as YYYY-MM-DD. */
export function periodDays(days: number, now: number): string[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return Array.from({ length: days }, (_, i) =>
    new Date(today - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10)
  );
}

/** Per day and user, the core-hours; users sorted by name. */
export function usageGrid(rows: readonly UsageDay[], days: readonly string[]) {
  const users = [...new Set(rows.map((r) => r.username))].sort();
  const at = new Map(rows.map((r) => [`${r.day}\u0000${r.username}`, r.core_hours]));
  const value = (d: string, u: string) => at.get(`${d}\u0000${u}`) ?? 0;
  const total = (d: string) => users.reduce((s, u) => s + value(d, u), 0);
  return { users, value, total, days };
}

type Grid = ReturnType<typeof usageGrid>;

/** Round tick values from 0 to at least `max`. */
function ticks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = 0; v < max + step - 1e-9; v += step) out.push(Number(v.toPrecision(6)));
  return out;
}

const colorOf = (j: number) => COLORS[j % COLORS.length] ?? '#1d4ed8';

function YAxis(props: {
  ys: readonly number[];
  y: (v: number) => number;
  left: number;
  right: number;
  mid: number;
}) {
  const { ys, y, left, right, mid } = props;
  return (
    <>
      {ys.map((v) => (
        <g key={v}>
          <line x1={left} x2={right} y1={y(v)} y2={y(v)} stroke="#d1d5db" />
          <text x={left - 6} y={y(v) + 4} textAnchor="end" fill="#374151">
            {v}
          </text>
        </g>
      ))}
      <text
        transform={`translate(14,${String(mid)}) rotate(-90)`}
        textAnchor="middle"
        fill="#111827"
      >
        Core-hours
      </text>
    </>
  );
}

/** One stacked bar per day (users in legend order), with the day of the month below it. */
function Bars(props: {
  grid: Grid;
  y: (v: number) => number;
  left: number;
  bar: number;
  base: number;
}) {
  const { grid, y, left, bar: BAR, base } = props;
  const { users, value, days } = grid;
  return (
    <>
      {days.map((d, i) => {
        let acc = 0;
        const x = left + i * BAR;
        return (
          <g key={d}>
            {users.map((u, j) => {
              const v = value(d, u);
              if (v <= 0) return null;
              const y0 = y(acc);
              acc += v;
              return (
                <rect
                  key={u}
                  x={x + 3}
                  y={y(acc)}
                  width={BAR - 6}
                  height={y0 - y(acc)}
                  fill={colorOf(j)}
                >
                  <title>{`${u}, ${d}: ${formatCoreHours(v)}`}</title>
                </rect>
              );
            })}
            <text x={x + BAR / 2} y={base + 16} textAnchor="middle" fill="#374151">
              {d.slice(8)}
            </text>
            {(i === 0 || d.endsWith('-01')) && (
              <text x={x + 2} y={base + 32} fill="#374151">
                {new Date(`${d}T00:00:00Z`).toLocaleString('en-US', {
                  month: 'short',
                  timeZone: 'UTC',
                })}
              </text>
            )}
          </g>
        );
      })}
    </>
  );
}

/** The chart: y = core-hours, x = day (UTC); a legend below. */
export function UsageChart({ grid }: { grid: Grid }) {
  const { users, total, days } = grid;
  const ys = ticks(Math.max(0, ...days.map(total)));
  const top = ys[ys.length - 1] ?? 1;
  const BAR = days.length > 20 ? 24 : 40;
  const H = 200;
  const left = 64;
  const width = left + days.length * BAR + 16;
  const height = H + 70;
  const y = (v: number) => 12 + H - (v / top) * H;
  return (
    <figure>
      <div className="chart-box" tabIndex={0} role="region" aria-label="Usage chart">
        <svg width={width} height={height} role="img" aria-labelledby="usage-chart-title">
          <title id="usage-chart-title">
            Core-hours per user per day, {days[0]} to {days[days.length - 1]} (UTC)
          </title>
          <YAxis ys={ys} y={y} left={left} right={width - 8} mid={12 + H / 2} />
          <Bars grid={grid} y={y} left={left} bar={BAR} base={12 + H} />
          <line x1={left} x2={left} y1={12} y2={12 + H} stroke="#374151" />
          <line x1={left} x2={width - 8} y1={12 + H} y2={12 + H} stroke="#374151" />
          <text
            x={left + (days.length * BAR) / 2}
            y={height - 4}
            textAnchor="middle"
            fill="#111827"
          >
            Day (UTC)
          </text>
        </svg>
      </div>
      <figcaption>
        <ul className="legend" aria-label="Users">
          {users.length === 0 && <li>No usage recorded in this period.</li>}
          {users.map((u, j) => (
            <li key={u}>
              <span className="swatch" style={{ background: colorOf(j) }} aria-hidden="true" />
              {u}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

/** The same numbers as a table: one row per day, one column per user, and the total. */
export function UsageTable({ grid }: { grid: Grid }) {
  const { users, value, total, days } = grid;
  const fmt = (v: number) => (v === 0 ? '0' : Number(v.toFixed(2)).toLocaleString('en-US'));
  return (
    <div className="table-box" tabIndex={0} role="region" aria-label="Usage table">
      <table data-testid="usage-table">
        <caption className="visually-hidden">Core-hours per user per day (UTC)</caption>
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            {users.map((u) => (
              <th scope="col" className="num" key={u}>
                {u}
              </th>
            ))}
            <th scope="col" className="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {[...days].reverse().map((d) => (
            <tr key={d}>
              <th scope="row">{d}</th>
              {users.map((u) => (
                <td className="num" key={u}>
                  {fmt(value(d, u))}
                </td>
              ))}
              <td className="num">{fmt(total(d))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

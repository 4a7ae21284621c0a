/**
 * A cluster's workers over time as an SVG step chart: the scale target (dashed) and the running
 * workers (solid), from the gateway's worker series plus the current counts, with labelled axes
 * and a legend; a sentence says the same for screen readers.
 * @module
 */
import type { WorkerPoint } from '../gateway-api.js';
import { formatDuration } from '../format.js';

const W = 640;
const H = 180;
const PAD = { left: 40, right: 12, top: 12, bottom: 28 };

/** The SVG path of a step line through `points` (x, y in pixels). */
function stepPath(points: readonly (readonly [number, number])[]): string {
  let d = '';
  let prevY: number | null = null;
  for (const [x, y] of points) {
    if (prevY === null) d = `M${x.toFixed(1)},${y.toFixed(1)}`;
    else d += ` H${x.toFixed(1)} V${y.toFixed(1)}`;
    prevY = y;
  }
  return d;
}

/** The chart of `series` (oldest first) up to `now`, with `current` as the last point. */
export function WorkerChart(props: {
  series: readonly WorkerPoint[];
  current: WorkerPoint;
  start: number;
}) {
  const { series, current, start } = props;
  const points = [...series.filter((p) => p.at < current.at), current];
  const t0 = Math.min(start, points[0]?.at ?? start);
  const span = Math.max(1, current.at - t0);
  const top = Math.max(1, ...points.map((p) => Math.max(p.target, p.running)));
  const x = (at: number) => PAD.left + ((at - t0) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const line = (pick: (p: WorkerPoint) => number) =>
    stepPath([[x(t0), y(0)], ...points.map((p) => [x(p.at), y(pick(p))] as const)]);
  const ticks = [...new Set([0, Math.round(top / 2), top])];
  return (
    <figure className="worker-chart" data-testid="worker-chart">
      <svg viewBox={`0 0 ${String(W)} ${String(H)}`} role="img" aria-labelledby="chart-caption">
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} className="grid" />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {v}
            </text>
          </g>
        ))}
        <text x={PAD.left} y={H - 6}>
          {formatDuration(span / 1000)} ago
        </text>
        <text x={W - PAD.right} y={H - 6} textAnchor="end">
          now
        </text>
        <path d={line((p) => p.target)} className="target" />
        <path d={line((p) => p.running)} className="running" />
      </svg>
      <figcaption id="chart-caption">
        <span className="legend target">Target</span>{' '}
        <span className="legend running">Running</span> workers over the last{' '}
        {formatDuration(span / 1000)}: now {current.running} running of a target of {current.target}
        .
      </figcaption>
    </figure>
  );
}

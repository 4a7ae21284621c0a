/**
 * Output of the client commands: aligned tables and readable sizes and ages for people, JSON
 * for scripts (`--json`), and one-line event descriptions for live progress.
 * @module
 */
import type { ClusterEvent, ClusterJson } from '@gatehouse/sdk';

/** Where a command writes. */
export interface Output {
  /** Results (tables, JSON). */
  out(text: string): void;
  /** Progress and diagnostics. */
  err(text: string): void;
}

/** A cell value: `null` and `undefined` print as `-`. */
export type Cell = string | number | boolean | null | undefined;

function cell(v: Cell): string {
  if (v === null || v === undefined || v === '') return '-';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** An aligned table with upper-case headers; `empty` is printed instead when there are no rows. */
export function table(headers: readonly string[], rows: readonly Cell[][], empty: string): string {
  if (rows.length === 0) return `${empty}\n`;
  const text = rows.map((r) => r.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(headers.map((h) => h.toUpperCase())), ...text.map(line)].join('\n')}\n`;
}

/** `key: value` lines, aligned. */
export function details(pairs: ReadonlyArray<readonly [string, Cell]>): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return `${pairs.map(([k, v]) => `${`${k}:`.padEnd(w + 2)}${cell(v)}`).join('\n')}\n`;
}

/** Pretty JSON with a trailing newline. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Bytes as the gateway writes them (`8.00 GiB`). */
export function bytes(n: number | null): string | null {
  if (n === null) return null;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${String(n)} B` : `${v.toFixed(2)} ${units[i] ?? ''}`;
}

/** A duration in seconds as `1h02m`, `3m05s` or `12s`. */
export function age(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  if (s >= 86_400)
    return `${String(Math.floor(s / 86_400))}d${two(Math.floor((s % 86_400) / 3600))}h`;
  if (s >= 3600) return `${String(Math.floor(s / 3600))}h${two(Math.floor((s % 3600) / 60))}m`;
  if (s >= 60) return `${String(Math.floor(s / 60))}m${two(s % 60)}s`;
  return `${String(s)}s`;
}

/** A time (ms since the epoch) as `YYYY-MM-DD HH:MM:SS` UTC. */
export function time(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** A cluster for scripts: ClusterJSON without its TLS credentials, plus the dashboard URL. */
export function clusterForScripts(c: ClusterJson, dashboard: string | null) {
  const { tls_cert: _cert, tls_key: _key, ...rest } = c;
  return { ...rest, dashboard_link: dashboard };
}

/** One line for a live event: time, type and message. */
export function eventLine(e: ClusterEvent): string {
  const when = new Date(e.time).toISOString().slice(11, 19);
  const who = e.cluster === null ? '' : ` ${e.cluster}`;
  return `${when}${who}  ${e.type.padEnd(16)} ${e.message}`;
}

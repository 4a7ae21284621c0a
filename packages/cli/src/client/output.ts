/**
 * Output of the client commands: aligned tables, and sizes and ages in the shared formatter's
 * units (`@gatehouse/api`'s format, as the web UI), for people; JSON
 * for scripts (`--json`), and one-line event descriptions for live progress.
 * @module
 */
import { formatBytes, formatDuration, type ClusterEvent, type ClusterJson } from '@gatehouse/sdk';

/** Where a command writes. */
export interface Output {
  /** Results (tables, JSON). */
  out(text: string): void;
  /** Progress and diagnostics. */
  err(text: string): void;
  /** Whether results go to a terminal (`--watch` clears it between drawings). */
  readonly tty?: boolean;
}

/** A cell value: `null` and `undefined` print as `-`. */
export type Cell = string | number | boolean | null | undefined;

/**
 * `text` with every control character but newline replaced by a space: text a cluster supplied
 * (a pod's termination message, an event) must not drive the terminal (cursor moves, OSC 52).
 */
export function printable(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const control = (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
    out += control ? ' ' : text.charAt(i);
  }
  return out;
}

function cell(v: Cell): string {
  if (v === null || v === undefined || v === '') return '-';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return printable(String(v));
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

/** Bytes in the shared formatter's binary units (`8 GiB`, `512 MiB`); null stays null. */
export function bytes(n: number | null): string | null {
  return n === null ? null : formatBytes(n);
}

/** A duration in seconds, as the shared formatter writes it (`3 min 5 s`). */
export function age(seconds: number): string {
  return formatDuration(Math.max(0, seconds));
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
  return printable(`${when}${who}  ${e.type.padEnd(16)} ${e.message}`);
}

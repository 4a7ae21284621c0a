/**
 * Per-process log files with size-capped rotation.
 *
 * Schedulers and workers write straight to their file (they are detached and must outlive
 * the gateway), so rotation copies the file to `<file>.1` (older copies shift to `.2` …
 * `.<keep>`) and truncates it in place; the process's append-mode descriptor continues at the
 * new end. Readers see the rotated copies and the live file as one log.
 * @module
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';

/** Rotation limits of one process's log. */
export interface RotationLimits {
  /** Size above which the live file is rotated. */
  readonly maxBytes: number;
  /** Rotated copies kept (0: the live file is only truncated). */
  readonly keep: number;
}

/** Bytes a tail read looks back at most (over all files). */
const TAIL_WINDOW = 4 * 1024 * 1024;

/** The files of one log, oldest first (rotated copies, then the live file), that exist. */
export function logFiles(file: string, keep: number): string[] {
  const out: string[] = [];
  for (let i = keep; i >= 1; i--)
    if (existsSync(`${file}.${String(i)}`)) out.push(`${file}.${String(i)}`);
  if (existsSync(file)) out.push(file);
  return out;
}

/** Rotates `file` if it is larger than `limits.maxBytes`; returns whether it did. */
export function rotateIfLarger(file: string, limits: RotationLimits): boolean {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return false;
  }
  if (size <= limits.maxBytes) return false;
  if (limits.keep > 0) {
    rmSync(`${file}.${String(limits.keep)}`, { force: true });
    for (let i = limits.keep - 1; i >= 1; i--) {
      const from = `${file}.${String(i)}`;
      if (existsSync(from)) renameSync(from, `${file}.${String(i + 1)}`);
    }
    copyFileSync(file, `${file}.1`);
  }
  truncateSync(file, 0);
  return true;
}

function readEnd(file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    const got = readSync(fd, buf, 0, len, size - len);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines of the log (across rotated copies), without a trailing newline. */
export function readLogTail(file: string, keep: number, lines: number): string {
  const files = logFiles(file, keep);
  const parts: Buffer[] = [];
  let budget = TAIL_WINDOW;
  let newlines = 0;
  for (let i = files.length - 1; i >= 0 && budget > 0; i--) {
    const f = files[i];
    if (f === undefined) break;
    const buf = readEnd(f, budget);
    parts.unshift(buf);
    budget -= buf.length;
    for (const b of buf) if (b === 10) newlines++;
    if (newlines > lines) break;
  }
  return Buffer.concat(parts).toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** The whole log: rotated copies oldest first, then the live file (read asynchronously). */
export async function readLogFull(file: string, keep: number): Promise<string> {
  const parts = await Promise.all(
    logFiles(file, keep).map((f) => readFile(f, 'utf8').catch(() => ''))
  );
  return parts.join('');
}

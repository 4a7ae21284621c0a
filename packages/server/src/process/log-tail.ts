/**
 * Reads the last lines of a process's log file (scheduler and worker output, local or Slurm).
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last `lines` lines of `file` (at most its last 64 KiB); '' when it cannot be read. */
export function readTail(file: string, lines: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf
      .toString('utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } finally {
    closeSync(fd);
  }
}

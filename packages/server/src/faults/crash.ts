/**
 * What an armed fault point does in a real gateway: say which point fired (synchronously, so
 * the line is written before the process is gone), then SIGKILL the gateway's own process.
 * @module
 */
import { writeSync } from 'node:fs';
import type { FaultPoint } from './fault-points.js';

/** Writes `{"event":"fault_point_fired","fault_point":…}` to stderr and SIGKILLs this process. */
export function crashAt(point: FaultPoint): void {
  writeSync(
    2,
    `${JSON.stringify({ event: 'fault_point_fired', fault_point: point, pid: process.pid })}\n`
  );
  process.kill(process.pid, 'SIGKILL');
}

/**
 * Gateway → scheduler commands over the preload's HTTP API (spec §5.5), with retries.
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** A command the preload understands. */
export type SchedulerCommand =
  | { op: 'scale'; count: number }
  | { op: 'adapt'; minimum: number | null; maximum: number | null; active: boolean };

/**
 * POSTs `cmd` to `<apiAddress>/api/comm`, trying `attempts` times with 0.1 s, 0.2 s, …
 * (capped at 5 s) between tries. Throws the last error when every attempt failed.
 */
export async function sendSchedulerCommand(
  apiAddress: string,
  token: string,
  cmd: SchedulerCommand,
  attempts: number
): Promise<void> {
  let delay = 0.1;
  let last: unknown = null;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) {
      await sleep(delay * 1000);
      delay = Math.min(delay * 2, 5);
    }
    try {
      const res = await fetch(`${apiAddress}/api/comm`, {
        method: 'POST',
        headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(cmd),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (res.ok) return;
      last = new Error(`scheduler answered ${String(res.status)}`);
    } catch (err) {
      last = err;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

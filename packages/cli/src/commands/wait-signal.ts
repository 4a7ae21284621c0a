/**
 * The abort signal of a command that waits: it aborts after `--timeout`, or on Ctrl-C.
 * @module
 */

/** A signal that aborts after `seconds` (if given) or on Ctrl-C. */
export function waitSignal(seconds: number | undefined): {
  signal: AbortSignal;
  timedOut: () => boolean;
} {
  const ctl = new AbortController();
  let timedOut = false;
  const timer =
    seconds === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          ctl.abort(new Error('timed out'));
        }, seconds * 1000);
  timer?.unref();
  process.once('SIGINT', () => {
    ctl.abort(new Error('interrupted'));
  });
  return { signal: ctl.signal, timedOut: () => timedOut };
}

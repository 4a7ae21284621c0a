/**
 * `--watch` of `clusters list|show`: draws once, then redraws whenever the gateway's event
 * stream (server-sent events, not polling) reports a change, until Ctrl-C or, for one cluster,
 * its final event. A terminal is cleared before each drawing; a pipe gets one drawing after
 * another. Gateways without events are polled every few seconds instead.
 * @module
 */
import { EventsUnavailable, type Gateway } from '@gatehouse/sdk';
import type { Output } from '../client/output.js';
import { waitSignal } from './wait-signal.js';

/** Seconds between drawings on gateways without an event stream. */
const POLL_SECONDS = 3;

/** Clears a terminal and moves to its top-left corner. */
const CLEAR = '\x1b[H\x1b[2J';

/** Waits `ms` or until `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true }
    );
  });
}

/**
 * Draws `draw()` now and after each event of `cluster` (of all the caller's clusters with
 * null), coalescing bursts: events that arrive during a drawing cause one more drawing.
 */
export async function watch(
  gw: Gateway,
  io: Output,
  cluster: string | null,
  draw: () => Promise<string>
): Promise<void> {
  const { signal } = waitSignal(undefined);
  const show = async () => {
    const text = await draw();
    io.out(io.tty === true ? `${CLEAR}${text}` : `${text}\n`);
  };
  await show();
  const state: { drawing: Promise<void> | null; again: boolean } = { drawing: null, again: false };
  const redraw = (): void => {
    if (state.drawing !== null) {
      state.again = true;
      return;
    }
    state.drawing = show().finally(() => {
      state.drawing = null;
      if (state.again) {
        state.again = false;
        redraw();
      }
    });
  };
  const stopped = (): boolean => signal.aborted;
  try {
    for await (const _event of gw.watchEvents(cluster, { signal })) redraw();
  } catch (err) {
    if (stopped()) return;
    if (!(err instanceof EventsUnavailable)) throw err;
    for (;;) {
      await pause(POLL_SECONDS * 1000, signal);
      if (stopped()) return;
      await show();
    }
  }
  await state.drawing;
}

/**
 * Parses heartbeat bodies without holding the event loop (issue 14: a 60 MiB heartbeat parsed
 * on the loop froze every client for seconds). Small bodies, the usual case, are parsed in line;
 * larger ones in a short-lived worker thread, which sends back only the reduced body (see
 * heartbeat-body.ts), so what crosses back is bounded by the cluster's unfinished workers. A few
 * threads at most run at once; further large bodies wait their turn.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { reduceHeartbeatText, type KnownWorkers, type ReducedBody } from './heartbeat-body.js';

/** Bodies up to this many bytes are parsed on the event loop (a millisecond or two). */
export const INLINE_HEARTBEAT_BYTES = 256 * 1024;

/** The heartbeat parser of one gateway. */
export interface HeartbeatParser {
  /** Parses `body`, keeping only names of `known` workers in its lists (see heartbeat-body.ts). */
  parse(body: Buffer, known: KnownWorkers): Promise<ReducedBody>;
  /** How many bodies were parsed in a worker thread (for tests and metrics). */
  readonly offLoopParses: number;
  /** Stops any running thread. */
  close(): Promise<void>;
}

/** The worker's program: CommonJS (an eval worker), with the reducer's own source inlined. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const reduce = (${reduceHeartbeatText.toString()});
parentPort.once('message', (m) => {
  let out;
  try {
    const names = (joined) => new Set(joined === '' ? [] : joined.split('\\n'));
    out = reduce(new TextDecoder().decode(m.body), names(m.created), names(m.unfinished));
  } catch (err) {
    out = { error: String(err) };
  }
  parentPort.postMessage(out);
});
`;

function isReducedBody(m: unknown): m is ReducedBody {
  if (typeof m !== 'object' || m === null) return false;
  return 'value' in m || ('error' in m && typeof m.error === 'string');
}

/** Creates the parser; `maxThreads` large bodies are parsed at once. */
export function createHeartbeatParser(
  opts: { inlineBytes?: number; maxThreads?: number } = {}
): HeartbeatParser {
  const inlineBytes = opts.inlineBytes ?? INLINE_HEARTBEAT_BYTES;
  const maxThreads = opts.maxThreads ?? 2;
  const running = new Set<Worker>();
  const waiting: Array<() => void> = [];
  let offLoop = 0;

  const inThread = (body: Buffer, known: KnownWorkers) =>
    new Promise<ReducedBody>((resolve, reject) => {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      running.add(worker);
      const done = () => {
        running.delete(worker);
        void worker.terminate();
        waiting.shift()?.();
      };
      worker.once('message', (m: unknown) => {
        done();
        if (isReducedBody(m)) resolve(m);
        else reject(new Error('heartbeat parser thread sent an unexpected message'));
      });
      worker.once('error', (err) => {
        done();
        reject(err);
      });
      worker.once('exit', (code) => {
        if (running.has(worker)) {
          done();
          reject(new Error(`heartbeat parser thread exited with ${String(code)}`));
        }
      });
      // One string per list, and the body's memory transferred (copied only if it is shared).
      const own = body.buffer instanceof ArrayBuffer ? body.buffer : null;
      const whole = own !== null && body.byteOffset === 0 && body.byteLength === own.byteLength;
      const copy = whole ? new Uint8Array(own) : new Uint8Array(body);
      worker.postMessage(
        { body: copy, created: known.created.join('\n'), unfinished: known.unfinished.join('\n') },
        [copy.buffer]
      );
    });

  return {
    async parse(body, known) {
      if (body.length <= inlineBytes) {
        const text = body.toString('utf8');
        return reduceHeartbeatText(text, new Set(known.created), new Set(known.unfinished));
      }
      while (running.size >= maxThreads) {
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      offLoop++;
      return inThread(body, known);
    },
    get offLoopParses() {
      return offLoop;
    },
    async close() {
      await Promise.all([...running].map((w) => w.terminate()));
      running.clear();
    },
  };
}

/**
 * An in-process Gatehouse for a test file: a fresh data directory, an in-memory SQLite store,
 * listening on port 0, every authenticated user granted and no bootstrap admin token, with the
 * test's own config values on top. Stopping it removes the directory.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Clock } from '../src/clock.js';
import { loadConfig } from '../src/config/load.js';
import { startGateway, type Gateway } from '../src/gateway.js';

/** A started gateway and the directory it owns. */
export interface InProcessGateway {
  readonly gateway: Gateway;
  readonly dir: string;
  /** Stops the gateway and removes its directory. */
  stop(): Promise<void>;
}

/** What a test sets: its directory's name prefix, config values on top of the defaults, a clock. */
export interface InProcessOptions {
  readonly prefix: string;
  readonly values?: Record<string, unknown>;
  readonly clock?: Clock;
}

/** Starts a gateway as described in the module header. */
export async function startInProcessGateway(o: InProcessOptions): Promise<InProcessGateway> {
  const dir = mkdtempSync(path.join(os.tmpdir(), o.prefix));
  const config = loadConfig({
    values: {
      listen: '127.0.0.1:0',
      data_dir: dir,
      store: { url: 'sqlite::memory:' },
      access: { grant_all_authenticated: true, bootstrap_admin_token: false },
      ...o.values,
    },
    env: {},
    defaultPythonEnv: path.join(dir, 'no-env'),
  });
  const gateway = await startGateway(config, {
    log: pino({ level: 'silent' }),
    env: {},
    ...(o.clock === undefined ? {} : { clock: o.clock }),
  });
  return {
    gateway,
    dir,
    stop: async () => {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

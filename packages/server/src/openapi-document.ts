/**
 * Renders the OpenAPI document of a gateway with default settings (in-memory store, nothing
 * started), as committed in `docs/openapi.json`. Deterministic: the same routes and schemas
 * always give the same text.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from './config/load.js';
import { startGateway } from './gateway.js';

/** The OpenAPI document as pretty JSON text with a final newline. */
export async function renderOpenApiDocument(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-openapi-'));
  try {
    const config = loadConfig({
      values: {
        listen: '127.0.0.1:0',
        data_dir: dir,
        store: { url: 'sqlite::memory:' },
        access: { bootstrap_admin_token: false },
      },
      defaultPythonEnv: dir,
    });
    const gateway = await startGateway(config, { log: pino({ level: 'silent' }) });
    try {
      return `${JSON.stringify(gateway.openapi(), null, 2)}\n`;
    } finally {
      await gateway.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

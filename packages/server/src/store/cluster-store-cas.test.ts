/**
 * Compare-and-set writes on SQLite: the cases of `test/store-cas-cases.ts`, each on a fresh file
 * (two processes on one file, two stores in one process, serialized saves, deleted rows).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { describeCompareAndSet } from '../../test/store-cas-cases.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describeCompareAndSet('SQLite', () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cas-'));
  dirs.push(d);
  return Promise.resolve({ type: 'sqlite', path: path.join(d, 'gatehouse.sqlite') });
});

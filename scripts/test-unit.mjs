#!/usr/bin/env node
// Runs every TypeScript unit test (`*.test.ts` beside the code, and cross-module tests under
// packages/*/test) with node:test. Node 20 neither globs nor discovers .ts files, so we list them.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packages = path.join(root, 'packages');
const files = [];
for (const pkg of readdirSync(packages)) {
  for (const dir of ['src', 'test']) {
    let entries;
    try {
      entries = readdirSync(path.join(packages, pkg, dir), { recursive: true });
    } catch {
      continue;
    }
    for (const f of entries)
      if (String(f).endsWith('.test.ts')) files.push(path.join(packages, pkg, dir, String(f)));
  }
}
const filter = process.argv.slice(2);
const selected =
  filter.length === 0 ? files : files.filter((f) => filter.some((s) => f.includes(s)));
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  [
    '--conditions=source',
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=900000',
    ...selected,
  ],
  { cwd: root, stdio: 'inherit' }
);
process.exit(r.status ?? 1);

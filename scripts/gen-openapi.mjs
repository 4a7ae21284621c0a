#!/usr/bin/env node
// Writes docs/openapi.json, the OpenAPI 3.1 document generated from the API's route schemas.
// Builds first (tsc -b), so it always describes the current sources. Run it after adding or
// changing a route; a unit test (packages/server/test/openapi.test.ts) fails when it drifts.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-b'], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const { renderOpenApiDocument } = await import('../packages/server/dist/openapi-document.js');
const file = path.join(root, 'docs', 'openapi.json');
writeFileSync(file, await renderOpenApiDocument());
console.log(`wrote ${path.relative(root, file)}`);

#!/usr/bin/env node
// Writes docs/config.schema.json from the server's config schema (run after `tsc -b`).
// A unit test (packages/server/src/config/schema.test.ts) fails when the file drifts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../packages/server/dist/config/json-schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
writeFileSync(path.join(root, 'docs', 'config.schema.json'), configJsonSchema());

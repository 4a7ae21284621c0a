import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from './json-schema.js';

const published = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../docs/config.schema.json'
);

test('docs/config.schema.json matches the schema (run scripts/gen-config-schema.mjs)', () => {
  assert.equal(readFileSync(published, 'utf8'), configJsonSchema());
});

test('the published schema documents every top-level key', () => {
  const doc = JSON.parse(configJsonSchema()) as { properties: Record<string, unknown> };
  for (const key of ['listen', 'data_dir', 'auth', 'backend', 'cluster', 'options', 'store']) {
    assert.ok(key in doc.properties, key);
  }
});

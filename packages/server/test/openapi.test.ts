/**
 * The committed OpenAPI document matches the routes (run `node scripts/gen-openapi.mjs` after
 * changing a route), is deterministic, and documents the wire routes, our own and their errors.
 * @module
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { renderOpenApiDocument } from '../src/openapi-document.js';

const published = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../docs/openapi.json'
);

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
}

test('docs/openapi.json matches the routes (run node scripts/gen-openapi.mjs)', async () => {
  const fresh = await renderOpenApiDocument();
  assert.equal(readFileSync(published, 'utf8'), fresh);
  assert.equal(await renderOpenApiDocument(), fresh, 'the document is deterministic');
});

test('the document is OpenAPI 3.1 with the wire routes, our own, and error bodies', () => {
  const doc = JSON.parse(readFileSync(published, 'utf8')) as Doc;
  assert.equal(doc.openapi, '3.1.0');
  for (const [p, method] of [
    ['/api/v1/clusters/', 'post'],
    ['/api/v1/clusters/{cluster_name}', 'get'],
    ['/api/v1/clusters/{cluster_name}/heartbeat', 'post'],
    ['/api/v1/options', 'get'],
    ['/api/v1/admin/quotas/{name}', 'put'],
    ['/api/v1/access-requests', 'post'],
    ['/api/v1/pool', 'get'],
    ['/api/v1/clusters/{cluster_name}/logs', 'get'],
    ['/api/metrics', 'get'],
  ] as const) {
    const op = doc.paths[p]?.[method];
    assert.ok(op !== undefined, `${method} ${p}`);
    assert.ok('4XX' in op.responses, `${method} ${p} documents its errors`);
  }
});

/**
 * A lost compare-and-set race reaches the user as 409 `conflict` with a message they can act
 * on: two store handles on one SQLite file both read a cluster, the second writer's save is
 * refused by the store, and the API answers 409 saying the cluster changed meanwhile and to
 * retry (today: a 500). Positive control: the same route with a fresh read succeeds.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import Fastify from 'fastify';
import { pino } from 'pino';
import type { ClusterRecord } from '../clusters/model.js';
import { createClusterStore, type ClusterStore } from '../store/cluster-store.js';
import { openDatabase } from '../store/db.js';
import { createSecretBox } from '../store/secret-box.js';
import type { ApiApp } from './api-app.js';
import { installErrorHandling } from './error-handler.js';
import { testCluster } from '../clusters/testing/test-cluster.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-conflict-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function openStore(file: string): Promise<ClusterStore> {
  return createClusterStore(await openDatabase(file), createSecretBox([Buffer.alloc(32, 1)]));
}

function cluster(): ClusterRecord {
  return testCluster();
}

it('answers a write on a stale cluster record 409 conflict, saying to retry', async () => {
  const file = path.join(dir, 'gatehouse.sqlite');
  const a = await openStore(file);
  await a.insertCluster(cluster());
  const b = await openStore(file);
  const [mine] = await a.loadAll();
  const [theirs] = await b.loadAll();
  assert.ok(mine !== undefined && theirs !== undefined);
  // The other gateway process writes first.
  theirs.count = 2;
  await b.saveCluster(theirs);

  const app = Fastify({ loggerInstance: pino({ level: 'silent' }) }) as unknown as ApiApp;
  installErrorHandling(app);
  let record = mine;
  app.post('/scale', async () => {
    record.count = 3;
    await a.saveCluster(record);
    return { ok: true };
  });
  await app.ready();
  const stale = await app.inject({ method: 'POST', url: '/scale' });
  assert.equal(stale.statusCode, 409, stale.body);
  const body = JSON.parse(stale.body) as Record<string, unknown>;
  assert.equal(body['code'], 'conflict');
  assert.match(String(body['error']), /cluster c1 changed while .*; retry/);
  assert.equal(typeof body['request_id'], 'string');

  // Positive control: the same write on a fresh read passes.
  const [fresh] = await a.loadAll();
  assert.ok(fresh !== undefined);
  record = fresh;
  const ok = await app.inject({ method: 'POST', url: '/scale' });
  assert.equal(ok.statusCode, 200, ok.body);
  await app.close();
  await a.close();
  await b.close();
});

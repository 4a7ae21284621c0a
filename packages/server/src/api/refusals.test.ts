/**
 * The one error path: a refusal thrown by a route is recorded once by the error handler — the
 * refusal metric, the audit entry and the `request.refused` event — with the texts users and
 * tests see (docs/events.md, docs/metrics.md); an error that says nothing of who was refused
 * only counts its code's metric.
 * @module
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import Fastify from 'fastify';
import { pino } from 'pino';
import { GatewayError, withRefusal } from '../errors.js';
import type { NewEvent } from '../events/event-recorder.js';
import type { ApiApp } from './api-app.js';
import { installErrorHandling } from './error-handler.js';
import { createRefusalRecorder } from './refusals.js';

function harness() {
  const metrics: string[] = [];
  const audits: unknown[][] = [];
  const events: NewEvent[] = [];
  const record = createRefusalRecorder({
    metrics: { refusal: (r) => metrics.push(r) },
    audit: (...a) => audits.push(a),
    events: {
      record: (e) => {
        events.push(e);
        return { id: 1, time: 0, worker: null, data: {}, ...e };
      },
    },
  });
  const app = Fastify({ loggerInstance: pino({ level: 'silent' }) }) as unknown as ApiApp;
  installErrorHandling(app, record);
  return { app, metrics, audits, events };
}

it('records a quota refusal once: metric, audit entry and event', async () => {
  const { app, metrics, audits, events } = harness();
  app.post('/create', () => {
    throw withRefusal(new GatewayError('quota_exceeded', 'at most 2 clusters'), {
      user: 'bob',
      action: 'create cluster',
      reason: 'at most 2 clusters',
      data: { action: 'create', by: 'quota' },
      metric: 'quota',
      audit: true,
    });
  });
  const r = await app.inject({ method: 'POST', url: '/create' });
  assert.equal(r.statusCode, 422);
  assert.equal((JSON.parse(r.body) as { code: string }).code, 'quota_exceeded');
  assert.deepEqual(metrics, ['quota']);
  assert.deepEqual(audits, [['bob', 'create cluster', '', 'refused', 'at most 2 clusters']]);
  assert.deepEqual(events, [
    {
      type: 'request.refused',
      cluster: null,
      username: 'bob',
      actor: 'bob',
      message: 'create cluster refused: at most 2 clusters',
      data: { action: 'create', reason: 'at most 2 clusters', by: 'quota' },
    },
  ]);
});

it("records a refusal on a cluster as that cluster's event, under its owner", async () => {
  const { app, metrics, audits, events } = harness();
  app.post('/scale', () => {
    throw withRefusal(new GatewayError('cluster_not_running', 'cluster c1 is not running'), {
      user: 'admin',
      action: 'scale',
      cluster: { name: 'c1', owner: 'alice' },
      reason: 'cluster is STOPPED',
    });
  });
  const r = await app.inject({ method: 'POST', url: '/scale' });
  assert.equal(r.statusCode, 409);
  assert.deepEqual(metrics, []);
  assert.deepEqual(audits, []);
  assert.equal(events.length, 1);
  assert.deepEqual(
    [events[0]?.cluster, events[0]?.username, events[0]?.actor, events[0]?.message],
    ['c1', 'alice', 'admin', 'scale refused: cluster is STOPPED']
  );
});

it('counts codes with a metric without auditing them, and audits without an event when told', async () => {
  const { app, metrics, audits, events } = harness();
  app.get('/anon', () => {
    throw new GatewayError('unauthenticated', 'Authentication required');
  });
  app.post('/login', () => {
    throw new GatewayError('unauthenticated', 'Wrong username or password', {
      refusal: { user: 'eve', action: 'ui login', reason: 'wrong', audit: true, event: false },
    });
  });
  app.get('/missing', () => {
    throw new GatewayError('not_found', 'nothing');
  });
  assert.equal((await app.inject({ url: '/anon' })).statusCode, 401);
  assert.equal((await app.inject({ method: 'POST', url: '/login' })).statusCode, 401);
  assert.equal((await app.inject({ url: '/missing' })).statusCode, 404);
  assert.deepEqual(metrics, ['unauthenticated', 'unauthenticated']);
  assert.deepEqual(audits, [['eve', 'ui login', '', 'refused', 'wrong']]);
  assert.deepEqual(events, []);
});

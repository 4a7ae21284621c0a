/// <reference types="node" />
// Unit tests of the cluster table's query: filter, sort, page, and its round trip through the
// address's parameters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyQuery, DEFAULT_QUERY, paramsFromQuery, queryFromParams } from './cluster-query.js';
import type { ClusterView } from './gateway-api.js';

function cluster(i: number, over: Partial<ClusterView> = {}): ClusterView {
  return {
    name: `c${String(i).padStart(4, '0')}`,
    cluster_name: null,
    username: i % 2 === 0 ? 'alice' : 'bob',
    status: i % 3 === 0 ? 'STOPPED' : 'RUNNING',
    workers: i % 7,
    requested_workers: i % 7,
    cores: i % 5,
    memory: 0,
    worker_cores: 1,
    worker_memory: 2 ** 30,
    start_time: 0,
    stop_time: null,
    age_seconds: i,
    lifetime_left_seconds: null,
    stop_reason: null,
    failure: null,
    dashboard_route: null,
    options: {},
    workers_running: i % 7,
    workers_starting: 0,
    workers_target: i % 7,
    core_hours: i / 10,
    memory_gib_hours: 0,
    profile: null,
    environment: null,
    adaptive: null,
    ...over,
  };
}

const many = Array.from({ length: 1000 }, (_, i) => cluster(i));

describe('applyQuery', () => {
  it('pages 1,000 clusters 50 at a time, newest first by default', () => {
    const { rows, total } = applyQuery(many, DEFAULT_QUERY);
    assert.equal(total, 1000);
    assert.equal(rows.length, 50);
    assert.equal(rows.at(0)?.name, 'c0000');
    const last = applyQuery(many, { ...DEFAULT_QUERY, offset: 980 });
    assert.equal(last.rows.length, 20);
  });

  it('filters by status and by a substring of the name or owner', () => {
    const stopped = applyQuery(many, { ...DEFAULT_QUERY, status: ['STOPPED'], limit: 1000 });
    assert.equal(stopped.total, 334);
    assert.ok(stopped.rows.every((c) => c.status === 'STOPPED'));
    assert.equal(applyQuery(many, { ...DEFAULT_QUERY, q: 'BOB' }).total, 500);
    assert.equal(applyQuery(many, { ...DEFAULT_QUERY, q: 'c0999' }).total, 1);
  });

  it('sorts by a number or a string, both ways, ties by name', () => {
    const desc = applyQuery(many, { ...DEFAULT_QUERY, sort: 'workers', order: 'desc' });
    assert.equal(desc.rows.at(0)?.workers, 6);
    assert.equal(desc.rows.at(0)?.name, 'c0006');
    const byOwner = applyQuery(many, { ...DEFAULT_QUERY, sort: 'owner', order: 'desc' });
    assert.equal(byOwner.rows.at(0)?.username, 'bob');
  });
});

describe('query parameters', () => {
  it('round-trips a query and ignores unknown values', () => {
    const q = {
      ...DEFAULT_QUERY,
      status: ['FAILED'],
      q: 'x',
      sort: 'cores',
      order: 'desc',
      offset: 50,
    } as const;
    assert.deepEqual(queryFromParams(paramsFromQuery(q)), q);
    assert.equal(paramsFromQuery(DEFAULT_QUERY).toString(), '');
    const odd = queryFromParams(new URLSearchParams('sort=evil&status=NOPE&offset=-3'));
    assert.deepEqual(odd, DEFAULT_QUERY);
  });
});

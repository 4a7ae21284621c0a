/**
 * The worker series of the cluster page: scale grants and adapt maxima set the target, workers
 * connecting and ending move the running count, the cluster's end drops both, steps at one
 * instant merge, and a long life is thinned to at most 500 steps keeping the first and last.
 * Also the cluster lists' query: filters, sort and paging with the total before the page.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdminCluster, ClusterEvent } from '@gatehouse/api';
import { pageClusters, parseClusterListQuery } from './cluster-list.js';
import { clusterView } from './cluster-view.js';
import { testCluster } from '../clusters/testing/test-cluster.js';
import { MAX_POINTS, workerSeries } from './worker-series.js';

let id = 0;
/** An event of cluster c1 at `time`. */
function ev(
  time: number,
  type: string,
  data: Record<string, unknown> = {},
  worker: string | null = null
): ClusterEvent {
  id += 1;
  return {
    id,
    time,
    type,
    cluster: 'c1',
    worker,
    username: 'alice',
    actor: 'x',
    message: '',
    data,
  };
}

describe('workerSeries', () => {
  it('follows the target and the connected workers, and ends at 0', () => {
    const series = workerSeries(
      [
        ev(10, 'cluster.running'),
        ev(20, 'cluster.scale', { requested: 5, granted: 2 }),
        ev(30, 'worker.running', {}, 'w1'),
        ev(31, 'worker.running', {}, 'w2'),
        ev(40, 'cluster.adapt', { minimum: 0, maximum: 4, active: true }),
        ev(50, 'worker.stopped', {}, 'w1'),
        ev(60, 'cluster.stopped'),
      ],
      0
    );
    assert.deepEqual(series, [
      { at: 0, target: 0, running: 0 },
      { at: 20, target: 2, running: 0 },
      { at: 30, target: 2, running: 1 },
      { at: 31, target: 2, running: 2 },
      { at: 40, target: 4, running: 2 },
      { at: 50, target: 4, running: 1 },
      { at: 60, target: 0, running: 0 },
    ]);
  });

  it('thins a long life to at most 500 steps, keeping the first and the last', () => {
    const events = Array.from({ length: 2000 }, (_, i) =>
      ev(i + 1, 'cluster.scale', { granted: (i % 7) + 1 })
    );
    const series = workerSeries(events, 0);
    assert.equal(series.length, MAX_POINTS);
    assert.deepEqual(series[0], { at: 0, target: 0, running: 0 });
    assert.equal(series[series.length - 1]?.at, 2000);
  });
});

describe('cluster list query', () => {
  const view = (name: string, username: string, cores: number): AdminCluster => ({
    ...clusterView(testCluster({ name, username }), 2_000_000_000_000),
    cores,
  });
  const views = [view('a1', 'alice', 3), view('b1', 'bob', 1), view('a2', 'alice', 2)];

  it('filters by text, sorts by a column and pages, with the total before paging', () => {
    const q = parseClusterListQuery({ q: 'ALI', sort: 'cores', order: 'asc', limit: '1' });
    const { page, total } = pageClusters(views, q);
    assert.equal(total, 2);
    assert.deepEqual(
      page.map((v) => v.name),
      ['a2']
    );
    const next = pageClusters(views, { ...q, offset: 1 });
    assert.deepEqual(
      next.page.map((v) => v.name),
      ['a1']
    );
  });

  it('refuses an unknown sort column and a limit above 500', () => {
    assert.throws(() => parseClusterListQuery({ sort: 'price' }), /sort must be one of/);
    assert.throws(() => parseClusterListQuery({ limit: '501' }), /limit must be an integer/);
    assert.equal(parseClusterListQuery({}).limit, 100);
  });
});

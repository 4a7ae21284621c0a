import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { test } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import type { ClusterConfig } from '../cluster-options/cluster-config.js';
import { Job, type ClusterRecord, type JobStatus, type WorkerRecord } from '../clusters/model.js';
import { createMetrics } from './metrics.js';

const config = {
  scheduler_cores: 1,
  scheduler_memory: 2 ** 30,
  worker_cores: 2,
  worker_memory: 4 * 2 ** 30,
} as ClusterConfig;

function worker(name: string, status: JobStatus, target: JobStatus = Job.RUNNING): WorkerRecord {
  return {
    name,
    clusterName: 'c',
    status,
    target,
    state: {},
    closeExpected: false,
    startTime: 0,
    stopTime: null,
  };
}

function cluster(name: string, user: string, status: JobStatus, workers: WorkerRecord[] = []) {
  return {
    name,
    username: user,
    status,
    target: status <= Job.RUNNING ? Job.RUNNING : status,
    config,
    lastHeartbeat: 1000,
    workers: new Map(workers.map((w) => [w.name, w])),
  } as unknown as ClusterRecord;
}

function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    if (m?.[1] !== undefined && !line.startsWith('#')) out.set(m[1], Number(m[2]));
  }
  return out;
}

test('gauges follow the records at scrape time; counters and histograms count', async () => {
  const records = [
    cluster('a', 'alice', Job.RUNNING, [
      worker('w1', Job.RUNNING),
      worker('w2', Job.SUBMITTED),
      worker('w3', Job.RUNNING, Job.STOPPED),
      worker('w4', Job.STOPPED, Job.STOPPED),
    ]),
    cluster('b', 'bob', Job.CREATED),
    cluster('c', 'carol', Job.FAILED),
  ];
  const m = createMetrics({
    clusters: () => records,
    pool: () => ({ used: 3, free: 7 }),
    backend: 'local',
    now: () => 6000,
  });
  m.httpRequest('GET', '/api/health', 200, 0.01);
  m.clusterStarted(4);
  m.heartbeat(2);
  m.refusal('quota');
  m.refusal('quota');
  const s = parse(await m.render());
  assert.equal(s.get('gatehouse_clusters{status="RUNNING"}'), 1);
  assert.equal(s.get('gatehouse_clusters{status="PENDING"}'), 1);
  assert.equal(s.get('gatehouse_clusters{status="FAILED"}'), 1);
  assert.equal(s.get('gatehouse_clusters{status="STOPPED"}'), 0);
  assert.equal(s.get('gatehouse_workers{state="running"}'), 1);
  assert.equal(s.get('gatehouse_workers{state="pending"}'), 1);
  assert.equal(s.get('gatehouse_workers{state="stopping"}'), 1);
  assert.equal(s.get('gatehouse_workers{state="stopped"}'), 1);
  assert.equal(s.get('gatehouse_pool_machines{state="used"}'), 3);
  assert.equal(s.get('gatehouse_pool_machines{state="free"}'), 7);
  // Scheduler (1 core) + three started workers (2 cores each); bob's cluster has not started.
  assert.equal(s.get('gatehouse_user_active_cores{user="alice"}'), 7);
  assert.equal(s.get('gatehouse_user_active_memory_bytes{user="alice"}'), 13 * 2 ** 30);
  assert.equal(s.has('gatehouse_user_active_cores{user="bob"}'), false);
  assert.equal(s.get('gatehouse_processes{backend="local",kind="scheduler"}'), 1);
  assert.equal(s.get('gatehouse_processes{backend="local",kind="worker"}'), 3);
  assert.equal(s.get('gatehouse_heartbeat_lag_seconds'), 5);
  assert.equal(s.get('gatehouse_cluster_start_duration_seconds_count'), 1);
  assert.equal(s.get('gatehouse_heartbeat_interval_seconds_count'), 1);
  assert.equal(s.get('gatehouse_refusals_total{reason="quota"}'), 2);
  assert.equal(
    s.get(
      'gatehouse_http_request_duration_seconds_count{method="GET",route="/api/health",status="200"}'
    ),
    1
  );
  // Users who stop running lose their series.
  records.splice(0, 1);
  const later = parse(await m.render());
  assert.equal(later.has('gatehouse_user_active_cores{user="alice"}'), false);
});

test('proxy sockets are counted while open and their bytes metered at each scrape', async () => {
  const m = createMetrics({
    clusters: () => [],
    pool: () => ({ used: 0, free: 0 }),
    backend: 'local',
    now: () => 0,
  });
  const socket = Object.assign(new EventEmitter(), { bytesRead: 0, bytesWritten: 0 });
  m.proxy.track('scheduler', socket as unknown as net.Socket);
  socket.bytesRead = 100;
  socket.bytesWritten = 40;
  let s = parse(await m.render());
  assert.equal(s.get('gatehouse_proxy_connections{kind="scheduler"}'), 1);
  assert.equal(s.get('gatehouse_proxy_bytes_total{kind="scheduler",direction="in"}'), 100);
  assert.equal(s.get('gatehouse_proxy_bytes_total{kind="scheduler",direction="out"}'), 40);
  socket.bytesRead = 150;
  socket.emit('close');
  s = parse(await m.render());
  assert.equal(s.get('gatehouse_proxy_connections{kind="scheduler"}'), 0);
  assert.equal(s.get('gatehouse_proxy_connections_total{kind="scheduler"}'), 1);
  assert.equal(s.get('gatehouse_proxy_bytes_total{kind="scheduler",direction="in"}'), 150);
  const r = m.proxy.request('dashboard');
  r.bytes('out', 10);
  r.done();
  r.done();
  s = parse(await m.render());
  assert.equal(s.get('gatehouse_proxy_connections{kind="dashboard"}'), 0);
  assert.equal(s.get('gatehouse_proxy_bytes_total{kind="dashboard",direction="out"}'), 10);
});

test('two gateways have separate registries and never touch the global one', async () => {
  const sources = {
    clusters: () => [],
    pool: () => ({ used: 0, free: 0 }),
    backend: 'local',
    now: () => 0,
  };
  const a = createMetrics(sources);
  const b = createMetrics(sources);
  a.refusal('quota');
  assert.equal(parse(await b.render()).get('gatehouse_refusals_total{reason="quota"}'), undefined);
  assert.equal((await globalRegistry.metrics()).includes('gatehouse_'), false);
});

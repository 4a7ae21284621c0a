/**
 * Tests for the kept-alive informer against a fake API server on plain http (which also checks
 * the kubeconfig loader's skipTLSVerify for http servers): a failing first list is retried
 * until it succeeds, and a watch whose connection is reset is restarted, so later changes
 * still arrive.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { KubeClient, loadKubeConfig } from './kube-client.js';
import { WatchedSet } from './watched-set.js';

const pod = (rv: string, phase: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p1', namespace: 'ns', resourceVersion: rv },
  status: { phase },
});

describe('WatchedSet against a fake API server', () => {
  let server: Server;
  let dir = '';
  let lists = 0;
  const watches: ServerResponse[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.searchParams.get('watch') !== 'true') {
        lists++;
        if (lists === 1) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ kind: 'Status', code: 500, message: 'etcd is down' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        const list = {
          kind: 'PodList',
          items: [pod('1', 'Pending')],
          metadata: { resourceVersion: '1' },
        };
        res.end(JSON.stringify(list));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      watches.push(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-watched-set-'));
  });

  after(() => {
    for (const w of watches) w.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries a failed first list, and restarts a watch whose connection was reset', async () => {
    const port = (server.address() as AddressInfo).port;
    const file = path.join(dir, 'kubeconfig');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: fake, cluster: {server: "http://127.0.0.1:${String(port)}"}}]`,
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: c, context: {cluster: fake, user: u}}]',
        'current-context: c',
      ].join('\n')
    );
    const client = new KubeClient(loadKubeConfig(file), 'ns');
    const seen: string[] = [];
    const set = new WatchedSet<V1Pod>({
      kc: client.kc,
      path: '/api/v1/namespaces/ns/pods',
      list: () => client.core.listNamespacedPod({ namespace: 'ns' }),
      labelSelector: 'a=b',
      log: pino({ level: 'silent' }),
      watchTimeout: 3600,
      onChange: (p) => seen.push(String(p.status?.phase)),
    });
    await set.start(30_000);
    assert.equal(lists, 2, 'the failed list was retried');
    assert.equal(set.get('p1', 'ns')?.status?.phase, 'Pending');
    // The first watch dies with a reset connection (the client's informer stops for good).
    watches[0]?.destroy();
    const deadline = Date.now() + 30_000;
    while (watches.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(watches.length, 2, 'a new watch was started');
    watches[1]?.write(`${JSON.stringify({ type: 'MODIFIED', object: pod('2', 'Running') })}\n`);
    while (!seen.includes('Running') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(seen, ['Pending', 'Running']);
    await set.stop();
  });
});

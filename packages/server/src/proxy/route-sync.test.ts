/**
 * Unit tests of the route resynchronisation between a gateway's route table and a separately
 * run proxy: the diff, convergence (missing added, stale removed, changed replaced), passes
 * requested meanwhile, and recovery after the proxy was unreachable.
 * @module
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createClientTracker } from './client-tracker.js';
import { createControlApi } from './control-api.js';
import { createProxyControlClient, type ProxyControl } from './control-client.js';
import { baseUrl } from './public-server.js';
import { createRouteSync, diffRoutes } from './route-sync.js';
import { RouteTable, type Route } from './route-table.js';
import type { ApiApp } from '../api/api-app.js';
import { systemClock } from '../clock.js';

const TOKEN = 'sync-token-0123456789';
const log = pino({ level: 'silent' });

const sni = (name: string, target: string): Route => ({ kind: 'SNI', sni: name, target });
const path = (p: string, target: string): Route => ({ kind: 'PATH', path: p, target });

describe('diffRoutes', () => {
  it('puts what is missing or different and removes what is stale', () => {
    const desired = [
      sni('a', 'h:1'),
      sni('b', 'h:2'),
      path('/clusters/a', 'http://h:3/clusters/a'),
    ];
    const actual = [
      sni('b', 'h:9'),
      sni('old', 'h:4'),
      path('/clusters/a', 'http://h:3/clusters/a'),
      path('/clusters/old', 'http://h:5/'),
    ];
    assert.deepEqual(diffRoutes(desired, actual), {
      put: [sni('a', 'h:1'), sni('b', 'h:2')],
      remove: [
        { kind: 'SNI', sni: 'old' },
        { kind: 'PATH', path: '/clusters/old' },
      ],
    });
  });

  it('changes nothing when both agree, and tells a PATH from an SNI route of the same name', () => {
    const both = [sni('a', 'h:1'), path('a', 'http://h:1/')];
    assert.deepEqual(diffRoutes(both, both), { put: [], remove: [] });
    assert.deepEqual(diffRoutes([sni('a', 'h:1')], [path('a', 'http://h:1/')]), {
      put: [sni('a', 'h:1')],
      remove: [{ kind: 'PATH', path: 'a' }],
    });
  });
});

describe('createRouteSync against a real control API', () => {
  const proxyRoutes = new RouteTable();
  let app: ApiApp;
  let control: ProxyControl;

  before(async () => {
    app = await createControlApi({
      routes: proxyRoutes,
      clients: createClientTracker(systemClock),
      token: TOKEN,
      clock: systemClock,
      log,
      info: () => ({ public_url: 'http://127.0.0.1:9', prefix: '', version: 'v' }),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    assert.ok(addr !== null && typeof addr !== 'string');
    control = createProxyControlClient(baseUrl({ host: addr.address, port: addr.port }), TOKEN);
  });
  after(() => app.close());

  it('makes the proxy hold exactly the gateway table (a restarted gateway removes stale routes)', async () => {
    // What the proxy kept from before the gateway restarted: one live, one stopped meanwhile.
    proxyRoutes.setSni('live', '127.0.0.1:1001');
    proxyRoutes.setPath('/clusters/live', 'http://127.0.0.1:1002/clusters/live');
    proxyRoutes.setSni('stopped', '127.0.0.1:2001');
    proxyRoutes.setPath('/clusters/stopped', 'http://127.0.0.1:2002/clusters/stopped');
    const table = new RouteTable();
    table.setSni('live', '127.0.0.1:1001');
    table.setPath('/clusters/live', 'http://127.0.0.1:1002/clusters/live');
    table.setSni('new', '127.0.0.1:3001');
    const sync = createRouteSync(control, table, log);

    await sync.request();
    assert.deepEqual(sorted(proxyRoutes.list()), sorted(table.list()));
    assert.deepEqual(sync.last(), {
      diff: {
        put: [sni('new', '127.0.0.1:3001')],
        remove: [
          { kind: 'PATH', path: '/clusters/stopped' },
          { kind: 'SNI', sni: 'stopped' },
        ],
      },
    });
    // The live cluster's routes were never removed (its connections keep flowing).
    assert.equal(proxyRoutes.lookupSni('live'), '127.0.0.1:1001');

    // A second pass has nothing to do.
    await sync.request();
    assert.deepEqual(sync.last(), { diff: { put: [], remove: [] } });
  });

  it('follows changes requested while a pass runs, in order', async () => {
    const table = new RouteTable();
    const sync = createRouteSync(control, table, log);
    table.setSni('x', '127.0.0.1:4001');
    const first = sync.request();
    table.removeSni('x');
    table.setSni('y', '127.0.0.1:4002');
    const second = sync.request();
    const third = sync.request();
    assert.equal(second, third, 'requests made before the next pass starts share it');
    await Promise.all([first, second]);
    assert.deepEqual(sorted(proxyRoutes.list()), [sni('y', '127.0.0.1:4002')]);
  });

  it('reports an unreachable proxy, then converges once it answers', async () => {
    const table = new RouteTable();
    table.setSni('z', '127.0.0.1:5001');
    const down = createRouteSync(
      createProxyControlClient('http://127.0.0.1:1', TOKEN, 2000),
      table,
      log
    );
    await down.request();
    const outcome = down.last();
    assert.ok(outcome !== null && 'error' in outcome);
    assert.match(outcome.error, /not reachable/);

    const up = createRouteSync(control, table, log);
    await up.request();
    assert.deepEqual(sorted(proxyRoutes.list()), [sni('z', '127.0.0.1:5001')]);
  });
});

function byKey(a: Route, b: Route): number {
  const k = (r: Route) => `${r.kind} ${r.kind === 'PATH' ? r.path : r.sni}`;
  return k(a).localeCompare(k(b));
}

function sorted(routes: Route[]): Route[] {
  return [...routes].sort(byKey);
}

/**
 * The loopback firewall against the real kernel, inside a throwaway network namespace: which
 * uid can open TCP connections to which listener, with and without the rules.
 * @module
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import {
  createLoopbackFirewall,
  type LoopbackFirewall,
  type LoopbackFirewallDeps,
} from './loopback-firewall.js';
import type { ClusterIdentity } from './cluster-identity.js';
import { renderTable, tableName } from './nft-ruleset.js';
import { DUMMY_ADDRESS, createNetns, netnsUnavailable, type Netns } from './fixtures/netns.js';

const skip = netnsUnavailable() ?? false;
const A: ClusterIdentity = { uid: 2001, gid: 2001, address: '127.201.0.1' };
const B: ClusterIdentity = { uid: 2002, gid: 2002, address: '127.201.0.2' };
/** A cluster of another gateway on the same host. */
const C: ClusterIdentity = { uid: 2003, gid: 2003, address: '127.201.0.3' };
/** A local user that runs no cluster. */
const OTHER = 2999;

let ns: Netns;
let fw: LoopbackFirewall;
type Target = readonly [string, number];
let t: {
  a: Target;
  b: Target;
  c: Target;
  api: Target;
  other: Target;
  dns: Target;
  v6: Target;
  dummy: Target;
};

before(async () => {
  if (skip !== false) return;
  ns = await createNetns();
  const [a, b, c, api, other, v6, dummy] = await ns.listen([
    [A.address, 0],
    [B.address, 0],
    [C.address, 0],
    ['127.0.0.1', 0],
    ['127.0.0.1', 0],
    ['::1', 0],
    [DUMMY_ADDRESS, 0],
  ]);
  await ns.listen([['127.0.0.53', 53]]);
  const port = (p: number | undefined) => p ?? 0;
  t = {
    a: [A.address, port(a)],
    b: [B.address, port(b)],
    c: [C.address, port(c)],
    api: ['127.0.0.1', port(api)],
    other: ['127.0.0.1', port(other)],
    dns: ['127.0.0.53', 53],
    v6: ['::1', port(v6)],
    dummy: [DUMMY_ADDRESS, port(dummy)],
  };
  fw = createLoopbackFirewall(deps());
});

/** The firewall's dependencies: the API is the `api` listener; nft runs in the namespace. */
function deps(): LoopbackFirewallDeps {
  return {
    spec: {
      table: tableName('test-instance'),
      api: [{ address: t.api[0], port: t.api[1] }],
      allowDns: true,
    },
    log: pino({ level: 'silent' }),
    deleteOnClose: true,
    nft: [...ns.enter, 'nft'],
  };
}

after(() => {
  if (skip === false) ns.close();
});

test('table names are nft identifiers and bad input is refused', () => {
  assert.equal(tableName('ab-12.x'), 'gatehouse_ab_12_x');
  const spec = { table: 't', api: [], allowDns: false };
  assert.throws(() => renderTable(spec, [{ uid: 0, gid: 0, address: '127.201.0.1' }]), /root/);
  assert.throws(() => renderTable(spec, [{ uid: 5, gid: 5, address: '127.201.0.1; x' }]));
  assert.throws(() => renderTable({ ...spec, table: 'a b' }, []), /bad table/);
});

test('without rules every local user reaches every cluster listener', { skip }, () => {
  assert.deepEqual(ns.probe(B.uid, [t.a, t.other, t.v6, t.dummy]), ['ok', 'ok', 'ok', 'ok']);
  assert.deepEqual(ns.probe(OTHER, [t.a, t.b]), ['ok', 'ok']);
});

test('the kernel accepts the table', { skip }, async () => {
  assert.deepEqual(await fw.available(), { ok: true });
});

test('with rules a cluster reaches only itself, the API and DNS', { skip }, async () => {
  await fw.sync([A, B]);
  const all = [t.a, t.b, t.api, t.dns, t.other, t.v6, t.dummy];
  const refused = 'ECONNREFUSED';
  // Positive controls: own listener, the API, DNS; root reaches both clusters.
  assert.deepEqual(ns.probe(A.uid, all), ['ok', refused, 'ok', 'ok', refused, refused, refused]);
  assert.deepEqual(ns.probe(B.uid, all), [refused, 'ok', 'ok', 'ok', refused, refused, refused]);
  assert.deepEqual(ns.probe(0, all), ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  // A local user without a cluster is kept out of the clusters only.
  assert.deepEqual(ns.probe(OTHER, all), [refused, refused, 'ok', 'ok', 'ok', 'ok', 'ok']);
  // The host's own non-loopback address goes through lo, where the rules apply.
  assert.equal(ns.probe(A.uid, [t.dummy])[0], refused);
});

test("a cluster's listener off its own address never completes a handshake", { skip }, async () => {
  // A squats a free API port on 127.0.0.1 (the gateway is down) and listens on B's address.
  const [squat, onB] = await ns.listen(
    [
      ['127.0.0.1', 0],
      [B.address, 0],
    ],
    A.uid
  );
  const [own] = await ns.listen([[A.address, 0]], A.uid);
  const targets: Target[] = [
    ['127.0.0.1', squat ?? 0],
    [B.address, onB ?? 0],
    [A.address, own ?? 0],
  ];
  // Positive control: without the table everybody reaches A's three listeners.
  await fw.close();
  assert.deepEqual(ns.probe(0, targets), ['ok', 'ok', 'ok']);
  const squatFw = createLoopbackFirewall(deps());
  await squatFw.sync([A, B]);
  await squatFw.setApi([{ address: '127.0.0.1', port: squat ?? 0 }]);
  // Root (the gateway, or another cluster's heartbeat client) and B never get an answer from
  // A off A's own address (its SYN-ACK is rejected: the client times out); root still reaches
  // A's own listener.
  const connected = (uid: number, to: Target[]) => ns.probe(uid, to).map((r) => r === 'ok');
  assert.deepEqual(connected(0, targets), [false, false, true]);
  assert.deepEqual(connected(B.uid, targets.slice(0, 2)), [false, false]);
  await squatFw.setApi([{ address: t.api[0], port: t.api[1] }]);
  fw = squatFw;
});

test('a cluster reaches the API only from 127.0.0.1 or its own address', { skip }, async () => {
  await fw.sync([A, B]);
  const refused = 'ECONNREFUSED';
  assert.deepEqual(ns.probe(A.uid, [t.api]), ['ok']);
  assert.deepEqual(ns.probe(A.uid, [t.api], A.address), ['ok']);
  assert.deepEqual(ns.probe(A.uid, [t.api], '127.0.0.1'), ['ok']);
  assert.deepEqual(ns.probe(A.uid, [t.api], B.address), [refused]);
  assert.deepEqual(ns.probe(A.uid, [t.api], '127.55.0.9'), [refused]);
  // Root may use any source (positive control for the spoofed-source probe itself).
  assert.deepEqual(ns.probe(0, [t.api], B.address), ['ok']);
});

test('clusters are added and removed element by element', { skip }, async () => {
  await fw.sync([A, B]);
  await fw.remove(A);
  // A's address is no longer protected, and its uid no longer restricted; B still is.
  assert.deepEqual(ns.probe(OTHER, [t.a, t.b]), ['ok', 'ECONNREFUSED']);
  assert.deepEqual(ns.probe(A.uid, [t.a, t.other]), ['ok', 'ok']);
  assert.deepEqual(ns.probe(B.uid, [t.b, t.a]), ['ok', 'ECONNREFUSED']);
  await fw.allow(A);
  assert.deepEqual(ns.probe(A.uid, [t.a, t.b, t.other]), ['ok', 'ECONNREFUSED', 'ECONNREFUSED']);
  assert.deepEqual(ns.probe(OTHER, [t.a]), ['ECONNREFUSED']);
  // Removing twice, or a cluster never added, is not an error.
  await fw.remove(A);
  await fw.remove(A);
  assert.match(ns.nft('list', 'set', 'inet', fw.table, 'owners'), /127\.201\.0\.2 \. 2002/);
  assert.doesNotMatch(ns.nft('list', 'set', 'inet', fw.table, 'owners'), /127\.201\.0\.1/);
});

test('sync makes the sets equal to the list, repairing a deleted table', { skip }, async () => {
  await fw.sync([A, B]);
  ns.nft('delete', 'table', 'inet', fw.table);
  assert.equal(ns.probe(B.uid, [t.a])[0], 'ok');
  await fw.allow(A); // fails on the missing table, then rewrites it
  assert.deepEqual(ns.probe(B.uid, [t.a, t.b]), ['ECONNREFUSED', 'ok']);
  await fw.sync([B]);
  assert.deepEqual(ns.probe(OTHER, [t.a, t.b]), ['ok', 'ECONNREFUSED']);
  assert.deepEqual(ns.probe(B.uid, [t.b, t.a]), ['ok', 'ECONNREFUSED']);
});

test('the API endpoint is set on the live table', { skip }, async () => {
  await fw.sync([A]);
  await fw.setApi([{ address: t.other[0], port: t.other[1] }]);
  assert.deepEqual(ns.probe(A.uid, [t.api, t.other, t.a]), ['ECONNREFUSED', 'ok', 'ok']);
  await fw.resync();
  assert.deepEqual(ns.probe(A.uid, [t.api, t.other, t.a]), ['ECONNREFUSED', 'ok', 'ok']);
  await fw.setApi([{ address: t.api[0], port: t.api[1] }]);
  assert.deepEqual(ns.probe(A.uid, [t.api, t.other]), ['ok', 'ECONNREFUSED']);
});

test("two gateways' tables never reject each other's clusters", { skip }, async () => {
  const second = createLoopbackFirewall({
    ...deps(),
    spec: { ...deps().spec, table: 'gh_second' },
  });
  await fw.sync([A, B]);
  await second.sync([C]);
  const refused = 'ECONNREFUSED';
  assert.deepEqual(ns.probe(C.uid, [t.c, t.api, t.a, t.other]), ['ok', 'ok', refused, refused]);
  assert.deepEqual(ns.probe(A.uid, [t.a, t.api, t.c]), ['ok', 'ok', refused]);
  assert.deepEqual(ns.probe(OTHER, [t.a, t.c]), [refused, refused]);
  await second.remove(C);
  await second.close();
  assert.doesNotMatch(ns.nft('list', 'tables'), /gh_second/);
});

test('close keeps the rules of clusters that outlive the gateway', { skip }, async () => {
  const keep = createLoopbackFirewall({ ...deps(), deleteOnClose: false });
  await keep.sync([A]);
  await keep.close();
  assert.equal(ns.probe(B.uid, [t.a])[0], 'ECONNREFUSED');
  await keep.remove(A);
  await keep.close();
  assert.doesNotMatch(ns.nft('list', 'tables'), /gatehouse_/);
});

test('close deletes the table when configured to', { skip }, async () => {
  await fw.sync([A]);
  await fw.close();
  assert.doesNotMatch(ns.nft('list', 'tables'), /gatehouse_/);
  assert.equal(ns.probe(B.uid, [t.a])[0], 'ok');
});

/**
 * Tests of the wait queue's order and an admin's moves in it: pinned entries go ahead of fair
 * share and keep their place while usage changes; the entries behind follow fair share.
 * @module
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaitQueue, type WaitEntry } from './wait-queue.js';

/** A queue with clusters a, b, c, d of users A..D joining in that order. */
function queue() {
  const persisted = new Map<string, WaitEntry | null>();
  const q = new WaitQueue((cluster, e) => persisted.set(cluster, e));
  ['a', 'b', 'c', 'd'].forEach((name, i) => {
    q.want(name, name.toUpperCase(), 2, i, true);
  });
  const usage = new Map<string, number>();
  const usageOf = (user: string) => usage.get(user) ?? 0;
  const order = () =>
    q
      .ordered(usageOf)
      .map((e) => e.cluster)
      .join('');
  return { q, persisted, usage, usageOf, order };
}

test('fair share: less recent usage first, then first come', () => {
  const { usage, order } = queue();
  assert.equal(order(), 'abcd');
  usage.set('A', 5);
  assert.equal(order(), 'bcda');
});

test("an admin's move pins the entry and those ahead; its place holds as usage changes", () => {
  const { q, persisted, usage, usageOf, order } = queue();
  assert.equal(q.move('d', 2, usageOf), true);
  assert.equal(order(), 'adbc');
  assert.equal(q.position('d', usageOf), 2);
  assert.equal(persisted.get('d')?.pinned, 2);
  assert.equal(persisted.get('a')?.pinned, 1);
  usage.set('D', 100);
  usage.set('A', 50);
  usage.set('B', 10);
  assert.equal(order(), 'adcb'); // b and c behind follow fair share
  // A scale keeps the pin.
  q.want('d', 'D', 5, 99, true);
  assert.equal(order(), 'adcb');
  // A place past the end is the last one; everything ahead of it is pinned in today's order.
  assert.equal(q.move('a', 9, usageOf), true);
  assert.equal(order(), 'dcba');
  assert.equal(q.get('a')?.pinned, 4);
  assert.equal(q.move('zz', 1, usageOf), false);
});

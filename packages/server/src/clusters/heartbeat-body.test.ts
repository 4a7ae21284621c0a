/**
 * Heartbeat bodies reduced to the cluster's own workers, and parsed off the event loop when
 * large (issue 14 finding 4).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HEARTBEAT_SLACK_BYTES, heartbeatByteCap, reduceHeartbeatText } from './heartbeat-body.js';
import { createHeartbeatParser } from './heartbeat-parser.js';

const body = (closed: readonly unknown[], active: readonly string[] = []) =>
  JSON.stringify({
    scheduler_address: 'tls://s:1',
    dashboard_address: '',
    api_address: 'http://s:2',
    count: 1,
    active_workers: active,
    closing_workers: [],
    closed_workers: closed,
  });

describe('heartbeat bodies', () => {
  it('keep only names the gateway created, and of closed workers only unfinished ones', () => {
    const out = reduceHeartbeatText(
      body(['done', 'live', 'never-created'], ['live', 'stranger']),
      new Set(['done', 'live']),
      new Set(['live'])
    );
    assert.ok('value' in out);
    const v = out.value as Record<string, unknown>;
    assert.deepEqual(v['closed_workers'], ['live']);
    assert.deepEqual(v['active_workers'], ['live']);
    assert.equal(v['scheduler_address'], 'tls://s:1');
  });

  it('report malformed JSON and non-string names', () => {
    assert.match(
      (reduceHeartbeatText('{', new Set(), new Set()) as { error: string }).error,
      /not valid JSON/
    );
    assert.deepEqual(reduceHeartbeatText(body(['a', 7]), new Set(), new Set()), {
      error: '/closed_workers/1 must be a string',
    });
  });

  it('are capped by the workers ever created', () => {
    const workers = new Map(Array.from({ length: 10 }, (_, i) => [String(i), null]));
    assert.ok(heartbeatByteCap({ workers: new Map() }, 1 << 30) === HEARTBEAT_SLACK_BYTES);
    assert.ok(heartbeatByteCap({ workers } as never, 1 << 30) > HEARTBEAT_SLACK_BYTES);
    assert.equal(heartbeatByteCap({ workers } as never, 2048), 2048, 'never above the ceiling');
  });

  it('are parsed in a worker thread above the inline size, in line below it', async () => {
    const parser = createHeartbeatParser({ inlineBytes: 1024 });
    try {
      const known = { created: ['w1', 'w2'], unfinished: ['w2'] };
      const small = await parser.parse(Buffer.from(body(['w2'])), known);
      assert.equal(parser.offLoopParses, 0);
      assert.deepEqual((small as { value: { closed_workers: string[] } }).value.closed_workers, [
        'w2',
      ]);
      const names = Array.from({ length: 5000 }, (_, i) => `x${String(i)}`);
      const large = await parser.parse(Buffer.from(body([...names, 'w2', 'w1'])), known);
      assert.equal(parser.offLoopParses, 1, 'the large body went to a thread');
      assert.deepEqual((large as { value: { closed_workers: string[] } }).value.closed_workers, [
        'w2',
      ]);
      const bad = await parser.parse(Buffer.from(`${body(names)}x`), known);
      assert.match((bad as { error: string }).error, /not valid JSON/);
    } finally {
      await parser.close();
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseParser, readSse } from './sse.js';

describe('SseParser', () => {
  it('dispatches on blank lines, joins data lines and keeps the last id', () => {
    const p = new SseParser();
    assert.deepEqual(p.push('id: 1\nevent: cluster.created\ndata: {"a":\ndata: 1}\n'), []);
    assert.deepEqual(p.push('\n'), [{ id: '1', event: 'cluster.created', data: '{"a":\n1}' }]);
    assert.deepEqual(p.push(': keep-alive\n\ndata:x\n\n'), [
      { id: '1', event: 'message', data: 'x' },
    ]);
  });

  it('accepts CRLF and CR line ends, also split across chunks', () => {
    const p = new SseParser();
    assert.deepEqual(p.push('id: 7\r'), []);
    assert.deepEqual(p.push('\ndata: a\r\r'), []);
    assert.deepEqual(p.push('data: b\r\n\r\n'), [
      { id: '7', event: 'message', data: 'a' },
      { id: '7', event: 'message', data: 'b' },
    ]);
  });

  it('drops an unfinished message at the end of the stream', async () => {
    const bytes = new TextEncoder().encode('data: one\n\ndata: two');
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, 5));
        c.enqueue(bytes.slice(5));
        c.close();
      },
    });
    const out = [];
    for await (const m of readSse(body)) out.push(m.data);
    assert.deepEqual(out, ['one']);
  });
});

describe('readSse', () => {
  it('cancels the body when the consumer stops early, so the connection closes', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(ctl) {
        ctl.enqueue(new TextEncoder().encode('data: first\n\n'));
        // The stream stays open, as a server's event stream does.
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const m of readSse(body)) {
      assert.equal(m.data, 'first');
      break;
    }
    assert.equal(cancelled, true);
  });
});

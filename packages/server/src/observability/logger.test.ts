import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (l: string) => lines.push(l) } };
}

test('JSON lines with credentials redacted', () => {
  const { lines, destination } = capture();
  const log = createLogger('info', { format: 'json', destination });
  log.info(
    {
      req: { headers: { authorization: 'Basic c2VjcmV0', cookie: 'dask-gateway-x=s3cr3t' } },
      token: 'tok-1',
      detail: { api_token: 'tok-2', password: 'pw-3' },
      config: { store: { url: 'postgresql://gh:pg-pw-4@db/gh' } },
      pool: { connectionString: 'postgresql://gh:pg-pw-5@db/gh' },
    },
    'hello'
  );
  const text = lines.join('');
  for (const secret of ['c2VjcmV0', 's3cr3t', 'tok-1', 'tok-2', 'pw-3', 'pg-pw-4', 'pg-pw-5']) {
    assert.ok(!text.includes(secret), secret);
  }
  const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  assert.equal(line['msg'], 'hello');
  assert.equal(line['service'], 'gatehouse');
});

test("'auto' is JSON unless the destination is a terminal; 'pretty' is human-readable", () => {
  const json = capture();
  createLogger('info', { destination: json.destination, isTty: false }).info('x');
  assert.doesNotThrow(() => JSON.parse(json.lines[0] ?? ''));
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  createLogger('info', { format: 'pretty', destination }).info({ token: 'tok-9' }, 'readable');
  const text = chunks.join('');
  assert.match(text, /INFO.*readable/);
  assert.throws(() => JSON.parse(text));
  assert.ok(!text.includes('tok-9'));
});

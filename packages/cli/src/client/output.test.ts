/**
 * Tests for the client commands' output: text that came from a cluster (a failure reason, an
 * event message: a pod's termination message is written by user code) never reaches the
 * terminal with control characters, so it cannot move the cursor, spoof a table or set the
 * clipboard (OSC 52).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { details, eventLine, table } from './output.js';

const HOSTILE = 'failed\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J\x1b[1;1Hfake row\r\x9b31m';

/** Whether `s` holds a C0 (other than newline) or C1 control character, or DEL. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if ((code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

describe('output of cluster-supplied text', () => {
  it('tables, details and event lines carry no control characters', () => {
    const t = table(['name', 'status'], [['c1', HOSTILE]], 'none');
    const d = details([['reason', HOSTILE]]);
    const e = eventLine({
      id: 1,
      time: 0,
      cluster: 'c1',
      type: 'cluster.failed',
      message: HOSTILE,
      data: {},
    } as unknown as Parameters<typeof eventLine>[0]);
    for (const s of [t, d, e]) assert.ok(!hasControl(s), JSON.stringify(s));
    // What the text says stays readable.
    assert.match(t, /failed.*fake row/);
  });
  it('keeps ordinary text as it is (control)', () => {
    assert.equal(table(['a'], [['héllo wörld 2 GiB']], 'none'), 'A\nhéllo wörld 2 GiB\n');
  });
});

/**
 * Tests that the CLI leaves quietly when its reader goes away (`gatehouse … | head`): a write
 * to a closed pipe ends the command with the shell's broken-pipe status, not an EPIPE stack trace.
 * @module
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { CLI } from '../../sdk/test/gatehouse-process.js';

/** Runs the CLI with its stdout read end closed before it writes; resolves to code and stderr. */
function runWithClosedStdout(
  args: readonly string[]
): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      resolve({ code, err });
    });
  });
}

describe('a closed stdout (gatehouse … | head)', () => {
  it('ends the command quietly with the broken-pipe status', async () => {
    const { code, err } = await runWithClosedStdout(['--help']);
    assert.doesNotMatch(err, /EPIPE|Unhandled 'error' event/);
    assert.equal(err, '');
    assert.equal(code, 141);
  });
  it('still reports a real failure on stderr (positive control)', async () => {
    const { code, err } = await runWithClosedStdout([
      'clusters',
      'list',
      '--address',
      'http://127.0.0.1:1',
    ]);
    assert.match(err, /gatehouse: /);
    assert.notEqual(code, 0);
  });
});

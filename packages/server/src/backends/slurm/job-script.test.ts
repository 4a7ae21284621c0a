/**
 * Tests for what a Slurm job is made of: sbatch options from the profile's size and job
 * settings, shell quoting, the environment file and the batch script.
 * @module
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  HOST,
  batchScript,
  environmentFile,
  jobSettings,
  sbatchArgs,
  shellWord,
  type JobSettings,
} from './job-script.js';

const BASE: JobSettings = {
  partition: 'gatehouse',
  account: null,
  qos: null,
  time_limit: null,
  extra_directives: ['--constraint=x86'],
};

describe('jobSettings', () => {
  it('a profile overrides fields it names and adds directives', () => {
    const s = jobSettings(BASE, {
      qos: 'high',
      partition: null,
      extra_directives: ['--gres=gpu:1'],
    });
    assert.deepEqual(s, {
      partition: null,
      account: null,
      qos: 'high',
      time_limit: null,
      extra_directives: ['--constraint=x86', '--gres=gpu:1'],
    });
  });

  it('without a profile the backend settings apply', () => {
    assert.deepEqual(jobSettings(BASE, undefined), BASE);
  });
});

describe('sbatchArgs', () => {
  it('sizes the job from cores and memory (MiB, rounded up) and adds every setting', () => {
    const args = sbatchArgs({
      name: 'gatehouse-c-w',
      cores: 2,
      memory: 8 * 2 ** 30 + 1,
      output: '/logs/c/worker-w.log',
      settings: { ...BASE, account: 'proj', qos: 'normal', time_limit: '1:00:00' },
    });
    assert.ok(args.includes('--cpus-per-task=2'));
    assert.ok(args.includes('--mem=8193M'));
    assert.ok(args.includes('--output=/logs/c/worker-w.log'));
    assert.ok(args.includes('--export=NONE'));
    for (const a of [
      '--partition=gatehouse',
      '--account=proj',
      '--qos=normal',
      '--time=1:00:00',
      '--constraint=x86',
    ])
      assert.ok(args.includes(a), a);
  });

  it('leaves out settings that are null', () => {
    const args = sbatchArgs({
      name: 'n',
      cores: 1,
      memory: 2 ** 30,
      output: '/o',
      settings: { ...BASE, partition: null, extra_directives: [] },
    });
    assert.equal(
      args.some((a) => /^--(partition|account|qos|time)=/.test(a)),
      false
    );
  });
});

/** What sh makes of a word. */
function shEcho(word: string, env: Record<string, string> = {}): string {
  return execFileSync('sh', ['-c', `printf %s ${word}`], { env, encoding: 'utf8' });
}

describe('shellWord', () => {
  it('quotes anything so sh reads it back unchanged', () => {
    for (const s of ["it's", 'a b', '$HOME', '`x`', '"q"', '\\n'])
      assert.equal(shEcho(shellWord(s)), s);
  });

  it('expands the host placeholder and nothing else', () => {
    const word = shellWord(`${HOST}:0 $HOME`);
    assert.equal(shEcho(word, { GATEHOUSE_HOST: '10.0.0.7' }), '10.0.0.7:0 $HOME');
  });
});

describe('batchScript', () => {
  it('sources the environment file, picks the host and execs the command', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'job-script-'));
    const envFile = path.join(dir, 'job.env');
    writeFileSync(envFile, environmentFile({ SECRET: "to'ken", 'BAD-NAME': 'x' }));
    const script = batchScript(envFile, dir, ['sh', '-c', `echo "$SECRET" ${HOST}`], '127.0.0.9');
    assert.ok(!script.includes("to'ken"), 'secrets stay in the environment file');
    const out = execFileSync('sh', ['-c', script], { encoding: 'utf8' });
    assert.equal(out.trim(), "to'ken 127.0.0.9");
  });
});

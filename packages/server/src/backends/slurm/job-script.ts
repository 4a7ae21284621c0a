/**
 * What one Slurm job is made of: the `sbatch` options (size from the cluster's profile,
 * partition/account/QOS/time limit/extra directives) and the batch script, which reads the
 * job's environment (token, TLS paths) from a 0600 file in the cluster's staging directory so
 * no secret appears on a command line or in the stored script.
 * @module
 */
import type { SlurmJobConfig } from '../../config/schema.js';

/** Job settings after profile overrides. */
export interface JobSettings {
  readonly partition: string | null;
  readonly account: string | null;
  readonly qos: string | null;
  readonly time_limit: string | null;
  readonly extra_directives: readonly string[];
}

/** Backend settings overlaid by a profile's `slurm` settings. */
export function jobSettings(base: JobSettings, profile: SlurmJobConfig | undefined): JobSettings {
  return {
    partition: profile?.partition !== undefined ? profile.partition : base.partition,
    account: profile?.account !== undefined ? profile.account : base.account,
    qos: profile?.qos !== undefined ? profile.qos : base.qos,
    time_limit: profile?.time_limit !== undefined ? profile.time_limit : base.time_limit,
    extra_directives: [...base.extra_directives, ...(profile?.extra_directives ?? [])],
  };
}

/** One job to submit. */
export interface JobSpec {
  readonly name: string;
  readonly cores: number;
  /** Bytes. */
  readonly memory: number;
  /** File receiving the job's stdout and stderr. */
  readonly output: string;
  readonly settings: JobSettings;
}

/** The `sbatch` options of a job (besides `--parsable`). */
export function sbatchArgs(job: JobSpec): string[] {
  const s = job.settings;
  const mb = Math.max(1, Math.ceil(job.memory / 2 ** 20));
  const args = [
    `--job-name=${job.name}`,
    '--nodes=1',
    '--ntasks=1',
    `--cpus-per-task=${String(job.cores)}`,
    `--mem=${String(mb)}M`,
    `--output=${job.output}`,
    '--open-mode=append',
    '--export=NONE',
  ];
  if (s.partition !== null) args.push(`--partition=${s.partition}`);
  if (s.account !== null) args.push(`--account=${s.account}`);
  if (s.qos !== null) args.push(`--qos=${s.qos}`);
  if (s.time_limit !== null) args.push(`--time=${s.time_limit}`);
  args.push(...s.extra_directives);
  return args;
}

/** Placeholder in argv elements for the address the job listens on (resolved on the node). */
export const HOST = '@GATEHOUSE_HOST@';

/** A word for sh: single-quoted, or double-quoted with `$GATEHOUSE_HOST` where {@link HOST} was. */
export function shellWord(arg: string): string {
  if (!arg.includes(HOST)) return `'${arg.replaceAll("'", `'\\''`)}'`;
  const escaped = arg.replace(/["\\$`]/g, (ch) => `\\${ch}`);
  return `"${escaped.replaceAll(HOST, '${GATEHOUSE_HOST}')}"`;
}

/** The environment file a job sources: `export NAME='value'` lines. */
export function environmentFile(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `export ${k}=${shellWord(v.replaceAll(HOST, ''))}\n`)
    .join('');
}

/**
 * The batch script: source the environment file, pick the address to listen on (`nodeHost`, or
 * the node's hostname), then exec the command so Slurm's signals reach it directly.
 */
export function batchScript(
  envFile: string,
  cwd: string,
  argv: readonly string[],
  nodeHost: string | null
): string {
  const host = nodeHost === null ? '"$(hostname)"' : shellWord(nodeHost);
  return [
    '#!/bin/sh',
    '# Written by Gatehouse: one scheduler or worker of a Dask cluster.',
    `. ${shellWord(envFile)}`,
    `GATEHOUSE_HOST=${host}`,
    `cd ${shellWord(cwd)}`,
    `exec ${argv.map(shellWord).join(' ')}`,
    '',
  ].join('\n');
}

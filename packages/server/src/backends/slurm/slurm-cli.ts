/**
 * The Slurm commands the backend runs (`sbatch`, `squeue`, `scancel`, `sinfo`) and the parsers
 * of their output. One `squeue` call answers for every job; nothing here polls per job.
 * @module
 */
import { execFile } from 'node:child_process';

/** One job as `squeue` lists it. */
export interface SqueueRow {
  readonly id: string;
  /** Slurm's job state, e.g. PENDING, RUNNING, FAILED, CANCELLED. */
  readonly state: string;
  /** Slurm's reason, e.g. Resources, Priority, None, NonZeroExitCode. */
  readonly reason: string;
  /** The node list ('' while pending). */
  readonly nodes: string;
}

/** One node of a partition as `sinfo` lists it. */
export interface SinfoNode {
  readonly name: string;
  readonly cpus: number;
  /** Memory in MiB. */
  readonly memoryMb: number;
}

/** Runs the Slurm commands. */
export interface SlurmCli {
  /** Submits `script` (on stdin) with `args`; as `asUser` through runuser when given. */
  sbatch(args: readonly string[], script: string, asUser: string | null): Promise<string>;
  /** Every job the controller still lists (any state), by job id. */
  squeue(): Promise<Map<string, SqueueRow>>;
  /** Cancels jobs (unknown ids are ignored). */
  scancel(ids: readonly string[]): Promise<void>;
  /** The nodes of `partition` (null: the default partition). */
  sinfo(partition: string | null): Promise<SinfoNode[]>;
}

const SEP = '|';
const SQUEUE_FORMAT = ['%i', '%T', '%r', '%N'].join(SEP);

/** Parses `squeue -h -o '%i|%T|%r|%N'` output. Array jobs' pending rows are kept as listed. */
export function parseSqueue(text: string): Map<string, SqueueRow> {
  const out = new Map<string, SqueueRow>();
  for (const line of text.split('\n')) {
    const [id, state, reason, nodes] = line.trim().split(SEP);
    if (id === undefined || id === '' || state === undefined) continue;
    out.set(id, { id, state, reason: reason ?? '', nodes: nodes ?? '' });
  }
  return out;
}

/**
 * Parses `sinfo -h -N -o '%N|%c|%m|%P'` output: the nodes of `partition`, or of the default
 * partition (marked `*`) when null; each node once.
 */
export function parseSinfo(text: string, partition: string | null): SinfoNode[] {
  const seen = new Map<string, SinfoNode>();
  for (const line of text.split('\n')) {
    const [name, cpus, mem, part] = line.trim().split(SEP);
    if (name === undefined || name === '' || part === undefined) continue;
    const isDefault = part.endsWith('*');
    const partName = isDefault ? part.slice(0, -1) : part;
    if (partition === null ? !isDefault : partName !== partition) continue;
    const node = { name, cpus: Number(cpus), memoryMb: Number.parseInt(mem ?? '', 10) };
    if (Number.isFinite(node.cpus) && Number.isFinite(node.memoryMb)) seen.set(name, node);
  }
  return [...seen.values()];
}

function run(cmd: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err !== null) {
          const detail = stderr.trim() === '' ? err.message : stderr.trim();
          reject(new Error(`${[cmd, ...args].join(' ')} failed: ${detail}`));
          return;
        }
        resolve(stdout);
      }
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The real Slurm commands, found on PATH. */
export function createSlurmCli(): SlurmCli {
  return {
    async sbatch(args, script, asUser) {
      const argv = ['sbatch', '--parsable', ...args];
      const out =
        asUser === null
          ? await run('sbatch', argv.slice(1), script)
          : await run('runuser', ['-u', asUser, '--', ...argv], script);
      const id = out.trim().split(';')[0] ?? '';
      if (!/^\d+$/.test(id)) throw new Error(`sbatch printed no job id: ${out.trim()}`);
      return id;
    },
    async squeue() {
      return parseSqueue(await run('squeue', ['-h', '--states=all', '-o', SQUEUE_FORMAT]));
    },
    async scancel(ids) {
      if (ids.length > 0) await run('scancel', [...ids]);
    },
    async sinfo(partition) {
      const args = ['-h', '-N', '-o', ['%N', '%c', '%m', '%P'].join(SEP)];
      if (partition !== null) args.push('-p', partition);
      return parseSinfo(await run('sinfo', args), partition);
    },
  };
}

/**
 * Finds the processes a gateway started by the marker in their environment (its instance id),
 * grouped by process group, and kills such groups. Schedulers and workers each lead their own
 * group (they are spawned detached), and what they start (a nanny's worker, a resource tracker)
 * inherits both the group and the environment.
 * @module
 */
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessRef } from '../clusters/model.js';
import { readEnviron, readProcStat } from './process-identity.js';

/** A live process carrying the marker, with the environment values asked for. */
export interface MarkedProcess {
  readonly pid: number;
  readonly startTicks: number;
  readonly pgid: number;
  /** The asked-for variables that are set. */
  readonly env: ReadonlyMap<string, string>;
}

/** Marked processes sharing one process group. */
export interface MarkedGroup {
  readonly pgid: number;
  /** The group leader, when it is alive and marked; null when it is gone (or not ours). */
  readonly leader: MarkedProcess | null;
  /** Every marked member, the leader first. */
  readonly members: readonly MarkedProcess[];
}

/** Pids of every process, from a /proc-like directory. */
function listPids(procDir: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync(procDir);
  } catch {
    return [];
  }
  return entries.filter((e) => /^\d+$/.test(e)).map(Number);
}

/**
 * Live processes whose environment has `marker` = `value`, with the values of `names`.
 * Processes that vanish or cannot be read while scanning are skipped.
 */
export function scanMarkedProcesses(
  marker: string,
  value: string,
  names: readonly string[]
): MarkedProcess[] {
  const out: MarkedProcess[] = [];
  for (const pid of listPids('/proc')) {
    const environ = readEnviron(pid);
    if (environ?.get(marker) !== value) continue;
    const stat = readProcStat(pid);
    if (stat === null) continue;
    const env = new Map<string, string>();
    for (const n of names) {
      const v = environ.get(n);
      if (v !== undefined) env.set(n, v);
    }
    out.push({ pid, startTicks: stat.startTicks, pgid: stat.pgid, env });
  }
  return out;
}

/** Groups marked processes by process group (pure). Groups are ordered by pgid. */
export function groupMarkedProcesses(procs: readonly MarkedProcess[]): MarkedGroup[] {
  const byGroup = new Map<number, MarkedProcess[]>();
  for (const p of procs) {
    const list = byGroup.get(p.pgid) ?? [];
    list.push(p);
    byGroup.set(p.pgid, list);
  }
  return [...byGroup.entries()]
    .sort(([a], [b]) => a - b)
    .map(([pgid, members]) => {
      const leader = members.find((m) => m.pid === pgid) ?? null;
      const rest = members.filter((m) => m !== leader).sort((a, b) => a.pid - b.pid);
      return { pgid, leader, members: leader === null ? rest : [leader, ...rest] };
    });
}

/** The identity of a marked process. */
export function refOf(p: MarkedProcess): ProcessRef {
  return { pid: p.pid, startTicks: p.startTicks };
}

/** A process group to kill: its id, its leader (if alive) and its members, by identity. */
export interface GroupRefs {
  readonly pgid: number;
  readonly leader: ProcessRef | null;
  readonly members: readonly ProcessRef[];
}

function same(p: ProcessRef): boolean {
  return readProcStat(p.pid)?.startTicks === p.startTicks;
}

/**
 * SIGKILLs a group: the whole group when its leader is still the same process (so helpers it
 * started without the marker die too), otherwise each member that is still the same process
 * (a dead leader's group id could be reused). Waits up to `seconds` for every member to be gone;
 * returns whether they are.
 */
export async function killGroup(g: GroupRefs, seconds: number): Promise<boolean> {
  const kill = (pid: number) => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  if (g.leader !== null && same(g.leader)) kill(-g.pgid);
  for (const m of g.members) if (same(m)) kill(m.pid);
  const deadline = Date.now() + seconds * 1000;
  let delay = 10;
  while (g.members.some(same)) {
    if (Date.now() >= deadline) return false;
    await sleep(delay);
    delay = Math.min(delay * 2, 200);
  }
  return true;
}

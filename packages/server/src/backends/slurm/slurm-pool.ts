/**
 * The shared pool as Slurm sees it: the nodes of the backend's partition (from `sinfo`), grouped
 * into machine types by size, so what users are told matches what Slurm will run.
 * @module
 */
import type { MachineTypeConfig } from '../../config/schema.js';
import type { Static } from 'typebox';
import type { SinfoNode } from './slurm-cli.js';

/** Machine types for the pool: one per distinct (CPUs, memory) among `nodes`, largest first. */
export function poolFromNodes(
  partition: string,
  nodes: readonly SinfoNode[]
): Static<typeof MachineTypeConfig>[] {
  const groups = new Map<string, { cpus: number; memoryMb: number; count: number }>();
  for (const n of nodes) {
    const key = `${String(n.cpus)}/${String(n.memoryMb)}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { cpus: n.cpus, memoryMb: n.memoryMb, count: 1 });
    else g.count += 1;
  }
  const sorted = [...groups.values()].sort((a, b) => b.cpus - a.cpus || b.memoryMb - a.memoryMb);
  return sorted.map((g) => ({
    name:
      sorted.length === 1 ? partition : `${partition}-${String(g.cpus)}cpu-${String(g.memoryMb)}M`,
    cores: g.cpus,
    memory: g.memoryMb * 2 ** 20,
    count: g.count,
  }));
}

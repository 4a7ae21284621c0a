/**
 * The shared pool as Kubernetes sees it: the nodes matching the pool's node selector, grouped
 * into machine types by allocatable CPU and memory, plus the nodes an autoscaler may still add
 * (up to `max_nodes`, shaped like the node template), the way the cluster-autoscaler reasons.
 *
 * Which nodes count:
 * - A node whose labels include every pair of `node_selector` is in the pool.
 * - A node being deleted (`metadata.deletionTimestamp`) is left out entirely: it is going away,
 *   and the autoscaler may replace it.
 * - A cordoned node (`spec.unschedulable`) holds no workers, so it is no capacity, but it still
 *   takes one of the `max_nodes` places, as it does for the autoscaler.
 * - A NotReady node counts as present. A node the autoscaler just added is NotReady for its
 *   first seconds and a kubelet restart makes one NotReady briefly; leaving them out would let
 *   the template add a node beyond `max_nodes` and make the pool flap. A pod sent to a node that
 *   stays NotReady waits Pending and says so ("waiting for a machine"), so users are told.
 * @module
 */
import type { PoolConfig } from '../../config/schema.js';
import type { Footprint } from '../../pool/footprint.js';
import type { NodePoolConfig } from './node-pool-config.js';
import { cpuCores, memoryBytes, parseQuantity, quantityMillis, quantityUnits } from './quantity.js';

/** What the pool reads of a Node: structurally a subset of `@kubernetes/client-node`'s V1Node. */
export interface NodeLike {
  readonly metadata?: {
    readonly name?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly deletionTimestamp?: unknown;
  };
  readonly spec?: { readonly unschedulable?: boolean };
  readonly status?: { readonly allocatable?: Readonly<Record<string, string>> };
}

/** The pool read from the nodes, with what was counted. */
export interface NodePoolReading {
  /** The gateway's pool: `base` with the machine types of the nodes. */
  readonly pool: PoolConfig;
  /** Matching nodes that take workers. */
  readonly present: number;
  /** Matching nodes that are cordoned (no capacity, but within `max_nodes`). */
  readonly cordoned: number;
  /** Nodes the autoscaler may still add, shaped like the template. */
  readonly template: number;
  /** Things an admin should know, such as a profile no node can hold. */
  readonly warnings: readonly string[];
}

/** The config key of the node pool, for messages. */
const KEY = 'backend.node_pool';

/** A node's size: exact millicores and bytes (the grouping key) and the pool's units. */
interface NodeSize {
  readonly millis: bigint;
  readonly bytes: bigint;
}

/**
 * The selector as a Kubernetes label selector (`dedicated=worker,zone=a`), for `listNode`, so
 * only the pool's nodes are listed; undefined for an empty selector (every node).
 */
export function labelSelectorOf(selector: Readonly<Record<string, string>>): string | undefined {
  const pairs = Object.entries(selector).map(([k, v]) => `${k}=${v}`);
  return pairs.length === 0 ? undefined : pairs.join(',');
}

/** Whether a node carries every label of the selector. */
function matches(node: NodeLike, selector: Readonly<Record<string, string>>): boolean {
  const labels = node.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A node's allocatable CPU and memory, or null when it reports none (not registered yet). */
function sizeOf(node: NodeLike): NodeSize | null {
  const a = node.status?.allocatable;
  const name = node.metadata?.name ?? '?';
  if (a?.['cpu'] === undefined || a['memory'] === undefined) return null;
  return {
    millis: quantityMillis(parseQuantity(a['cpu'], `node ${name}: status.allocatable.cpu`)),
    bytes: quantityUnits(parseQuantity(a['memory'], `node ${name}: status.allocatable.memory`)),
  };
}

/** Memory as Kubernetes would print it: the largest binary suffix that divides it exactly. */
function memoryText(bytes: bigint): string {
  for (const [suffix, unit] of [
    ['Ti', 2n ** 40n],
    ['Gi', 2n ** 30n],
    ['Mi', 2n ** 20n],
    ['Ki', 2n ** 10n],
  ] as const) {
    if (bytes > 0n && bytes % unit === 0n) return `${String(bytes / unit)}${suffix}`;
  }
  return String(bytes);
}

/** CPU as Kubernetes would print it: whole cores, else millicores. */
function cpuText(millis: bigint): string {
  return millis % 1000n === 0n ? String(millis / 1000n) : `${String(millis)}m`;
}

/** The machine type name of a node size: `node-4cpu-16Gi`, `node-3920m-cpu-15842516Ki`. */
function typeName(s: NodeSize): string {
  const cpu = cpuText(s.millis);
  return `node-${cpu}${cpu.endsWith('m') ? '-' : ''}cpu-${memoryText(s.bytes)}`;
}

/** Largest first: more CPU, then more memory. */
function compareSizes(a: NodeSize, b: NodeSize): number {
  return a.millis === b.millis ? Number(b.bytes - a.bytes) : Number(b.millis - a.millis);
}

/** The template's size: configured, else the largest node present (null when none is). */
function templateSize(cfg: NodePoolConfig, sizes: readonly NodeSize[]): NodeSize | null {
  const t = cfg.node_template;
  if (t !== undefined) {
    return {
      millis: quantityMillis(parseQuantity(t.cpu, `${KEY}.node_template.cpu`)),
      bytes: quantityUnits(parseQuantity(t.memory, `${KEY}.node_template.memory`)),
    };
  }
  return [...sizes].sort(compareSizes)[0] ?? null;
}

/** Machine types from sizes with counts: present sizes largest first, then the template's. */
function machineTypes(present: readonly NodeSize[], template: NodeSize | null, added: number) {
  const groups = new Map<string, { size: NodeSize; count: number }>();
  for (const s of [...present].sort(compareSizes)) {
    const g = groups.get(typeName(s));
    if (g === undefined) groups.set(typeName(s), { size: s, count: 1 });
    else g.count += 1;
  }
  if (template !== null && added > 0) {
    const g = groups.get(typeName(template));
    if (g === undefined) groups.set(typeName(template), { size: template, count: added });
    else g.count += added;
  }
  return [...groups].map(([name, g]) => ({
    name,
    cores: Number(g.size.millis) / 1000,
    memory: Number(g.size.bytes),
    count: g.count,
  }));
}

/** Warnings for profiles whose workers no machine type can hold. */
function profileWarnings(
  types: PoolConfig['machine_types'],
  requests: ReadonlyMap<string, Footprint>
): string[] {
  const out: string[] = [];
  for (const [name, r] of requests) {
    const fits = types.some(
      (t) => r.cores <= t.cores + 1e-9 && r.memory <= (typeof t.memory === 'number' ? t.memory : 0)
    );
    if (!fits) {
      out.push(
        `profile ${JSON.stringify(name)} requests ${String(r.cores)} cores and ${String(r.memory)} bytes per worker, more than any node of the pool: its clusters get no workers`
      );
    }
  }
  return out;
}

/**
 * Reads the pool from the nodes (see the module comment for which nodes count).
 *
 * @param listNodes - lists the nodes (e.g. `CoreV1Api.listNode` with the selector's label
 *   selector, then `.items`); nodes not matching the selector are left out here too.
 * @param cfg - the backend's `node_pool:` key.
 * @param profilesRequests - each profile's requests, to warn about profiles no node can hold.
 * @param base - the gateway's `pool:` section, whose machine types are replaced.
 * @returns the pool and what was counted.
 * @throws Error naming `backend.node_pool` when the pool would have no node at all, or a
 *   QuantityError for a template that is not a quantity.
 */
export async function readNodePool(
  listNodes: () => Promise<readonly NodeLike[]>,
  cfg: NodePoolConfig,
  profilesRequests: ReadonlyMap<string, Footprint>,
  base: PoolConfig
): Promise<NodePoolReading> {
  const nodes = (await listNodes()).filter(
    (n) => matches(n, cfg.node_selector) && n.metadata?.deletionTimestamp == null
  );
  const cordoned = nodes.filter((n) => n.spec?.unschedulable === true).length;
  const sized = nodes.filter((n) => n.spec?.unschedulable !== true).map(sizeOf);
  const present = sized.filter((s): s is NodeSize => s !== null);
  const warnings: string[] = [];
  if (present.length < sized.length) {
    warnings.push(
      `${String(sized.length - present.length)} matching node(s) report no allocatable CPU or memory yet and are not counted`
    );
  }
  const maxNodes = cfg.max_nodes ?? nodes.length;
  if (nodes.length > maxNodes) {
    warnings.push(
      `${String(nodes.length)} nodes match ${KEY}.node_selector, more than ${KEY}.max_nodes ${String(maxNodes)}; all present nodes are counted`
    );
  }
  const added = Math.max(0, maxNodes - nodes.length);
  const template = added > 0 ? templateSize(cfg, present) : null;
  if (added > 0 && template === null) {
    throw new Error(
      `${KEY}: no node matching node_selector ${JSON.stringify(cfg.node_selector)} reports its size, so the ${String(added)} node(s) an autoscaler may add up to max_nodes have no shape; set ${KEY}.node_template`
    );
  }
  const types = machineTypes(present, template, added);
  if (types.length === 0) {
    throw new Error(
      `${KEY}: no node matches node_selector ${JSON.stringify(cfg.node_selector)}; for a node group that scales from zero set ${KEY}.max_nodes and ${KEY}.node_template`
    );
  }
  warnings.push(...profileWarnings(types, profilesRequests));
  return {
    pool: { ...base, machine_types: types },
    present: present.length,
    cordoned,
    template: template === null ? 0 : added,
    warnings,
  };
}

/** The profile fields the pool reads: the name and the Kubernetes requests, if any. */
export interface ProfileRequestsLike {
  readonly name: string;
  readonly kubernetes?: { readonly requests: { readonly cpu: unknown; readonly memory: unknown } };
}

/**
 * Each profile's pod requests as a footprint (cores, bytes), for the profiles that set
 * `kubernetes.requests`; pass it to `footprintByProfile` so workers are packed by their requests.
 * @throws QuantityError naming `profiles[i].kubernetes.requests.cpu|memory` for a bad quantity.
 */
export function profileRequests(profiles: readonly ProfileRequestsLike[]): Map<string, Footprint> {
  const out = new Map<string, Footprint>();
  profiles.forEach((p, i) => {
    const r = p.kubernetes?.requests;
    if (r === undefined) return;
    const key = `profiles[${String(i)}].kubernetes.requests`;
    out.set(p.name, {
      cores: cpuCores(r.cpu, `${key}.cpu`),
      memory: memoryBytes(r.memory, `${key}.memory`),
    });
  });
  return out;
}

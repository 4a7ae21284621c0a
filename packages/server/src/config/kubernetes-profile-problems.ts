/**
 * Checks of the profiles' `kubernetes` sections that the schema cannot express: requests that
 * are Kubernetes quantities, no larger than the limits (`worker_cores`, `worker_memory`), node
 * selector labels the API server accepts, and tolerations the API server would take. Each
 * message names the key path (`profiles[1].kubernetes.requests.cpu: …`).
 * @module
 */
import { parseMemory } from '../cluster-options/memory.js';
import { cpuCores, memoryBytes, QuantityError } from '../backends/kubernetes/quantity.js';
import type { ProfileConfig, TolerationConfig } from './schema.js';

/** A DNS-subdomain prefix and a name of up to 63 characters, as label keys are. */
const LABEL_KEY =
  /^(?:(?=.{1,253}\/)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Empty, or up to 63 characters starting and ending alphanumeric, as label values are. */
const LABEL_VALUE = /^(?:(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Problems with the labels of a node selector at `key`. */
export function nodeSelectorProblems(
  selector: Readonly<Record<string, string>>,
  key: string
): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(selector)) {
    if (!LABEL_KEY.test(k)) out.push(`${key}: ${JSON.stringify(k)} is not a valid label key`);
    if (!LABEL_VALUE.test(v)) {
      out.push(`${key}.${k}: ${JSON.stringify(v)} is not a valid label value`);
    }
  }
  return out;
}

/** Problems with one toleration at `key`, by the API server's rules. */
function tolerationProblems(t: TolerationConfig, key: string): string[] {
  const out: string[] = [];
  const exists = t.operator === 'Exists';
  if ((t.key ?? '') === '' && !exists) {
    out.push(
      `${key}.operator: must be Exists when the key is empty (it then tolerates every taint)`
    );
  }
  if (exists && (t.value ?? '') !== '') {
    out.push(`${key}.value: must be empty with operator Exists (got ${JSON.stringify(t.value)})`);
  }
  if (t.key !== undefined && t.key !== '' && !LABEL_KEY.test(t.key)) {
    out.push(`${key}.key: ${JSON.stringify(t.key)} is not a valid taint key`);
  }
  if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
    out.push(`${key}.tolerationSeconds: only applies with effect NoExecute`);
  }
  return out;
}

/** Problems with a request at `key` against the profile's limit. */
function requestProblems(
  read: () => number,
  limit: number,
  limitKey: string,
  key: string
): string[] {
  let request: number;
  try {
    request = read();
  } catch (e) {
    if (e instanceof QuantityError) return [e.message];
    throw e;
  }
  if (request <= 0) return [`${key}: must be more than 0`];
  if (request > limit) {
    return [
      `${key}: ${String(request)} is more than ${limitKey} ${String(limit)}; Kubernetes refuses requests above the limits`,
    ];
  }
  return [];
}

/** The memory limit in bytes; when it is no memory size (reported elsewhere), no limit. */
function limitOf(memory: ProfileConfig['worker_memory']): number {
  try {
    return parseMemory(memory);
  } catch {
    return Infinity;
  }
}

/** Problems with the `kubernetes` sections of the profiles. */
export function kubernetesProfileProblems(profiles: readonly ProfileConfig[]): string[] {
  return profiles.flatMap((p, i) => {
    const k = p.kubernetes;
    if (k === undefined) return [];
    const key = `profiles[${String(i)}].kubernetes`;
    const cpuKey = `${key}.requests.cpu`;
    const memKey = `${key}.requests.memory`;
    const memoryLimit = limitOf(p.worker_memory);
    return [
      ...requestProblems(
        () => cpuCores(k.requests.cpu, cpuKey),
        p.worker_cores,
        'worker_cores',
        cpuKey
      ),
      ...requestProblems(
        () => memoryBytes(k.requests.memory, memKey),
        memoryLimit,
        'worker_memory',
        memKey
      ),
      ...nodeSelectorProblems(k.node_selector ?? {}, `${key}.node_selector`),
      ...(k.tolerations ?? []).flatMap((t, j) =>
        tolerationProblems(t, `${key}.tolerations[${String(j)}]`)
      ),
    ];
  });
}

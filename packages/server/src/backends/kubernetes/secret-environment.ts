/**
 * A cluster's environment variables on Kubernetes: their values are stored in the cluster's
 * credentials Secret (one key per variable, `env.<n>`, since variable names need not be valid
 * Secret keys) and pods reference them with `secretKeyRef`, so neither a pod spec nor the
 * `DaskCluster` carries them (anyone allowed to `get pods` would read them there).
 * @module
 */
import type { ClusterRecord } from '../../clusters/model.js';

/** What an option value that is a variable's value reads in the `DaskCluster`. */
export const IN_SECRET = '(in the cluster Secret)';

/** Each variable of `c` with the Secret key holding its value, in a stable order. */
export function secretEnvironment(c: ClusterRecord): [name: string, key: string][] {
  return Object.keys(c.config.environment)
    .sort()
    .map((name, i) => [name, `env.${String(i)}`]);
}

/** `v` with every string in `hidden` (at any depth) replaced by {@link IN_SECRET}. */
function hide(v: unknown, hidden: ReadonlySet<string>): unknown {
  if (typeof v === 'string') return hidden.has(v) ? IN_SECRET : v;
  if (Array.isArray(v)) return v.map((x) => hide(x, hidden));
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hide(x, hidden)]));
  }
  return v;
}

/** `options` with the values of the cluster's variables replaced (see {@link hide}). */
export function withoutValues(
  options: Readonly<Record<string, unknown>>,
  hidden: ReadonlySet<string>
): Record<string, unknown> {
  return hide(options, hidden) as Record<string, unknown>;
}

/**
 * Checks of environments, profiles and option names that the config schema cannot express.
 * @module
 */
import { kubernetesProfileProblems } from './kubernetes-profile-problems.js';
import type { GatewayConfigInput } from './schema.js';

/** Names that repeat in a list. */
function repeated(names: readonly string[]): string[] {
  return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
}

/** Problems with environments, profiles and option names that the schema cannot express. */
export function choiceProblems(c: GatewayConfigInput): string[] {
  const out: string[] = [];
  for (const n of repeated(c.environments.list.map((e) => e.name))) {
    out.push(`environments.list: the name ${JSON.stringify(n)} is used twice`);
  }
  for (const n of repeated(c.profiles.map((p) => p.name))) {
    out.push(`profiles: the name ${JSON.stringify(n)} is used twice`);
  }
  if (c.profiles.filter((p) => p.default).length > 1) {
    out.push('profiles: more than one profile is marked default');
  }
  out.push(...kubernetesProfileProblems(c.profiles));
  const d = c.environments.default;
  if (
    d !== null &&
    !c.environments.list.some((e) => e.name === d) &&
    c.environments.discover === null
  ) {
    out.push(`environments.default: ${JSON.stringify(d)} names no listed environment`);
  }
  const builtIn = new Set<string>();
  if (c.environments.list.length > 0 || c.environments.discover !== null) {
    builtIn.add('conda_environment');
  }
  if (c.profiles.length > 0) builtIn.add('profile');
  if (c.environment_variables.enabled) builtIn.add('environment_vars');
  for (const f of c.options) {
    if (builtIn.has(f.field)) {
      out.push(
        `options: the field name ${JSON.stringify(f.field)} is taken by the built-in option configured above`
      );
    }
  }
  return out;
}

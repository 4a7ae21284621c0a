/**
 * The options a user sees, built per user from the config: the Python environment
 * (`conda_environment`, "Environment"), the worker size (`profile`, "Cluster Profile") and
 * environment variables (`environment_vars`, "Environment Variables"), the names Nebari users
 * know, followed by any general fields the admin declared. Choices limited to groups the user is
 * not in are left out; a select left with no choice is omitted (the client rejects an empty one);
 * each default is computed among the choices the user can see.
 * @module
 */
import type { User } from '../auth/authenticator.js';
import type { EnvironmentVariablesConfig, ProfileConfig } from '../config/schema.js';
import { invalidOption } from '../errors.js';
import { nameField } from './cluster-name.js';
import type { EnvironmentCatalog } from './environments.js';
import type { OptionField, SelectField } from './fields.js';
import { isRecord } from './guards.js';
import { pyRepr } from './python-repr.js';

/** Field names of the SMCE options. */
export const ENVIRONMENT_FIELD = 'conda_environment';
export const PROFILE_FIELD = 'profile';
export const ENV_VARS_FIELD = 'environment_vars';

/**
 * Names the gateway sets itself; users may not. Case-insensitive: dask lower-cases what follows
 * `DASK_`, so `DASK_distributed__comm__...` would reach the same setting.
 */
const GATEWAY_OWNED = [/^DASK_GATEWAY_/i, /^DASK_DISTRIBUTED__COMM__/i];

const visible = (groups: readonly string[], user: User & { admin: boolean }) =>
  user.admin || groups.length === 0 || groups.some((g) => user.groups.includes(g));

function withDefault(field: Omit<SelectField, 'default'>, preferred: string | null): SelectField {
  const keys = field.options.map((o) => o.key);
  const key = preferred !== null && keys.includes(preferred) ? preferred : keys[0];
  return key === undefined ? field : { ...field, default: key };
}

function profileValue(p: ProfileConfig): Record<string, unknown> {
  const v: Record<string, unknown> = {
    worker_cores: p.worker_cores,
    worker_threads: p.worker_threads ?? null,
    worker_memory: p.worker_memory,
  };
  if (p.scheduler_cores !== undefined) v['scheduler_cores'] = p.scheduler_cores;
  if (p.scheduler_memory !== undefined) v['scheduler_memory'] = p.scheduler_memory;
  if (p.idle_timeout !== undefined) v['idle_timeout'] = p.idle_timeout;
  if (p.max_lifetime !== undefined) v['max_lifetime'] = p.max_lifetime;
  return v;
}

/** What the user options are built from. */
export interface UserOptionsConfig {
  readonly catalog: EnvironmentCatalog | null;
  readonly defaultEnvironment: string | null;
  readonly profiles: readonly ProfileConfig[];
  readonly environmentVariables: EnvironmentVariablesConfig;
  /** The admin's general fields, after the SMCE ones. */
  readonly general: readonly OptionField[];
  /** The label of the `cluster_name` field, offered first; null or absent: names are off. */
  readonly nameLabel?: string | null;
}

/** The fields `user` sees, in order. */
export function fieldsFor(cfg: UserOptionsConfig, user: User & { admin: boolean }): OptionField[] {
  const out: OptionField[] = [];
  if (cfg.nameLabel !== undefined && cfg.nameLabel !== null) out.push(nameField(cfg.nameLabel));
  if (cfg.catalog !== null) {
    const envs = cfg.catalog.usableFor(user.groups, user.admin);
    if (envs.length > 0) {
      out.push(
        withDefault(
          {
            type: 'select',
            field: ENVIRONMENT_FIELD,
            label: 'Environment',
            target: 'python_env',
            options: envs.map((e) => ({ key: e.name, value: e.prefix })),
          },
          cfg.defaultEnvironment
        )
      );
    }
  }
  const profiles = cfg.profiles.filter((p) => visible(p.groups, user));
  if (profiles.length > 0) {
    const marked = profiles.find((p) => p.default)?.name ?? null;
    out.push(
      withDefault(
        {
          type: 'select',
          field: PROFILE_FIELD,
          label: 'Cluster Profile',
          apply: 'merge',
          options: profiles.map((p) => ({ key: p.name, value: profileValue(p) })),
        },
        marked
      )
    );
  }
  if (cfg.environmentVariables.enabled) {
    out.push({
      type: 'mapping',
      field: ENV_VARS_FIELD,
      label: 'Environment Variables',
      target: 'user_environment',
    });
  }
  return [...out, ...cfg.general];
}

/**
 * Checks the user's environment variables (names are shell identifiers, values strings within
 * the size limit, none the gateway or the admin reserves) and returns the cluster environment:
 * the user's variables overlaid by the admin's.
 * @throws GatewayError `invalid_option` (422) naming the field and the offending variables.
 */
export function environmentFrom(
  value: unknown,
  rules: EnvironmentVariablesConfig
): Record<string, string> {
  if (value === undefined || value === null) return { ...rules.admin };
  if (!isRecord(value))
    throw invalidOption(
      `${ENV_VARS_FIELD} must be a mapping, got ${pyRepr(value)}`,
      ENV_VARS_FIELD
    );
  const entries = Object.entries(value);
  if (entries.length > rules.max_count) {
    throw invalidOption(
      `${ENV_VARS_FIELD} may hold at most ${String(rules.max_count)} variables, got ${String(entries.length)}`,
      ENV_VARS_FIELD
    );
  }
  const badNames = entries.map(([k]) => k).filter((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
  if (badNames.length > 0) {
    throw invalidOption(
      `${ENV_VARS_FIELD}: ${badNames.map((n) => pyRepr(n)).join(', ')} ${badNames.length === 1 ? 'is not a valid variable name' : 'are not valid variable names'} (letters, digits and _, not starting with a digit)`,
      ENV_VARS_FIELD
    );
  }
  const reserved = entries
    .map(([k]) => k)
    .filter((k) => GATEWAY_OWNED.some((re) => re.test(k)) || rules.reserved.includes(k));
  if (reserved.length > 0) {
    throw invalidOption(
      `${ENV_VARS_FIELD}: ${reserved.join(', ')} ${reserved.length === 1 ? 'is' : 'are'} set by the gateway and cannot be set by users`,
      ENV_VARS_FIELD
    );
  }
  for (const [k, v] of entries) {
    if (typeof v !== 'string')
      throw invalidOption(
        `${ENV_VARS_FIELD}: the value of ${k} must be a string, got ${pyRepr(v)}`,
        ENV_VARS_FIELD
      );
    if (v.length > rules.max_value_length) {
      throw invalidOption(
        `${ENV_VARS_FIELD}: the value of ${k} is longer than ${String(rules.max_value_length)} characters`,
        ENV_VARS_FIELD
      );
    }
  }
  return { ...(Object.fromEntries(entries) as Record<string, string>), ...rules.admin };
}

/**
 * Loads the configuration: YAML file → defaults → validation → resolved paths → frozen object.
 *
 * This is the only module that reads environment variables; everything else receives the
 * frozen `GatewayConfig` it returns. Each section is resolved by its own module (`resolve-*`).
 * @module
 */
import path from 'node:path';
import Value from 'typebox/value';
import { gatewayConfigSchema, type GatewayConfigInput } from './schema.js';
import { schemaErrors } from './schema-errors.js';
import { checkFieldDefinitions } from '../cluster-options/field-definitions.js';
import { nameFieldProblems } from '../cluster-options/cluster-name.js';
import { sharedPasswordAdminProblems } from './admin-password.js';
import { ConfigError } from './config-error.js';
import { choiceProblems } from './choice-problems.js';
import type { GatewayConfig } from './gateway-config.js';
import { parseListen } from './listen-address.js';
import { readSource, type LoadOptions } from './read-source.js';
import { resolveAuth } from './resolve-auth.js';
import { resolveBackend, resolveTiming } from './resolve-backend.js';
import { resolveProxy } from './resolve-proxy.js';
import { redactUrl, resolveSealing, resolveStore, storeTypeDefaulted } from './resolve-store.js';
import { builtinBackends, type BackendRegistry } from '../backends/registry.js';

export { ConfigError } from './config-error.js';
export type { GatewayConfig, ResolvedLogs } from './gateway-config.js';
export { parseListen, type ListenAddress } from './listen-address.js';
export { EMBEDDED_DEFAULTS, type LoadOptions } from './read-source.js';
export type { ResolvedJupyterHubAuth } from './resolve-auth.js';
export type { ResolvedTiming } from './resolve-backend.js';
export type { ResolvedProxy } from './resolve-proxy.js';
export type { ResolvedPostgresStore, ResolvedStore } from './resolve-store.js';
export { redactUrl } from './resolve-store.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * A copy of `raw` whose `backend` and `store` mappings name their type: `local` when the backend
 * names none, as every other key defaults (a union's default cannot reach inside a mapping the
 * user gave); the store's from its url (see resolve-store.ts).
 */
function backendTypeDefaulted(raw: object, defaultType: string): unknown {
  const copy = storeTypeDefaulted(structuredClone(raw) as Record<string, unknown>);
  const backend = copy['backend'];
  if (typeof backend === 'object' && backend !== null && !Array.isArray(backend)) {
    const b = backend as Record<string, unknown>;
    if (!('type' in b)) copy['backend'] = { type: defaultType, ...b };
  }
  return copy;
}

/** The file's settings with defaults filled, or a ConfigError naming every offending key. */
function validate(raw: unknown, source: string, backends: BackendRegistry): GatewayConfigInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(source, ['the config must be a mapping of keys to values']);
  }
  const schema = gatewayConfigSchema(backends);
  const withDefaults: unknown = Value.Default(
    schema,
    backendTypeDefaulted(raw, backends.defaultType)
  );
  const problems = schemaErrors(schema, withDefaults);
  if (problems.length > 0 || !Value.Check(schema, withDefaults)) {
    throw new ConfigError(source, problems.length > 0 ? problems : ['does not match the schema']);
  }
  const c = withDefaults;
  const optionProblems = [
    ...checkFieldDefinitions(c.options).map((p) => `options: ${p}`),
    ...choiceProblems(c),
    ...sharedPasswordAdminProblems(c),
    ...nameFieldProblems(c.cluster_names.enabled, c.options),
  ];
  if (optionProblems.length > 0) throw new ConfigError(source, optionProblems);
  return c;
}

/** Where the settings came from and what resolves their relative paths and missing values. */
interface ResolveContext {
  readonly source: string;
  readonly base: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly opts: LoadOptions;
  readonly backends: BackendRegistry;
}

/** The validated settings with paths made absolute and every section resolved. */
function resolve(c: GatewayConfigInput, ctx: ResolveContext): GatewayConfig {
  const { source, base, env, opts } = ctx;
  const listen =
    opts.listen === undefined
      ? parseListen(c.listen, 'listen', source)
      : parseListen(opts.listen, '--listen', '--listen');
  const dataDir = path.resolve(base, c.data_dir);
  const store = resolveStore(c.store, dataDir, base, source);
  const storePath = store.type === 'sqlite' ? store.path : redactUrl(store.url);
  const sealing = resolveSealing(c.store, env, base, source);
  const b = resolveBackend(ctx.backends, c.backend, {
    base,
    dataDir,
    defaultPythonEnv: env['GATEHOUSE_PYTHON_ENV'] ?? opts.defaultPythonEnv,
  });
  return {
    source,
    listen,
    publicUrl: c.public_url,
    apiUrl: c.api_url,
    prefix: c.prefix,
    dataDir,
    stopClustersOnShutdown: c.stop_clusters_on_shutdown ?? storePath === ':memory:',
    log: c.log,
    store,
    storePath,
    logs: {
      maxBytes: c.logs.max_bytes,
      keep: c.logs.keep,
      rotatePeriod: c.logs.rotate_period,
      retention: c.logs.retention ?? b.cluster_max_age,
    },
    encryptionKeys: sealing.encryptionKeys,
    encryptionKeyFile: sealing.encryptionKeyFile,
    auth: resolveAuth(c.auth, env, source),
    backend: b,
    timing: resolveTiming(b),
    cluster: c.cluster,
    environments: {
      ...c.environments,
      list: c.environments.list.map((e) => ({ ...e, prefix: path.resolve(base, e.prefix) })),
      discover:
        c.environments.discover === null ? null : path.resolve(base, c.environments.discover),
    },
    profiles: c.profiles,
    environmentVariables: c.environment_variables,
    access: c.access,
    quotas: c.quotas,
    pool: c.pool,
    budgets: c.budgets,
    proxy: resolveProxy(
      c.proxy,
      store.type === 'postgres' ? store.leaseSeconds : 15,
      env,
      base,
      source
    ),
    options: c.options,
    clusterNames: c.cluster_names,
    limits: c.limits,
    metrics: c.metrics,
    testing: c.testing,
  };
}

/**
 * Loads, validates and freezes the configuration.
 * @throws ConfigError naming every offending key.
 */
export function loadConfig(opts: LoadOptions): GatewayConfig {
  const { raw, source, base } = readSource(opts);
  const backends = opts.backends ?? builtinBackends();
  const c = validate(raw, source, backends);
  const config = resolve(c, { source, base, env: opts.env ?? {}, opts, backends });
  if (config.storePath === ':memory:' && !config.stopClustersOnShutdown) {
    throw new ConfigError(source, [
      'stop_clusters_on_shutdown: must be true with an in-memory store (nothing could re-adopt the clusters)',
    ]);
  }
  return deepFreeze(config);
}

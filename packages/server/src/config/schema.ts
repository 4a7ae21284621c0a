/**
 * The configuration file schema.
 *
 * One TypeBox schema describes every key of the YAML config file, with its default and a
 * description; it validates the file, fills defaults and is published as JSON Schema in `docs/`.
 * Key names follow upstream dask-gateway (snake_case) so operators can carry settings over.
 * Each section is defined in its own module under `sections/`; this one assembles them.
 * @module
 */
import { Type, type Static, type TObject } from 'typebox';
import { AccessConfig, QuotasConfig } from './sections/access.js';
import { AuthSection } from './sections/auth.js';
import { BudgetsConfig } from './sections/budgets.js';
import {
  EnvironmentsConfig,
  EnvironmentVariablesConfig,
  ProfileConfig,
} from './sections/choices.js';
import { ClusterDefaults } from './sections/cluster.js';
import { LimitsConfig } from './sections/limits.js';
import { MetricsConfig } from './sections/metrics.js';
import { ClusterNamesConfig } from './sections/names.js';
import { OptionFieldConfig } from './sections/options.js';
import { PoolConfig } from './sections/pool.js';
import { ProxyConfig } from './sections/proxy.js';
import { LogConfig, LogsConfig, ServerKeys, StoreConfig } from './sections/server.js';
import { TestingConfig } from './sections/testing.js';

export { AccessConfig, QuotaConfig, QuotasConfig } from './sections/access.js';
export { BudgetsConfig } from './sections/budgets.js';
export { AuthSection, BasicAuthConfig, JupyterHubAuthConfig } from './sections/auth.js';
export { SlurmJobConfig } from './sections/slurm-job.js';
export {
  KubernetesProfileConfig,
  QuantityValue,
  TolerationConfig,
} from './sections/kubernetes-profile.js';
export {
  EnvironmentConfig,
  EnvironmentsConfig,
  EnvironmentVariablesConfig,
  ProfileConfig,
} from './sections/choices.js';
export { ClusterDefaults } from './sections/cluster.js';
export { LimitsConfig } from './sections/limits.js';
export { MetricsConfig } from './sections/metrics.js';
export { OptionFieldConfig } from './sections/options.js';
export { MachineTypeConfig, PoolConfig } from './sections/pool.js';
export { ProxyConfig } from './sections/proxy.js';
export { TestingConfig } from './sections/testing.js';

/** The configuration file without its `backend:` section (which each backend module owns). */
const GatewayConfigBase = Type.Object(
  {
    ...ServerKeys,
    log: LogConfig,
    logs: LogsConfig,
    store: StoreConfig,
    auth: AuthSection,
    cluster: ClusterDefaults,
    environments: EnvironmentsConfig,
    profiles: Type.Array(ProfileConfig, {
      default: [],
      description:
        'Worker sizes offered as the profile option; the one marked default (else the first) is the default.',
    }),
    environment_variables: EnvironmentVariablesConfig,
    access: AccessConfig,
    quotas: QuotasConfig,
    pool: PoolConfig,
    budgets: BudgetsConfig,
    testing: TestingConfig,
    proxy: ProxyConfig,
    options: Type.Array(OptionFieldConfig, {
      default: [],
      description: 'Cluster options users can set (spec §4); empty exposes none.',
    }),
    cluster_names: ClusterNamesConfig,
    limits: LimitsConfig,
    metrics: MetricsConfig,
  },
  { additionalProperties: false }
);

/** The backend types a configuration may name: each one's section schema, and the default. */
export interface BackendSchemas {
  /** One schema per backend type, each with a `type` literal. */
  readonly schemas: readonly TObject[];
  /** The type of a `backend:` section that names none. */
  readonly defaultType: string;
}

/** The whole configuration file, its `backend:` section one of `backends`. */
export function gatewayConfigSchema(backends: BackendSchemas) {
  const backend = Type.Union([...backends.schemas], { default: { type: backends.defaultType } });
  // The key order the file documents: `backend` right after `auth`.
  const properties = Object.fromEntries(
    Object.entries(GatewayConfigBase.properties).flatMap(([k, v]) =>
      k === 'auth'
        ? [
            [k, v],
            ['backend', backend],
          ]
        : [[k, v]]
    )
  ) as typeof GatewayConfigBase.properties & { backend: typeof backend };
  return Type.Object(properties, { additionalProperties: false });
}

/** The configuration after defaults are filled, before paths are resolved. */
export type GatewayConfigInput = Static<ReturnType<typeof gatewayConfigSchema>>;

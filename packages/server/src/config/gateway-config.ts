/**
 * The validated, resolved and frozen configuration every module receives.
 * @module
 */
import type { BasicAuthConfig, GatewayConfigInput, OptionFieldConfig } from './schema.js';
import type { ListenAddress } from './listen-address.js';
import type { ResolvedJupyterHubAuth } from './resolve-auth.js';
import type { ResolvedTiming } from './resolved-timing.js';
import type { ResolvedBackendConfig } from '../backends/backend-config.js';
import type { ResolvedProxy } from './resolve-proxy.js';
import type { ResolvedStore } from './resolve-store.js';

/** Rotation and retention of scheduler and worker logs (seconds, bytes). */
export interface ResolvedLogs {
  readonly maxBytes: number;
  readonly keep: number;
  readonly rotatePeriod: number;
  /** Seconds a finished cluster's logs are kept. */
  readonly retention: number;
}

/** The validated, resolved and frozen gateway configuration. */
export interface GatewayConfig {
  /** Where the configuration came from (a file path or "defaults"). */
  readonly source: string;
  readonly listen: ListenAddress;
  readonly publicUrl: string | null;
  readonly apiUrl: string | null;
  readonly prefix: string;
  readonly dataDir: string;
  readonly stopClustersOnShutdown: boolean;
  readonly log: GatewayConfigInput['log'];
  /** The database: an SQLite file (or ':memory:') or PostgreSQL. */
  readonly store: ResolvedStore;
  /** SQLite database file path, or ':memory:'; with PostgreSQL its URL without the password. */
  readonly storePath: string;
  /** Rotation and retention of scheduler and worker logs. */
  readonly logs: ResolvedLogs;
  /** Base64 keys from the config; empty means the key file (configured, or beside SQLite). */
  readonly encryptionKeys: readonly string[];
  /** A configured file of base64 sealing keys, one a line. */
  readonly encryptionKeyFile: string | null;
  readonly auth: BasicAuthConfig | ResolvedJupyterHubAuth;
  /** The resolved `backend:` section, as its module made it (see backends/registry.ts). */
  readonly backend: ResolvedBackendConfig;
  readonly timing: ResolvedTiming;
  readonly cluster: GatewayConfigInput['cluster'];
  readonly environments: GatewayConfigInput['environments'];
  readonly profiles: GatewayConfigInput['profiles'];
  readonly environmentVariables: GatewayConfigInput['environment_variables'];
  readonly access: GatewayConfigInput['access'];
  readonly quotas: GatewayConfigInput['quotas'];
  readonly pool: GatewayConfigInput['pool'];
  /** Core-hour budgets per period (issue 21). */
  readonly budgets: GatewayConfigInput['budgets'];
  readonly proxy: ResolvedProxy;
  readonly options: readonly OptionFieldConfig[];
  /** Named clusters (issue 22). */
  readonly clusterNames: GatewayConfigInput['cluster_names'];
  readonly limits: GatewayConfigInput['limits'];
  readonly metrics: GatewayConfigInput['metrics'];
  /** Test-only settings (fault points). */
  readonly testing: GatewayConfigInput['testing'];
}

/**
 * How a backend plugs into the gateway: a `BackendModule` names its `type`, owns the schema of
 * its `backend:` config section, resolves that section (paths made absolute), optionally reads
 * the worker pool from its resource manager, and builds the `Backend`. The gateway knows
 * backends only through a registry of these modules (see `registry.ts`), so neither the config
 * loader nor the wiring carries a branch per backend type.
 * @module
 */
import type { Logger } from 'pino';
import type { Static, TObject } from 'typebox';
import Value from 'typebox/value';
import type { Clock } from '../clock.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { PoolConfig } from '../config/schema.js';
import type { WorkerFootprint } from '../pool/footprint.js';
import type { BackendConfigPaths, ResolvedBackendConfig } from './backend-config.js';
import type { Backend, BackendNotify } from './backend.js';
import type { UNPRIVILEGED } from './local/environment-access.js';
import type { ClusterFirewall } from './local/isolation.js';
import type { IsolationPlan } from './local/isolation-plan.js';
import type { NetworkIsolation } from './local/network-isolation.js';

export type { BackendConfigPaths, ResolvedBackendConfig } from './backend-config.js';

/** What a backend is built with besides its own section. */
export interface BackendContext {
  /** The whole gateway configuration (profiles, logs, pool, source). */
  readonly gateway: GatewayConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly instanceId: string;
  /** The process environment passed on to schedulers and workers. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A firewall given by the embedder, used when the backend chooses none itself. */
  readonly firewall?: ClusterFirewall;
  /** Tells the reconciler that something of a cluster changed (it then observes it). */
  readonly notify: BackendNotify;
}

/** The built backend with what was decided along the way. */
export interface BackendChoice {
  readonly backend: Backend;
  /** The worker pool (read from the resource manager, or the configured one). */
  readonly pool: PoolConfig;
  /**
   * The room one worker takes in the pool, when the resource manager packs by something other
   * than the config's worker cores and memory (Kubernetes: the profile's pod requests).
   */
  readonly footprint?: WorkerFootprint;
  /**
   * Registers the one listener of later re-reads of the pool (nodes come and go); the backend
   * calls it with each changed pool until it is closed.
   */
  readonly onPoolChange?: (listener: (pool: PoolConfig) => void) => void;
  readonly network: NetworkIsolation;
  /** The local backend's isolation plan; null for others. */
  readonly isolation: IsolationPlan | null;
  /** What an unprivileged uid can read, when clusters run under their own uids; else null. */
  readonly environmentAccess: typeof UNPRIVILEGED | null;
}

/** One backend type, typed by its config schema `S` and its resolved section `R`. */
export interface BackendModule<S extends TObject, R extends ResolvedBackendConfig> {
  /** The `backend.type` value that selects it. */
  readonly type: string;
  /** Schema of its `backend:` section (its `type` a literal of `type`). */
  readonly configSchema: S;
  /** The validated section with paths made absolute. */
  resolveConfig(raw: Static<S>, paths: BackendConfigPaths): R;
  /** Reads the worker pool from the resource manager (optional; else the configured pool). */
  discoverPool?(config: R, ctx: BackendContext): Promise<GatewayConfig['pool']>;
  /** Builds the backend. */
  create(config: R, pool: GatewayConfig['pool'], ctx: BackendContext): Promise<BackendChoice>;
}

/** A registered module with its types erased, as the loader and the wiring hold it. */
export interface RegisteredBackend {
  readonly type: string;
  readonly configSchema: TObject;
  /** Validates `raw` against the module's schema and resolves it. */
  resolveConfig(raw: unknown, paths: BackendConfigPaths): ResolvedBackendConfig;
  /** Builds the backend from a section this module resolved. */
  create(config: ResolvedBackendConfig, ctx: BackendContext): Promise<BackendChoice>;
}

/**
 * Erases a module's types for the registry. The resolved section it is later given back is one
 * its own `resolveConfig` made (checked by type name), so the narrowing below is sound.
 */
export function defineBackend<S extends TObject, R extends ResolvedBackendConfig>(
  m: BackendModule<S, R>
): RegisteredBackend {
  const own = (config: ResolvedBackendConfig): R => {
    if (config.type !== m.type) {
      throw new Error(`the ${m.type} backend was given a ${config.type} section`);
    }
    return config as R;
  };
  return {
    type: m.type,
    configSchema: m.configSchema,
    resolveConfig(raw, paths) {
      if (!Value.Check(m.configSchema, raw)) {
        throw new Error(`the backend section does not match the ${m.type} schema`);
      }
      return m.resolveConfig(raw, paths);
    },
    async create(config, ctx) {
      const mine = own(config);
      const pool = (await m.discoverPool?.(mine, ctx)) ?? ctx.gateway.pool;
      return m.create(mine, pool, ctx);
    },
  };
}

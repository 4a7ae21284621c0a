/**
 * What the API routes are given by the composition root.
 * @module
 */
import type { ReplicaRole } from '../ha/role-header.js';
import type { ClusterShares } from '../shares/cluster-shares.js';
import type { SharedUseLog } from '../shares/shared-use.js';
import type { OptionEntry } from '@gatehouse/api';
import type { User } from '../auth/authenticator.js';
import type { ClusterManager } from '../clusters/manager.js';
import type { HeartbeatParser } from '../clusters/heartbeat-parser.js';
import type { ClusterConfig } from '../cluster-options/cluster-config.js';
import type { AccessControl } from '../access/access-control.js';
import type { Clock } from '../clock.js';
import type { EnvironmentCatalog } from '../cluster-options/environments.js';
import type { ClusterPolicy } from '../pool/cluster-policy.js';
import type { Budgets } from '../budget/budgets.js';
import type { AccessStore } from '../store/access-store.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { EventRecorder } from '../events/event-recorder.js';
import type { UserAuth } from './auth-hook.js';

/** Turns user options into a cluster configuration. */
export interface ClusterOptionsService {
  /** The options spec the user sees. */
  spec(user: User): OptionEntry[];
  /** Validates submitted options; throws GatewayError `invalid` naming the field. */
  resolve(
    user: User,
    submitted: unknown
  ): { options: Record<string, unknown>; config: ClusterConfig };
  /**
   * The cluster configuration each profile the user may pick would give (one entry named null
   * when no profiles are offered: the defaults).
   */
  profiles(user: User): { name: string | null; config: ClusterConfig }[];
}

/** Dependencies of the API routes. */
export interface ApiContext {
  readonly manager: ClusterManager;
  readonly userAuth: UserAuth;
  readonly clusterOptions: ClusterOptionsService;
  readonly version: string;
  readonly access: AccessControl;
  readonly accessStore: AccessStore;
  /** Clusters shared with other users and groups; absent: nothing is shared. */
  readonly shares?: ClusterShares;
  /** Audits (and records as events) each use of a cluster through a share; absent: audit only. */
  readonly sharedUse?: SharedUseLog;
  readonly policy: ClusterPolicy;
  /** Core-hour budgets; absent: none are enforced. */
  readonly budgets?: Budgets;
  readonly clock: Clock;
  /** The Python environments users may choose, or null when none are configured. */
  readonly environments: EnvironmentCatalog | null;
  /** This gateway's metrics. */
  readonly metrics: GatewayMetrics;
  /** The bearer token that may read `/api/metrics`, or null (admins only). */
  readonly metricsToken: string | null;
  /** Parses heartbeat bodies, off the event loop when they are large. */
  readonly heartbeatParser: HeartbeatParser;
  /** Body size caps in bytes: every route, and scheduler heartbeats (a ceiling above each cluster's own cap). */
  readonly bodyLimits: { readonly default: number; readonly heartbeat: number };
  /** Records and replays cluster events. */
  readonly events: EventRecorder;
  /** Milliseconds between SSE keep-alive comments (15 s). */
  /** This replica's role, sent on every response (X-Gatehouse-Role); absent: not sent. */
  readonly role?: () => ReplicaRole;
  readonly sseKeepAliveMs: number;
  /** Records an admin action or a refusal in the audit log. */
  readonly audit: (
    actor: string,
    action: string,
    target: string,
    outcome: 'ok' | 'refused',
    detail?: string
  ) => void;
}

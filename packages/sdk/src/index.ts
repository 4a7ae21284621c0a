/**
 * `@gatehouse/sdk`: a TypeScript client for Gatehouse, for Node (>= 20) and browsers. It uses
 * the global `fetch` (or one you pass) and imports nothing but the wire contract
 * `@gatehouse/api`.
 *
 * ```ts
 * const gw = new Gateway({ address: 'http://127.0.0.1:8000', auth: basicAuth('alice') });
 * const name = await gw.newCluster();
 * await gw.waitForRunning(name, { onEvent: (e) => console.log(e.message) });
 * await gw.scale(name, 2);
 * await gw.waitForWorkers(name, 2);
 * await gw.stopCluster(name);
 * ```
 * @module
 */
export { AdminApi, type QuotaUpdate } from './admin.js';
export {
  authorizationHeader,
  basicAuth,
  jupyterHubAuth,
  tokenAuth,
  type Auth,
  type BasicAuth,
  type JupyterHubAuth,
  type TokenAuth,
} from './auth.js';
export { browserSessionHeaders, csrfToken } from './browser.js';
export { ClusterOptions } from './cluster-options.js';
export { clusterListQuery, type ClusterPage } from './cluster-list.js';
export {
  ClusterFailedError,
  ClusterNotRunningError,
  ForbiddenError,
  GatehouseError,
  InvalidOptionsError,
  InvalidRequestError,
  NotFoundError,
  NotGrantedError,
  QuotaExceededError,
  ServerError,
  UnauthenticatedError,
  UnreachableError,
  errorFromResponse,
} from './errors.js';
export { EventsUnavailable, type StreamOptions } from './event-stream.js';
export { Gateway, type AdaptOptions, type GatewayOptions } from './gateway.js';
export { SharesApi, type ShareKind } from './shares.js';
export { SseParser, readSse, type SseMessage } from './sse.js';
export { Transport, type FetchLike, type Query, type RequestSpec } from './transport.js';
export type { WaitOptions } from './waiting.js';
export {
  ACCESS_REQUEST_STATUSES,
  CLUSTER_STATUSES,
  ERROR_CODES,
  CLUSTER_SORT_KEYS,
  EVENT_TYPES,
  STOP_REASONS,
  formatBytes,
  formatCoreHours,
  formatCores,
  formatCount,
  formatDuration,
  formatRelative,
} from '@gatehouse/api';
export type {
  AccessRequestStatus,
  AdminCluster,
  AdminUser,
  AuditJson,
  BrowserSession,
  BudgetJson,
  ClusterDetail,
  ClusterEvent,
  ClusterJson,
  ClusterListParams,
  ClusterShareJson,
  ClusterSortKey,
  ClusterStatus,
  GroupQuotaJson,
  EnvironmentJson,
  IssuedToken,
  LogsJson,
  MeJson,
  OptionEntry,
  PoolJson,
  QuotaAndUsage,
  QuotaJson,
  RequestJson,
  ScaleResult,
  SharedCluster,
  ShareLevelJson,
  TokenJson,
  UsageDay,
  UsageNow,
  WorkerPoint,
} from '@gatehouse/api';

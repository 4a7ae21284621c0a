/**
 * `@gatehouse/server`: the gateway, for the CLI and for embedding in tests.
 * @module
 */
export { startGateway, type Gateway, type GatewayDeps } from './gateway.js';
export { loadConfig, ConfigError, type GatewayConfig, type LoadOptions } from './config/load.js';
export { adminPasswordWarnings } from './config/admin-password.js';
export { gatewayConfigSchema } from './config/schema.js';
export { builtinBackends, type BackendRegistry } from './backends/registry.js';
export { createLogger } from './observability/logger.js';
export { GATEWAY_VERSION } from './version.js';
export { hashPassword } from './auth/password-hash.js';
export { startProxy, type ProxyProcess, type ProxyDeps } from './proxy-process.js';
export { renderOpenApiDocument } from './openapi-document.js';
export { FAULT_POINTS, FAULT_POINT_NAMES, type FaultPoint } from './faults/fault-points.js';
export { checkStore, migrateStore, NoDatabaseError, type StoreCheck } from './store/store-admin.js';
export {
  copyStore,
  targetFromUrl,
  TargetNotEmptyError,
  type CopyResult,
} from './store/store-copy.js';
export { redactUrl } from './config/resolve-store.js';

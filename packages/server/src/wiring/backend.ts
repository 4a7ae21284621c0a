/**
 * The backend a configuration names, built by its registered module (see
 * `backends/registry.ts`): no branch per backend type here.
 * @module
 */
import type { BackendChoice, BackendContext } from '../backends/backend-module.js';
import type { BackendRegistry } from '../backends/registry.js';

export type { BackendChoice } from '../backends/backend-module.js';

/** What the backend is built with besides the configuration (the gateway's in `ctx.gateway`). */
export type BackendParts = BackendContext;

/** Builds the backend `parts.gateway.backend` names, with the module `backends` lists for it. */
export function chooseBackend(
  backends: BackendRegistry,
  parts: BackendParts
): Promise<BackendChoice> {
  const section = parts.gateway.backend;
  return backends.get(section.type).create(section, parts);
}

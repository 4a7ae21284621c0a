/**
 * The registry of backend modules: every backend type the gateway can run, listed once. The
 * composition root builds one (`builtinBackends()`) and passes it to the config loader and the
 * wiring; nothing else names a backend type.
 * @module
 */
import type { BackendSchemas } from '../config/schema.js';
import type { RegisteredBackend } from './backend-module.js';
import { kubernetesBackendModule } from './kubernetes/kubernetes-module.js';
import { localBackendModule } from './local/local-module.js';
import { slurmBackendModule } from './slurm/slurm-module.js';

/** The backend modules by type, and the type a `backend:` section without `type:` gets. */
export interface BackendRegistry extends BackendSchemas {
  readonly modules: readonly RegisteredBackend[];
  /** The module of `type`; throws for a type nothing registered (the schema refuses it first). */
  get(type: string): RegisteredBackend;
}

/** A registry of `modules`; the first is the default type. */
export function createBackendRegistry(modules: readonly RegisteredBackend[]): BackendRegistry {
  const byType = new Map(modules.map((m) => [m.type, m]));
  const first = modules[0];
  if (first === undefined) throw new Error('a backend registry needs at least one backend');
  return {
    modules,
    schemas: modules.map((m) => m.configSchema),
    defaultType: first.type,
    get(type) {
      const m = byType.get(type);
      if (m === undefined) throw new Error(`no backend of type ${JSON.stringify(type)}`);
      return m;
    },
  };
}

/** The backends this release ships: local processes (the default), Slurm and Kubernetes. */
export function builtinBackends(): BackendRegistry {
  return createBackendRegistry([localBackendModule, slurmBackendModule, kubernetesBackendModule]);
}

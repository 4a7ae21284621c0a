/**
 * The cluster options users may choose: the general fields, the environment catalog (listed or
 * discovered, refreshed once before serving) and the profiles.
 * @module
 */
import type { Logger } from 'pino';
import type { UNPRIVILEGED } from '../backends/local/environment-access.js';
import type { Clock } from '../clock.js';
import { createEnvironmentCatalog } from '../cluster-options/environments.js';
import { parseFieldDefinitions } from '../cluster-options/field-definitions.js';
import { createClusterOptionsService } from '../cluster-options/options-service.js';
import type { GatewayConfig } from '../config/load.js';

/** Builds the environment catalog (null when none is configured) and the options service. */
export async function createClusterOptions(
  config: GatewayConfig,
  log: Logger,
  clock: Clock,
  environmentAccess: typeof UNPRIVILEGED | null
) {
  const { environments } = config;
  const catalog =
    environments.list.length > 0 || environments.discover !== null
      ? createEnvironmentCatalog(
          environments,
          log.child({ module: 'environments' }),
          () => clock.now(),
          environmentAccess,
          config.backend.environmentsInImage === true
        )
      : null;
  await catalog?.refresh();
  const service = createClusterOptionsService(
    {
      catalog,
      defaultEnvironment: environments.default,
      profiles: config.profiles,
      environmentVariables: config.environmentVariables,
      general: parseFieldDefinitions(config.options),
      nameLabel: config.clusterNames.enabled ? config.clusterNames.label : null,
    },
    config.cluster,
    log
  );
  return { catalog, service };
}

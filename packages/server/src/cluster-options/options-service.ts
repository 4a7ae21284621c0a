/**
 * The cluster-options service the API uses: the spec a user sees, and the path from submitted
 * options to a validated cluster configuration (spec §4.2, §4.3).
 * @module
 */
import type { Logger } from 'pino';
import type { ClusterOptionsService } from '../api/context.js';
import { resolveClusterConfig, type ClusterConfigInput } from './cluster-config.js';
import { optionSpec, optionsToOverrides, validateOptions, type OptionField } from './fields.js';

/** Commands used when the configuration names none: the `dask` CLI of the Python environment. */
export const DEFAULT_COMMANDS: Readonly<Pick<ClusterConfigInput, 'scheduler_cmd' | 'worker_cmd'>> =
  {
    scheduler_cmd: ['dask', 'scheduler'],
    worker_cmd: ['dask', 'worker'],
  };

/** Creates the service over the configured fields and cluster defaults. */
export function createClusterOptionsService(
  fields: readonly OptionField[],
  base: Partial<ClusterConfigInput>,
  log: Logger
): ClusterOptionsService {
  const defaults = { ...DEFAULT_COMMANDS, ...base };
  // Fail at start-up, not at the first request, when the admin's defaults are invalid.
  resolveClusterConfig(defaults, optionsToOverrides(fields, validateOptions(fields, {})));
  return {
    spec: () => optionSpec(fields),
    resolve(_user, submitted) {
      const options = validateOptions(fields, submitted);
      const overrides = optionsToOverrides(fields, options);
      const { config, ignored } = resolveClusterConfig(defaults, overrides);
      if (ignored.length > 0) log.debug({ ignored }, 'option targets that name no cluster setting');
      return { options, config };
    },
  };
}

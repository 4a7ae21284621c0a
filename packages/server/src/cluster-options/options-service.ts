/**
 * The cluster-options service the API uses: the spec a user sees, and the path from submitted
 * options to a validated cluster configuration (spec §4.2, §4.3), with the SMCE options
 * (environment, profile, environment variables) built per user.
 * @module
 */
import type { Logger } from 'pino';
import type { ClusterOptionsService } from '../api/context.js';
import { GatewayError, invalidOption } from '../errors.js';
import { NAME_FIELD, checkClusterName } from './cluster-name.js';
import { resolveClusterConfig, type ClusterConfigInput } from './cluster-config.js';
import { optionSpec, optionsToOverrides, validateOptions } from './fields.js';
import {
  PROFILE_FIELD,
  environmentFrom,
  fieldsFor,
  type UserOptionsConfig,
} from './user-options.js';

/**
 * Commands used when the configuration names none: `python -m` of distributed's CLIs, where
 * `python` resolves to the cluster's chosen environment (its `bin` comes first on PATH), so the
 * scheduler and every worker run that environment's interpreter.
 */
export const DEFAULT_COMMANDS: Readonly<Pick<ClusterConfigInput, 'scheduler_cmd' | 'worker_cmd'>> =
  {
    scheduler_cmd: ['python', '-m', 'distributed.cli.dask_scheduler'],
    worker_cmd: ['python', '-m', 'distributed.cli.dask_worker'],
  };

/** Runs `f`; a validation failure becomes `invalid_option`, since the user's options caused it. */
function asOptionError<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'invalid') throw invalidOption(err.message);
    throw err;
  }
}

/** Creates the service over the options config and cluster defaults. */
export function createClusterOptionsService(
  options: UserOptionsConfig,
  base: Partial<ClusterConfigInput>,
  log: Logger
): ClusterOptionsService {
  const defaults = { ...DEFAULT_COMMANDS, ...base };
  const anyone = { name: '', groups: [], admin: false };
  // Fail at start-up, not at the first request, when the admin's defaults are invalid.
  resolveClusterConfig(
    defaults,
    optionsToOverrides(options.general, validateOptions(options.general, {}))
  );
  const service: ClusterOptionsService = {
    spec: (user) => optionSpec(fieldsFor(options, { ...anyone, ...user })),
    profiles(user) {
      const field = fieldsFor(options, { ...anyone, ...user }).find(
        (f) => f.field === PROFILE_FIELD
      );
      if (field?.type !== 'select')
        return [{ name: null, config: service.resolve(user, {}).config }];
      return field.options.map((o) => ({
        name: o.key,
        config: service.resolve(user, { [PROFILE_FIELD]: o.key }).config,
      }));
    },
    resolve(user, submitted) {
      const fields = fieldsFor(options, { ...anyone, ...user });
      const normalized = validateOptions(fields, submitted);
      const {
        user_environment: userEnv,
        [NAME_FIELD]: name,
        ...overrides
      } = optionsToOverrides(fields, normalized);
      if (name !== undefined) checkClusterName(name);
      const environment = options.environmentVariables.enabled
        ? {
            ...(defaults.environment ?? {}),
            ...environmentFrom(userEnv, options.environmentVariables),
          }
        : defaults.environment;
      const { config, ignored } = asOptionError(() =>
        resolveClusterConfig(
          environment === undefined ? defaults : { ...defaults, environment },
          overrides
        )
      );
      if (ignored.length > 0) log.debug({ ignored }, 'option targets that name no cluster setting');
      return { options: normalized, config };
    },
  };
  return service;
}

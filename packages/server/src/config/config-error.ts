/**
 * The error a config file that cannot be used raises: one line per offending key.
 * @module
 */

/** A config file that cannot be used; `problems` holds one line per offending key. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super(`invalid configuration in ${source}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

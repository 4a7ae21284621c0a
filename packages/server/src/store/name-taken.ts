/**
 * Recognising the store's refusal of a second cluster with the same user-given name (the unique
 * index of migration 0010) in either dialect, and turning it into the user's error.
 * @module
 */
import { NAME_FIELD } from '../cluster-options/cluster-name.js';
import { invalidOption, type GatewayError } from '../errors.js';

/** Whether `err` is a unique-constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err)) return false;
  const code = err.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/** The 422 a create gets when `username` already has (or recently had) a cluster `name`. */
export function nameTaken(username: string, name: string, stopped: boolean): GatewayError {
  return invalidOption(
    stopped
      ? `${NAME_FIELD} '${name}' was the name of a cluster of ${username} that has stopped: names are not reused while stopped clusters are kept in the history; choose another name`
      : `${NAME_FIELD} '${name}' is taken: ${username} already has a cluster of that name (connect to it with Gateway().connect('${name}'), or choose another name)`,
    NAME_FIELD
  );
}

/**
 * Cluster names a user chooses (issue 22): the `cluster_name` option field ("Name") the
 * unmodified Python client sets through `cluster_options()`, the rules a name follows, and
 * reading a cluster's name back from its normalized options.
 *
 * A name is a DNS label (lower-case letters, digits and `-`, starting with a letter, not ending
 * with `-`, at most 63 characters) that does not look like a cluster id (32 hex digits), so a
 * path segment is never both one user's name and another cluster's id. The empty string means
 * "no name". Uniqueness per user is checked where clusters are known (api/routes/cluster-names.ts)
 * and by the store's unique index (migration 0010).
 * @module
 */
import { invalidOption } from '../errors.js';
import type { StringField } from './fields.js';
import { pyRepr } from './python-repr.js';

/** The option field (and normalized options key) holding a cluster's name. */
export const NAME_FIELD = 'cluster_name';

/** The longest name (a DNS label). */
export const NAME_MAX_LENGTH = 63;

const NAME_PATTERN = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;
const ID_LIKE = /^[0-9a-f]{32}$/;

/** The option field users name their cluster with, labelled `label` in widgets. */
export function nameField(label: string): StringField {
  return { type: 'string', field: NAME_FIELD, label, default: '' };
}

/**
 * Checks a submitted name; '' (no name) passes.
 * @throws GatewayError `invalid_option` (422) on field `cluster_name`, saying what a name may be.
 */
export function checkClusterName(value: unknown): string {
  if (typeof value !== 'string') {
    throw invalidOption(`${NAME_FIELD} must be a string, got ${pyRepr(value)}`, NAME_FIELD);
  }
  if (value === '') return value;
  if (value.length > NAME_MAX_LENGTH || !NAME_PATTERN.test(value)) {
    throw invalidOption(
      `${NAME_FIELD} ${pyRepr(value)} is not a valid cluster name: use at most ${String(NAME_MAX_LENGTH)} lower-case letters, digits and '-', starting with a letter and not ending with '-'`,
      NAME_FIELD
    );
  }
  if (ID_LIKE.test(value)) {
    throw invalidOption(
      `${NAME_FIELD} ${pyRepr(value)} is not a valid cluster name: 32 hex digits look like a cluster id`,
      NAME_FIELD
    );
  }
  return value;
}

/**
 * Configuration problems of named clusters: with names on, no general option may be the name
 * field too (the gateway offers it itself).
 */
export function nameFieldProblems(
  enabled: boolean,
  general: readonly { readonly field: string }[]
): string[] {
  return enabled && general.some((f) => f.field === NAME_FIELD)
    ? [
        `options: the field ${NAME_FIELD} is the cluster name the gateway offers with cluster_names.enabled; rename this option`,
      ]
    : [];
}

/** The name of a cluster with these normalized options, or null when it has none. */
export function clusterNameOf(options: Readonly<Record<string, unknown>>): string | null {
  const v = options[NAME_FIELD];
  return typeof v === 'string' && v !== '' ? v : null;
}

/**
 * Masks the values of environment variables whose name looks secret (token, secret, password,
 * key, credential, auth) in a cluster's options before any cluster view shows them (issue 16).
 * Mapping options are masked entry by entry; `NAME=value` text lines are masked per line.
 * @module
 */
import { isRecord } from '../cluster-options/guards.js';

/** Names whose value is never shown. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH/i;

/** What a masked value reads. */
export const MASK = '••••';

/** `NAME=value` lines with secret-looking names masked. */
function maskLines(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const eq = line.indexOf('=');
      return eq > 0 && SECRET_NAME.test(line.slice(0, eq))
        ? `${line.slice(0, eq + 1)}${MASK}`
        : line;
    })
    .join('\n');
}

/** A mapping with the values of secret-looking names masked. */
function maskMapping(m: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, SECRET_NAME.test(k) ? MASK : v]));
}

/** `options` with every environment-variable value whose name looks secret masked. */
export function maskSecretOptions(
  options: Readonly<Record<string, unknown>>
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options).map(([k, v]) => {
      if (isRecord(v)) return [k, maskMapping(v)];
      if (typeof v === 'string' && v.includes('=')) return [k, maskLines(v)];
      return [k, v];
    })
  );
}

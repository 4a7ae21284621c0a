/**
 * Masks secret-looking values in a cluster's options before any cluster view shows them
 * (issue 16): values of environment variables whose name looks secret (token, secret, pass,
 * key, credential, auth, cookie, session, connection string, DSN, certificate), and passwords
 * inside URLs whatever the name. Mappings are masked entry by entry and nested mappings and
 * lists are followed; `NAME=value` text is masked line by line.
 * @module
 */
import { isRecord } from '../cluster-options/guards.js';

/** Names whose value is never shown. */
const SECRET_NAME =
  /TOKEN|SECRET|PASS|PWD|KEY|CREDENTIAL|CRED|AUTH|COOKIE|SESSION|CONNECTION|DSN|PRIVATE|CERT|SAS/i;

/** What a masked value reads. */
export const MASK = '••••';

/** How deep nested options are followed (deeper values are masked whole). */
const MAX_DEPTH = 8;

/** `text` with the password of every `scheme://user:password@` URL in it masked. */
function maskUrlPasswords(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi, `$1${MASK}@`);
}

/** `NAME=value` lines with secret-looking names masked, and URL passwords in every line. */
function maskLines(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const eq = line.indexOf('=');
      return eq > 0 && SECRET_NAME.test(line.slice(0, eq))
        ? `${line.slice(0, eq + 1)}${MASK}`
        : maskUrlPasswords(line);
    })
    .join('\n');
}

/** `v` with secrets masked; `secretName` when the key it sits under looks secret. */
function maskValue(v: unknown, secretName: boolean, depth: number): unknown {
  if (secretName) return MASK;
  if (depth > MAX_DEPTH) return MASK;
  if (typeof v === 'string') return maskLines(v);
  if (Array.isArray(v)) return v.map((x) => maskValue(x, false, depth + 1));
  if (isRecord(v)) {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, maskValue(x, SECRET_NAME.test(k), depth + 1)])
    );
  }
  return v;
}

/** `options` with every secret-looking value masked (see the module comment). */
export function maskSecretOptions(
  options: Readonly<Record<string, unknown>>
): Record<string, unknown> {
  // Top-level option fields are named by the admin (profile, environment_vars, …), not secrets.
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, maskValue(v, false, 0)]));
}

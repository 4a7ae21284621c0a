/**
 * Encryption of secrets at rest (cluster TLS keys, API tokens and the like).
 *
 * Values are sealed with AES-256-GCM under a random 12-byte nonce and serialized as
 * `v1:<keyId>:<base64(nonce | tag | ciphertext)>`, where `keyId` is the first 8 hex characters of
 * SHA-256 of the key. The first configured key seals; every configured key can open, so keys can
 * be rotated by putting the new key first and keeping the old ones until data is re-sealed.
 * @module
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';

/** Seals and opens secret strings. */
export interface SecretBox {
  /** Encrypt and authenticate `plain` with the primary key; returns a `v1:` string. */
  seal(plain: string): string;
  /**
   * Decrypt a string produced by {@link SecretBox.seal} with any configured key.
   * @throws Error if the format is wrong, the key is unknown or the data was tampered with.
   */
  open(sealed: string): string;
}

const VERSION = 'v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const KEY_ID = /^[0-9a-f]{8}$/;

interface BoxKey {
  readonly id: string;
  readonly key: Buffer;
}

function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

function aadFor(keyId: string): Buffer {
  return Buffer.from(`${VERSION}:${keyId}`, 'utf8');
}

/**
 * Create a {@link SecretBox} from one or more 32-byte keys.
 *
 * @param keys - AES-256 keys; the first one seals, all of them are tried when opening.
 * @throws Error if `keys` is empty or a key is not 32 bytes long.
 */
export function createSecretBox(keys: readonly Buffer[]): SecretBox {
  if (keys.length === 0) {
    throw new Error('SecretBox needs at least one key');
  }
  const boxKeys: BoxKey[] = keys.map((key, index) => {
    if (key.length !== KEY_BYTES) {
      throw new Error(`SecretBox key #${index} must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    return { id: keyIdOf(key), key: Buffer.from(key) };
  });
  const primary = boxKeys[0];
  if (primary === undefined) {
    throw new Error('SecretBox needs at least one key');
  }

  return {
    seal(plain: string): string {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', primary.key, nonce, {
        authTagLength: TAG_BYTES,
      });
      cipher.setAAD(aadFor(primary.id));
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const payload = Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]);
      return `${VERSION}:${primary.id}:${payload.toString('base64')}`;
    },

    open(sealed: string): string {
      const parts = sealed.split(':');
      const [version, keyId, body] = parts;
      if (
        parts.length !== 3 ||
        version === undefined ||
        keyId === undefined ||
        body === undefined
      ) {
        throw new Error('Cannot open secret: expected the form v1:<keyId>:<base64>');
      }
      if (version !== VERSION) {
        throw new Error(
          `Cannot open secret: unsupported format version ${JSON.stringify(version)}`
        );
      }
      if (!KEY_ID.test(keyId) || !BASE64.test(body)) {
        throw new Error('Cannot open secret: malformed key id or payload');
      }
      const payload = Buffer.from(body, 'base64');
      if (payload.length < NONCE_BYTES + TAG_BYTES) {
        throw new Error('Cannot open secret: payload is truncated');
      }
      const candidates = boxKeys.filter((k) => k.id === keyId);
      if (candidates.length === 0) {
        throw new Error(
          `Cannot open secret: it was sealed with key ${keyId}, which is not among the configured keys`
        );
      }
      const nonce = payload.subarray(0, NONCE_BYTES);
      const tag = payload.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES);
      const ciphertext = payload.subarray(NONCE_BYTES + TAG_BYTES);
      let lastError: unknown;
      for (const candidate of candidates) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', candidate.key, nonce, {
            authTagLength: TAG_BYTES,
          });
          decipher.setAAD(aadFor(keyId));
          decipher.setAuthTag(tag);
          return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
        } catch (error) {
          lastError = error;
        }
      }
      throw new Error(
        `Cannot open secret: authentication failed (data was modified or key ${keyId} is wrong)`,
        { cause: lastError }
      );
    },
  };
}

/**
 * Parse a key given as base64 text (surrounding whitespace is ignored).
 *
 * @param text - Standard base64 encoding of exactly 32 bytes.
 * @returns The 32-byte key.
 * @throws Error naming what is wrong (never echoing the key itself).
 */
export function parseKey(text: string): Buffer {
  const trimmed = text.trim();
  if (trimmed === '' || !BASE64.test(trimmed)) {
    throw new Error(`Invalid secret key: expected base64 text encoding ${KEY_BYTES} bytes`);
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(
      `Invalid secret key: expected base64 of ${KEY_BYTES} bytes, but it decodes to ${key.length} bytes`
    );
  }
  return key;
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

/**
 * Load the key stored at `path`, or create it with 32 random bytes if the file does not exist.
 *
 * A new file is created exclusively (`O_EXCL`) with mode 0600 and holds the key as base64. An
 * existing file must be a regular file not accessible by group or others.
 *
 * @param path - Location of the key file.
 * @returns The 32-byte key.
 * @throws Error if the file has unsafe permissions (naming the path and suggesting `chmod 600`),
 *   does not hold a valid key, or cannot be read or created.
 */
export function loadOrCreateKeyFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'EEXIST') {
      return firstKey(path);
    }
    throw error;
  }
  const key = randomBytes(KEY_BYTES);
  try {
    writeSync(fd, `${key.toString('base64')}\n`);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(path);
    throw error;
  }
  closeSync(fd);
  return key;
}

/** The first (sealing) key of the key file at `path`. */
function firstKey(path: string): Buffer {
  const [first] = readKeyFile(path);
  if (first === undefined) throw new Error(`Key file ${path} holds no key`);
  return first;
}

/**
 * Read the keys stored at `path`: base64 keys, one a line (blank lines ignored; the first seals).
 *
 * @throws Error if the file is not a regular file, is accessible by group or others (naming the
 *   path and suggesting `chmod 600`), or a line is not a valid key.
 */
export function readKeyFile(path: string): Buffer[] {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      throw new Error(`Key file ${path} is not a regular file`);
    }
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new Error(
        `Key file ${path} is accessible by group or others (mode ${mode}); ` +
          `restrict it with: chmod 600 ${path}`
      );
    }
    const lines = readFileSync(fd, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    try {
      if (lines.length === 0) return [parseKey('')];
      return lines.map(parseKey);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Key file ${path} does not hold a valid key: ${reason}`, { cause: error });
    }
  } finally {
    closeSync(fd);
  }
}

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSecretBox, loadOrCreateKeyFile, parseKey } from './secret-box.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-secret-box-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Flip one bit of the payload byte at `index` of a sealed string. */
function flipPayloadByte(sealed: string, index: number): string {
  const [version, keyId, body] = sealed.split(':');
  assert.ok(version !== undefined && keyId !== undefined && body !== undefined);
  const payload = Buffer.from(body, 'base64');
  payload[index] = (payload[index] ?? 0) ^ 0x01;
  return `${version}:${keyId}:${payload.toString('base64')}`;
}

describe('createSecretBox', () => {
  it('round-trips text, including empty and non-ASCII strings', () => {
    const box = createSecretBox([randomBytes(32)]);
    for (const plain of ['', 'hello', '-----BEGIN PRIVATE KEY-----\nabc\n', 'héllo ✓ 🔑']) {
      assert.equal(box.open(box.seal(plain)), plain);
    }
  });

  it('uses the v1:<keyId>:<base64> format with a fresh nonce each time', () => {
    const box = createSecretBox([randomBytes(32)]);
    const a = box.seal('same');
    const b = box.seal('same');
    assert.match(a, /^v1:[0-9a-f]{8}:[A-Za-z0-9+/]+=*$/);
    assert.notEqual(a, b);
    const body = a.split(':')[2] ?? '';
    assert.equal(Buffer.from(body, 'base64').length, 12 + 16 + 'same'.length);
  });

  it('opens values sealed with an older key after rotation and seals with the first key', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealedOld = createSecretBox([oldKey]).seal('legacy');
    const rotated = createSecretBox([newKey, oldKey]);
    assert.equal(rotated.open(sealedOld), 'legacy');
    const sealedNew = rotated.seal('fresh');
    assert.notEqual(sealedNew.split(':')[1], sealedOld.split(':')[1]);
    assert.equal(createSecretBox([newKey]).open(sealedNew), 'fresh');
    assert.throws(() => createSecretBox([oldKey]).open(sealedNew), /not among the configured keys/);
  });

  it('rejects tampered nonce, tag, ciphertext and key id', () => {
    const box = createSecretBox([randomBytes(32)]);
    const sealed = box.seal('top secret');
    for (const index of [0, 12, 28, 30]) {
      assert.throws(() => box.open(flipPayloadByte(sealed, index)), /authentication failed/);
    }
    const otherId = sealed.replace(/^v1:[0-9a-f]{8}:/, 'v1:00000000:');
    assert.throws(() => box.open(otherId), /Cannot open secret/);
  });

  it('rejects a wrong key, even when the key id is forged to match it', () => {
    const sealed = createSecretBox([randomBytes(32)]).seal('x');
    const wrong = createSecretBox([randomBytes(32)]);
    assert.throws(() => wrong.open(sealed), /not among the configured keys/);
    const wrongId = wrong.seal('y').split(':')[1] ?? '';
    const forged = sealed.replace(/^v1:[0-9a-f]{8}:/, `v1:${wrongId}:`);
    assert.throws(() => wrong.open(forged), /authentication failed/);
  });

  it('rejects malformed input with a clear error', () => {
    const box = createSecretBox([randomBytes(32)]);
    const keyId = box.seal('x').split(':')[1] ?? '';
    assert.throws(() => box.open('garbage'), /expected the form v1:<keyId>:<base64>/);
    assert.throws(() => box.open(`v2:${keyId}:AAAA`), /unsupported format version/);
    assert.throws(() => box.open(`v1:${keyId}:not base64!`), /malformed/);
    assert.throws(() => box.open(`v1:${keyId}:AAAA`), /truncated/);
  });

  it('refuses an empty key list and keys of the wrong size', () => {
    assert.throws(() => createSecretBox([]), /at least one key/);
    assert.throws(() => createSecretBox([randomBytes(16)]), /must be 32 bytes/);
  });
});

describe('parseKey', () => {
  it('accepts base64 of 32 bytes, ignoring surrounding whitespace', () => {
    const key = randomBytes(32);
    assert.deepEqual(parseKey(` ${key.toString('base64')}\n`), key);
  });

  it('rejects other lengths and non-base64 text without echoing it', () => {
    assert.throws(() => parseKey(randomBytes(16).toString('base64')), /32 bytes.*16 bytes/);
    assert.throws(() => parseKey(''), /expected base64/);
    assert.throws(
      () => parseKey('s3cr3t-not-base64!'),
      (error: unknown) =>
        error instanceof Error &&
        /expected base64/.test(error.message) &&
        !error.message.includes('s3cr3t')
    );
  });
});

describe('loadOrCreateKeyFile', () => {
  it('creates a 0600 file holding a base64 key and reads the same key back', () => {
    const path = join(dir, 'created.key');
    const key = loadOrCreateKeyFile(path);
    assert.equal(key.length, 32);
    if (process.platform !== 'win32') {
      assert.equal(statSync(path).mode & 0o777, 0o600);
    }
    assert.deepEqual(parseKey(readFileSync(path, 'utf8')), key);
    assert.deepEqual(loadOrCreateKeyFile(path), key);
  });

  it(
    'refuses a group/other-readable key file, naming the path and chmod 600',
    { skip: process.platform === 'win32' },
    () => {
      const path = join(dir, 'open.key');
      writeFileSync(path, randomBytes(32).toString('base64'));
      chmodSync(path, 0o644);
      assert.throws(
        () => loadOrCreateKeyFile(path),
        (error: unknown) =>
          error instanceof Error && error.message.includes(path) && /chmod 600/.test(error.message)
      );
      chmodSync(path, 0o600);
      assert.equal(loadOrCreateKeyFile(path).length, 32);
    }
  );

  it('refuses an existing file that does not hold a 32-byte key', () => {
    const path = join(dir, 'short.key');
    writeFileSync(path, randomBytes(8).toString('base64'), { mode: 0o600 });
    assert.throws(() => loadOrCreateKeyFile(path), /does not hold a valid key/);
  });
});

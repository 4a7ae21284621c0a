import 'reflect-metadata';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { X509Certificate as PeculiarCertificate } from '@peculiar/x509';
import { createClusterTls, type ClusterTls } from './certs.js';

const execFileAsync = promisify(execFile);

const CLUSTER = '0123456789abcdef0123456789abcdef';
const NOW = new Date('2024-05-06T07:08:09.123Z');
const NOW_SECONDS = new Date('2024-05-06T07:08:09Z');
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
const HANDSHAKE_SCRIPT = fileURLToPath(
  new URL('../../../../python/tools/cert_handshake_check.py', import.meta.url)
);

/** Interpreter for the handshake check: $GATEHOUSE_PYTHON, else the project environment. */
function pythonInterpreter(): string {
  const fromEnv = process.env['GATEHOUSE_PYTHON'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return fileURLToPath(new URL('../../../../.venv/bin/python', import.meta.url));
}

describe('createClusterTls', () => {
  let tls: ClusterTls;
  let generationMs = 0;

  before(async () => {
    const started = performance.now();
    tls = await createClusterTls(CLUSTER, NOW);
    generationMs = performance.now() - started;
  });

  it('reports how long key and certificate generation took', (t) => {
    t.diagnostic(`createClusterTls took ${generationMs.toFixed(0)} ms`);
    assert.ok(generationMs > 0);
  });

  it('produces PEM certificate and unencrypted PKCS#8 PEM key', () => {
    assert.match(tls.cert, /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    assert.match(tls.key, /^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
  });

  it('has subject and issuer CN=dask-internal and is self-signed', () => {
    const cert = new X509Certificate(tls.cert);
    assert.equal(cert.subject, 'CN=dask-internal');
    assert.equal(cert.issuer, 'CN=dask-internal');
    assert.ok(cert.checkIssued(cert));
    assert.ok(cert.verify(cert.publicKey));
    assert.equal(cert.ca, false);
  });

  it('lists the cluster name, dask-internal and skein-internal as DNS names', () => {
    const cert = new X509Certificate(tls.cert);
    assert.equal(cert.subjectAltName, `DNS:${CLUSTER}, DNS:dask-internal, DNS:skein-internal`);
  });

  it('is valid from now (whole seconds) for 365 days', () => {
    const cert = new X509Certificate(tls.cert);
    assert.equal(Date.parse(cert.validFrom), NOW_SECONDS.getTime());
    assert.equal(Date.parse(cert.validTo), NOW_SECONDS.getTime() + YEAR_MS);
  });

  it('uses an RSA 2048 key with exponent 65537 that matches the certificate', () => {
    const cert = new X509Certificate(tls.cert);
    const key = createPrivateKey(tls.key);
    assert.equal(key.asymmetricKeyType, 'rsa');
    assert.deepEqual(key.asymmetricKeyDetails, { modulusLength: 2048, publicExponent: 65537n });
    assert.equal(cert.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.ok(cert.checkPrivateKey(key));
  });

  it('has a positive random serial of at most 159 bits', async () => {
    const serial = BigInt(`0x${new X509Certificate(tls.cert).serialNumber}`);
    assert.ok(serial > 0n);
    assert.ok(serial < 2n ** 159n);
    const other = await createClusterTls(CLUSTER, NOW);
    assert.notEqual(BigInt(`0x${new X509Certificate(other.cert).serialNumber}`), serial);
    assert.notEqual(other.key, tls.key);
  });

  it('is X.509 v3, SHA-256 with RSA, with exactly one non-critical SAN extension', () => {
    const cert = new PeculiarCertificate(tls.cert);
    assert.equal(cert.extensions.length, 1);
    const [san] = cert.extensions;
    assert.ok(san !== undefined);
    assert.equal(san.type, '2.5.29.17');
    assert.equal(san.critical, false);
    assert.deepEqual(cert.signatureAlgorithm, {
      name: 'RSASSA-PKCS1-v1_5',
      hash: { name: 'SHA-256' },
    });
    assert.equal(cert.subject, 'CN=dask-internal');
    assert.equal(cert.notBefore.getTime(), NOW_SECONDS.getTime());
    // Certificate ::= SEQ { tbs SEQ { [0] EXPLICIT INTEGER 2 (v3), ... } } with long-form lengths.
    const der = new Uint8Array(cert.rawData);
    assert.deepEqual([...der.subarray(8, 13)], [0xa0, 0x03, 0x02, 0x01, 0x02]);
  });

  it('defaults the validity start to the current time', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const cert = new X509Certificate((await createClusterTls(CLUSTER)).cert);
    const after = Date.now();
    const from = Date.parse(cert.validFrom);
    assert.ok(from >= before && from <= after, `${cert.validFrom} not within the call`);
  });

  it('rejects names that cannot be DNS names', async () => {
    await assert.rejects(createClusterTls(''), /not a valid DNS name/);
    await assert.rejects(createClusterTls('has space'), /not a valid DNS name/);
    await assert.rejects(createClusterTls('naïve'), /not a valid DNS name/);
  });

  describe('mutual TLS handshake with Python (default and 3.13-like strict flags)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-certs-'));
    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('passes cert_handshake_check.py', async () => {
      const python = pythonInterpreter();
      assert.ok(
        existsSync(python),
        `Python interpreter ${python} not found; set GATEHOUSE_PYTHON to run the handshake check`
      );
      const certPath = join(dir, 'dask.crt');
      const keyPath = join(dir, 'dask.pem');
      const current = await createClusterTls(CLUSTER); // valid now, unlike the fixed-date pair
      writeFileSync(certPath, current.cert, { mode: 0o600 });
      writeFileSync(keyPath, current.key, { mode: 0o600 });
      assert.equal(statSync(keyPath).mode & 0o777, 0o600);
      const result = await execFileAsync(python, [HANDSHAKE_SCRIPT, certPath, keyPath], {
        timeout: 60_000,
      }).then(
        ({ stdout }) => ({ code: 0, output: stdout }),
        (error: unknown) => ({
          code: error instanceof Error && 'code' in error ? error.code : 'unknown',
          output:
            error instanceof Error && 'stdout' in error && 'stderr' in error
              ? `${String(error.stdout)}${String(error.stderr)}`
              : String(error),
        })
      );
      assert.equal(result.code, 0, `cert_handshake_check.py failed:\n${result.output}`);
      assert.match(result.output, /PASS/);
    });
  });
});

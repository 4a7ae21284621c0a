/**
 * Per-cluster TLS material (protocol spec §6.1).
 *
 * Every cluster gets one self-signed RSA keypair that the scheduler, its workers and every user
 * client share for mutual TLS. The certificate has the exact shape upstream dask-gateway
 * produces: subject and issuer `CN=dask-internal`, a random serial of at most 159 bits, one year
 * of validity and a single non-critical subjectAltName extension. This is the only module that
 * imports `@peculiar/x509`, which needs `reflect-metadata` loaded before it. Both are loaded on
 * first use, not at start-up: they are about a quarter of the gateway's start-up module loading
 * and 15-20 MiB of its memory (docs/benchmarks.md, restart).
 * @module
 */
import { KeyObject, X509Certificate as NodeX509Certificate, webcrypto } from 'node:crypto';

/** Loads the certificate library (once: the module registry caches it). */
async function x509Library() {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

/** Loads the certificate library ahead of the first cluster, off the start-up path. */
export async function preloadClusterTls(): Promise<void> {
  await x509Library();
}

/** PEM-encoded certificate and private key of one cluster. */
export interface ClusterTls {
  /** PEM X.509 certificate (`-----BEGIN CERTIFICATE-----`). */
  cert: string;
  /** PEM unencrypted PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`). */
  key: string;
}

const COMMON_NAME = 'dask-internal';
const EXTRA_DNS_NAMES = ['dask-internal', 'skein-internal'] as const;
const VALIDITY_MS = 365 * 24 * 60 * 60 * 1000;
const SERIAL_BYTES = 20;

const RSA_ALGORITHM = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([0x01, 0x00, 0x01]),
  hash: 'SHA-256',
};

/** A random positive serial number of at most 159 bits, as hex. */
function randomSerialHex(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(SERIAL_BYTES));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // top bit clear: at most 159 bits, never negative
  bytes[SERIAL_BYTES - 1] = (bytes[SERIAL_BYTES - 1] ?? 0) | 0x01; // never zero
  return Buffer.from(bytes).toString('hex');
}

/** Throws unless `name` can be encoded as a dNSName (non-empty IA5/ASCII without spaces). */
function assertDnsName(name: string): void {
  if (!/^[\x21-\x7e]+$/.test(name)) {
    throw new Error(
      `Cannot create TLS material: cluster name ${JSON.stringify(name)} is not a valid DNS name`
    );
  }
}

/**
 * Create the self-signed certificate and private key of one cluster.
 *
 * The key is RSA 2048 with exponent 65537; the certificate is X.509 v3 signed with SHA-256 with
 * RSA, valid from `now` for 365 days, with subjectAltName DNS names
 * `[clusterName, 'dask-internal', 'skein-internal']` and no other extension.
 *
 * @param clusterName - The cluster's name, which becomes the first DNS name of the certificate.
 * @param now - Start of validity; defaults to the current time. X.509 stores whole seconds, so
 *   sub-second precision is dropped.
 * @returns The PEM certificate and the PEM PKCS#8 private key.
 */
export async function createClusterTls(
  clusterName: string,
  now: Date = new Date()
): Promise<ClusterTls> {
  assertDnsName(clusterName);
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  if (Number.isNaN(notBefore.getTime())) {
    throw new Error('Cannot create TLS material: `now` is an invalid date');
  }
  const notAfter = new Date(notBefore.getTime() + VALIDITY_MS);

  const { Name, SubjectAlternativeNameExtension, X509CertificateGenerator } = await x509Library();
  const keys = await webcrypto.subtle.generateKey(RSA_ALGORITHM, true, ['sign', 'verify']);
  const subject = new Name([{ CN: [{ utf8String: COMMON_NAME }] }]);
  const san = new SubjectAlternativeNameExtension(
    [clusterName, ...EXTRA_DNS_NAMES].map((value) => ({ type: 'dns' as const, value })),
    false
  );
  const generated = await X509CertificateGenerator.create(
    {
      serialNumber: randomSerialHex(),
      subject,
      issuer: subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      extensions: [san],
    },
    webcrypto
  );

  // Re-encode through OpenSSL: checks the DER and yields canonical PEM with a trailing newline.
  const cert = new NodeX509Certificate(Buffer.from(generated.rawData)).toString();
  const key = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' });
  return { cert, key: typeof key === 'string' ? key : key.toString('utf8') };
}

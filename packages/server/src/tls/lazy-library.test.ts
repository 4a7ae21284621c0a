/**
 * The certificate library stays out of start-up: importing the server does not load it (it is a
 * large share of start-up time and memory), and preloading or the first certificate does.
 * `reflect-metadata`, which the library needs first, is the observable: it defines
 * `Reflect.getMetadata` when loaded. Each case runs in a fresh Node process.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const serverIndex = fileURLToPath(new URL('../index.ts', import.meta.url));
const certs = fileURLToPath(new URL('./certs.ts', import.meta.url));

function run(code: string): string {
  return execFileSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code],
    { encoding: 'utf8' }
  ).trim();
}

describe('certificate library loading', () => {
  it('is not loaded by importing the server package', () => {
    const out = run(
      `await import(${JSON.stringify(serverIndex)}); console.log(typeof Reflect.getMetadata);`
    );
    assert.equal(out, 'undefined');
  });

  it('is loaded by preloadClusterTls and by the first certificate', () => {
    const out = run(
      `const m = await import(${JSON.stringify(certs)});
       const before = typeof Reflect.getMetadata;
       await m.preloadClusterTls();
       const tls = await m.createClusterTls('abc');
       console.log(before, typeof Reflect.getMetadata, tls.cert.startsWith('-----BEGIN CERTIFICATE-----'));`
    );
    assert.equal(out, 'undefined function true');
  });
});

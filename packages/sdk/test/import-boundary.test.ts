/**
 * Proves the SDK stays a browser-safe client: its sources import only the wire contract,
 * TypeBox and each other (no server or CLI code, no Node modules), and its package depends on
 * nothing else. ESLint enforces the same on every edit; this test also covers dynamic imports.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ALLOWED = new Set(['@gatehouse/api', 'typebox', 'typebox/value']);

function sources(): string[] {
  return readdirSync(path.join(pkg, 'src'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join(pkg, 'src', f));
}

describe('the SDK imports nothing from server packages', () => {
  it('imports only the wire contract, TypeBox and its own modules', () => {
    const files = sources();
    assert.ok(files.length >= 5, 'expected the SDK sources');
    const bad: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const specifiers = [
        ...text.matchAll(/\b(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g),
        ...text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
        ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
      ].map((m) => m[1] ?? '');
      for (const s of specifiers) {
        const relativeInside =
          s.startsWith('.') &&
          path.resolve(path.dirname(file), s).startsWith(path.join(pkg, 'src'));
        if (!relativeInside && !ALLOWED.has(s)) bad.push(`${path.relative(pkg, file)}: ${s}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('depends only on the wire contract and TypeBox', () => {
    const json = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    assert.deepEqual(Object.keys(json.dependencies ?? {}).sort(), ['@gatehouse/api', 'typebox']);
    assert.equal(json.devDependencies, undefined);
  });
});

/**
 * The import-cycle check of lint (`scripts/check-import-cycles.mjs`): it reports a cycle among
 * relative imports as a path and fails, passes the same tree without the cycle, and passes the
 * repository's own packages/*\/src.
 * @module
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const script = path.join(repo, 'scripts', 'check-import-cycles.mjs');

/** Runs the check on `root`; its exit status and what it printed. */
function check(root: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** A fixture tree packages/a/src with a.ts → b.tsx → c.ts, and c.ts → a.ts if `cycle`. */
function fixture(cycle: boolean): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cycles-'));
  const src = path.join(root, 'packages', 'a', 'src');
  mkdirSync(path.join(src, 'sub'), { recursive: true });
  writeFileSync(path.join(src, 'a.ts'), "import { b } from './sub/b.js';\nexport const a = b;\n");
  writeFileSync(path.join(src, 'sub', 'b.tsx'), "export { c as b } from '../c.js';\n");
  writeFileSync(
    path.join(src, 'c.ts'),
    (cycle ? "import type { a } from './a.js';\n" : '// import { a } from "./a.js";\n') +
      'export const c = 1;\n'
  );
  return root;
}

test('a cycle is reported as a path and fails the check', () => {
  const root = fixture(true);
  try {
    const r = check(root);
    assert.equal(r.status, 1, r.out);
    assert.match(
      r.out,
      /import cycle: packages\/a\/src\/a\.ts -> packages\/a\/src\/sub\/b\.tsx -> packages\/a\/src\/c\.ts -> packages\/a\/src\/a\.ts/
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the same tree without the cycle passes (an import in a comment is not one)', () => {
  const root = fixture(false);
  try {
    const r = check(root);
    assert.equal(r.status, 0, r.out);
    assert.equal(r.out, '');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the repository's packages/*/src have no import cycle", () => {
  const r = check(repo);
  assert.equal(r.status, 0, r.out);
});

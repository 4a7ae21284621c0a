/**
 * Every error code is documented: `docs/errors.md` has a row for each code of `ERROR_CODES`
 * with the status the server answers it with and a sentence saying when it is returned, and
 * no row for a code that does not exist. A new code without its sentence fails here.
 * @module
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ERROR_CODES } from '@gatehouse/api';
import { STATUS_OF } from '../src/errors-http.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

/** The rows of the codes table: code → [status, sentence]. */
function documented(): Map<string, [string, string]> {
  const rows = new Map<string, [string, string]>();
  for (const line of doc.split('\n')) {
    const m = /^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|\s*(.*?)\s*\|$/.exec(line);
    if (m?.[1] !== undefined) rows.set(m[1], [m[2] ?? '', m[3] ?? '']);
  }
  return rows;
}

it('docs/errors.md says when each error code is returned, with its status', () => {
  const rows = documented();
  assert.ok(rows.size > 0, 'no code rows found in docs/errors.md');
  for (const code of ERROR_CODES) {
    const row = rows.get(code);
    assert.ok(row !== undefined, `docs/errors.md has no row for the code ${code}`);
    assert.equal(Number(row[0]), STATUS_OF[code], `the status documented for ${code}`);
    assert.match(row[1], /^[A-Z].{20,}\.$/, `the sentence for ${code} is missing or unfinished`);
  }
  const unknown = [...rows.keys()].filter((c) => !(ERROR_CODES as readonly string[]).includes(c));
  assert.deepEqual(unknown, [], 'docs/errors.md documents codes that do not exist');
});

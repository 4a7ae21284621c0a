// Checks every Gatehouse page must pass in the browser tests: axe-core finds no accessibility
// violation (WCAG 2.1 A/AA and axe's best practices), and nothing scrolls sideways.
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';

/** Fails with every axe-core violation on `page` (its rules: WCAG 2.1 A and AA, best
 * practices). `what` names the page and state in the message; `exclude` lists CSS selectors of
 * parts that are not Gatehouse's (e.g. an embedded third-party widget). */
export async function assertAccessible(page, what, exclude = []) {
  let builder = new AxeBuilder({ page }).withTags([
    'wcag2a',
    'wcag2aa',
    'wcag21a',
    'wcag21aa',
    'best-practice',
  ]);
  for (const sel of exclude) builder = builder.exclude(sel);
  const { violations } = await builder.analyze();
  const lines = violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}`)
  );
  assert.deepEqual(lines, [], `axe-core violations on ${what}:\n  ${lines.join('\n  ')}`);
}

/** Fails when the page is wider than its viewport (it would scroll sideways). */
export async function assertNoSideScroll(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: globalThis.document.documentElement.scrollWidth,
    client: globalThis.document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${what} scrolls sideways: ${scroll} px wide in ${client} px`);
}

/** Both checks at once: what every page and state of the web UI must pass. */
export async function assertPageOk(page, what, exclude = []) {
  await assertNoSideScroll(page, what);
  await assertAccessible(page, what, exclude);
}

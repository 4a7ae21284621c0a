// Positive controls of the page checks (no gateway needed): a page with an unlabelled input, low
// contrast and a too-wide element fails them; the same page without those passes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchChromium } from './gatehouse.mjs';
import { assertAccessible, assertNoSideScroll } from './page-checks.mjs';

const good = `<!doctype html><html lang="en"><head><title>ok</title></head><body><main>
<h1>Fine</h1><label>Name <input name="n"></label></main></body></html>`;
const bad = `<!doctype html><html lang="en"><head><title>bad</title></head><body><main>
<h1>Bad</h1><input name="n"><p style="color:#ccc;background:#fff">faint</p>
<div style="width:2000px">wide</div></main></body></html>`;

describe('page checks', { timeout: 60_000 }, () => {
  let browser;
  let page;
  before(async () => {
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
  });
  after(async () => {
    await browser?.close();
  });

  it('pass on a clean page', async () => {
    await page.setContent(good);
    await assertAccessible(page, 'good');
    await assertNoSideScroll(page, 'good');
  });

  it('fail on an unlabelled input, low contrast and a too-wide page', async () => {
    await page.setContent(bad);
    await assert.rejects(
      assertAccessible(page, 'bad'),
      /label.*\n[\s\S]*color-contrast|color-contrast[\s\S]*label/
    );
    await assert.rejects(
      assertNoSideScroll(page, 'bad'),
      /scrolls sideways: \d+ px wide in 360 px/
    );
  });
});

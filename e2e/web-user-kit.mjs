// What the web UI's user tests share: logging in through the form, and checking a page in both
// sizes (1280×800 and 360×740): axe-core finds nothing, nothing scrolls sideways, and a
// screenshot goes to docs/screenshots/<page>-<state>-<width>.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertPageOk } from './page-checks.mjs';

const shots = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'docs',
  'screenshots'
);

/** The two sizes every page is checked at. */
export const SIZES = [
  { width: 1280, height: 800 },
  { width: 360, height: 740 },
];

/** A fresh browser context of `browser` logged in as `user` through the UI's form at `url`. */
export async function loginAs(browser, url, user, viewport = SIZES[0]) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${url}/ui/`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill('secret');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  return { context, page };
}

/** Checks `page` as it is in both sizes (then back to the first) and saves the screenshots
 * `<name>-1280.png` and `<name>-360.png`; `ready` is awaited after each resize. */
export async function checkBothSizes(page, name, ready = async () => undefined, exclude = []) {
  mkdirSync(shots, { recursive: true });
  for (const size of [...SIZES].reverse()) {
    await page.setViewportSize(size);
    await ready();
    await assertPageOk(page, `${name} at ${size.width} px`, exclude);
    await page.screenshot({ path: path.join(shots, `${name}-${size.width}.png`), fullPage: true });
  }
}

// The web UI's states in a real browser against a real Gatehouse (issue 16, items 3-5): every
// state is a page with a way forward (loading, empty, not found, admins only, gateway
// unreachable, session expired), a pending access request survives a reload, a denied user
// reads the denial and its reason, and the contact appears where users look for help. Each
// state passes axe-core with nothing scrolling sideways at 1280×800 and 360×740, and its
// screenshots go to docs/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, assertNoCspViolations, launchChromium, startGatehouse } from './gatehouse.mjs';
import { checkBothSizes, loginAs } from './web-user-kit.mjs';

const CONTACT = 'help@example.org';
let gh;
let browser;

describe('web UI states', { timeout: 240_000 }, () => {
  before(async () => {
    gh = await startGatehouse({
      auth: { type: 'basic', password: null },
      access: {
        grant_all_authenticated: false,
        bootstrap_admin_token: false,
        admin_users: ['admin'],
        contact: CONTACT,
      },
    });
    assert.equal((await api(gh.url, 'admin', 'PUT', '/api/v1/admin/grants/alice')).status, 204);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await gh?.stop();
  });

  it('loading and login pages', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    let release;
    const held = new Promise((r) => (release = r));
    await page.route('**/api/ui/session', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${gh.url}/ui/`);
    await page.getByRole('status').getByText('Loading').waitFor();
    await checkBothSizes(page, 'loading-page');
    release();
    await page.getByLabel('Username').waitFor();
    await checkBothSizes(page, 'login-form');
    await page.getByLabel('Password').fill('x');
    await context.close();
  });

  it('an empty My clusters, with a readable header at 360 px', async () => {
    const { page, context } = await loginAs(browser, gh.url, 'alice');
    await page.getByText('You have no clusters yet').waitFor();
    await checkBothSizes(page, 'clusters-empty');
    await page.setViewportSize({ width: 360, height: 740 });
    const name = await page.getByTestId('user-name').boundingBox();
    assert.ok(name !== null && name.x >= 0 && name.x + name.width <= 360, JSON.stringify(name));
    const header = await page.locator('header').boundingBox();
    assert.equal(header?.width, 360);
    await context.close();
  });

  it('unknown pages, missing clusters and admin pages for users get pages of their own', async () => {
    const { page, context } = await loginAs(browser, gh.url, 'alice');
    await page.goto(`${gh.url}/ui/no-such-page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'My clusters' }).count(), 0);
    await checkBothSizes(page, 'not-found-page');
    await page.getByRole('link', { name: 'Go to My clusters' }).click();
    await page.getByRole('heading', { name: 'My clusters' }).waitFor();

    await page.goto(`${gh.url}/ui/clusters/nosuchcluster`);
    await page.getByRole('heading', { name: 'Cluster nosuchcluster not found' }).waitFor();
    await checkBothSizes(page, 'cluster-not-found');

    await page.goto(`${gh.url}/ui/admin`);
    await page.getByRole('heading', { name: 'Admins only' }).waitFor();
    await page.getByRole('link', { name: CONTACT }).waitFor();
    await checkBothSizes(page, 'admin-forbidden');
    await context.close();
  });

  it('an unreachable gateway: a page at start, a banner later, both recover', async () => {
    const { page, context } = await loginAs(browser, gh.url, 'alice');
    await page.getByRole('heading', { name: 'My clusters' }).waitFor();
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    await page.getByTestId('unreachable-banner').waitFor();
    await checkBothSizes(page, 'clusters-unreachable');
    await page.reload();
    await page.getByRole('heading', { name: 'Cannot reach the gateway' }).waitFor();
    await checkBothSizes(page, 'unreachable-page');
    await page.unroute('**/api/**');
    await page.getByRole('button', { name: 'Try again now' }).click();
    await page.getByRole('heading', { name: 'My clusters' }).waitFor();
    await context.close();
  });

  it('an expired session goes to login and comes back to the page', async () => {
    const { page, context } = await loginAs(browser, gh.url, 'alice');
    await page.goto(`${gh.url}/ui/pool`);
    await page.getByTestId('pool-summary').waitFor();
    await context.clearCookies();
    await page.getByTestId('session-expired').waitFor();
    assert.match(page.url(), /\/ui\/login\?expired=1&next=%2Fui%2Fpool$/);
    await checkBothSizes(page, 'login-expired');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('secret');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/ui\/pool$/);
    await page.getByTestId('pool-summary').waitFor();
    await context.close();
  });

  it('a pending request survives a reload; a denied user reads the reason and the contact', async () => {
    const bob = await loginAs(browser, gh.url, 'bob');
    await bob.page.getByRole('heading', { name: 'You need access' }).waitFor();
    await bob.page.getByRole('link', { name: CONTACT }).waitFor();
    await checkBothSizes(bob.page, 'access-form');
    await bob.page.getByLabel(/Why do you need access/).fill('thesis runs');
    await bob.page.getByRole('button', { name: 'Request access' }).click();
    await bob.page.getByTestId('request-pending').waitFor();
    await bob.page.reload();
    await bob.page.getByTestId('request-pending').waitFor();
    await checkBothSizes(bob.page, 'access-pending');

    const carol = await loginAs(browser, gh.url, 'carol');
    await carol.page.getByRole('button', { name: 'Request access' }).click();
    await carol.page.getByTestId('request-pending').waitFor();
    const pending = (await api(gh.url, 'admin', 'GET', '/api/v1/admin/requests?status=pending'))
      .body;
    const id = pending.find((r) => r.username === 'carol').id;
    const denied = await api(gh.url, 'admin', 'POST', `/api/v1/admin/requests/${id}/deny`, {
      reason: 'use the teaching gateway instead',
    });
    assert.equal(denied.status, 200);
    await carol.page.reload();
    const denial = carol.page.getByTestId('request-denied');
    await denial.getByText('use the teaching gateway instead').waitFor();
    assert.doesNotMatch((await carol.page.textContent('main')) ?? '', /Your request was sent/);
    await checkBothSizes(carol.page, 'access-denied');
    await bob.context.close();
    await carol.context.close();
  });

  it('no page violated the Content-Security-Policy', () => {
    assertNoCspViolations();
  });
});

// The web UI in a real browser (Debian Chromium via playwright-core) against a real Gatehouse
// running real Dask schedulers and workers: access request and approval, the user flow from
// login to stop (with the dashboard through its link), dashboards kept from a logged-out browser
// and from another user, and an admin stopping another user's cluster; a hostile `next` after
// login stays on the gateway, and no page violates the UI's Content-Security-Policy. Screenshots
// of the dashboard and the pages other tests leave out go to docs/screenshots/; the user pages and
// their states are checked and captured in web-user-states and web-cluster.test.mjs.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  api,
  assertNoCspViolations,
  cspViolations,
  launchChromium,
  startGatehouse,
  until,
} from './gatehouse.mjs';
import { checkBothSizes } from './web-user-kit.mjs';

const shots = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'docs',
  'screenshots'
);
const T = 120_000; // generous: two shared cores start Dask processes slowly

let gh;
let browser;
const state = {};

async function shot(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** A fresh browser context logged in through the UI's form. */
async function loginAs(user) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${gh.url}/`);
  await page.waitForURL(/\/ui\//);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill('secret');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText(`${user}`, { exact: false }).first().waitFor();
  return { context, page };
}

async function statusOf(page, name) {
  return page.locator(`[data-cluster="${name}"] [data-testid=status]`).first();
}

describe('web UI', { timeout: 280_000 }, () => {
  before(async () => {
    gh = await startGatehouse({
      auth: { type: 'basic', password: null },
      access: {
        grant_all_authenticated: false,
        bootstrap_admin_token: false,
        admin_users: ['admin'],
      },
      profiles: [
        { name: 'Small Worker', worker_cores: 1, worker_memory: '1 G', default: true },
        { name: 'Medium Worker', worker_cores: 2, worker_memory: '2 G' },
      ],
    });
    assert.equal((await api(gh.url, 'admin', 'PUT', '/api/v1/admin/grants/alice')).status, 204);
    browser = await launchChromium();
  });
  afterEach(async (t) => {
    if (t.passed !== false) return;
    for (const [who, s] of Object.entries(state)) {
      if (typeof s === 'object' && s.page !== undefined)
        await s.page
          .screenshot({ path: path.join(tmpdir(), `gatehouse-e2e-failed-${who}.png`) })
          .catch(() => undefined);
    }
    console.log(gh.logTail());
  });
  after(async () => {
    await browser?.close();
    await gh?.stop();
  });

  it('an ungranted user requests access, an admin approves, the user creates a cluster', async () => {
    const bob = await loginAs('bob');
    state.bob = bob;
    await bob.page.getByRole('heading', { name: 'You need access' }).waitFor();
    await bob.page.getByLabel(/Why do you need access/).fill('thesis runs');
    await bob.page.getByRole('button', { name: 'Request access' }).click();
    await bob.page.getByRole('status').waitFor();

    const admin = await loginAs('admin');
    state.admin = admin;
    await admin.page.getByRole('link', { name: 'Admin' }).click();
    await admin.page
      .getByRole('navigation', { name: 'Admin sections' })
      .getByRole('link', { name: 'Requests' })
      .click();
    const row = admin.page.locator('[data-testid=requests] [data-user=bob]');
    await row.getByText('thesis runs').waitFor();
    await row.getByRole('button', { name: 'Approve' }).click();
    await row.waitFor({ state: 'detached' });

    await bob.page.getByRole('button', { name: 'Check again' }).click();
    await bob.page.getByRole('navigation').getByRole('link', { name: 'New cluster' }).click();
    await bob.page.getByRole('button', { name: 'Create cluster' }).click();
    await bob.page.waitForURL(/\/ui\/clusters\//);
    state.bobCluster = decodeURIComponent(bob.page.url().split('/ui/clusters/')[1]);
    await (await statusOf(bob.page, state.bobCluster)).waitFor();
  });

  it('a user logs in, creates a cluster with a profile, scales, opens the dashboard, stops', async () => {
    const { page, context } = await loginAs('alice');
    state.alice = { page, context };
    await page.getByRole('heading', { name: 'My clusters' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'New cluster' }).click();
    const profile = page.getByLabel('Cluster Profile');
    await profile.selectOption('Medium Worker');
    await page.getByRole('button', { name: 'Create cluster' }).click();
    await page.waitForURL(/\/ui\/clusters\//);
    const name = decodeURIComponent(page.url().split('/ui/clusters/')[1]);
    const status = await statusOf(page, name);
    await until(async () => (await status.textContent()) === 'RUNNING', T, 'RUNNING');
    const card = page.locator(`[data-cluster="${name}"]`);
    await card.getByLabel('Workers', { exact: true }).fill('2');
    await card.getByRole('button', { name: 'Scale' }).click();
    await until(
      async () => /^2 running/.test((await card.getByTestId('workers').textContent()) ?? ''),
      T,
      '2 workers'
    );
    assert.match((await card.textContent()) ?? '', /4 cores per|\d+ cores/);
    assert.match(
      (await card.getByTestId('snippet').textContent()) ?? '',
      new RegExp(`gateway\\.connect\\("${name}"\\)`)
    );

    // The events of the cluster, oldest first, from created to the workers running, the two
    // workers' start on one line.
    const events = page.getByTestId('events');
    const hasEvents =
      (await api(gh.url, 'alice', 'GET', `/api/v1/clusters/${name}/events`)).status !== 404;
    if (hasEvents)
      await until(
        async () => /2 workers started in/.test((await events.textContent()) ?? ''),
        T,
        'the workers started line'
      );
    if (hasEvents) {
      const types = await events
        .locator('li')
        .evaluateAll((lis) => lis.map((li) => li.dataset.type));
      assert.equal(types[0], 'cluster.created');
      assert.ok(types.includes('cluster.running'), types.join(', '));
    }

    // The dashboard through the link, in a new tab: the Workers page lists both workers.
    const workerNames = (
      await api(gh.url, 'alice', 'GET', `/api/v1/clusters/${name}/logs`)
    ).body.processes
      .filter((p) => p.kind === 'worker')
      .map((p) => p.name);
    assert.equal(workerNames.length, 2);
    const [dash] = await Promise.all([
      context.waitForEvent('page'),
      card.getByRole('link', { name: 'Open dashboard' }).click(),
    ]);
    const failed = [];
    dash.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
    dash.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.url()} ${r.status()}`);
    });
    await dash.waitForLoadState('load');
    assert.match(dash.url(), new RegExp(`/clusters/${name}/status`));
    await dash.getByRole('link', { name: 'Workers', exact: true }).first().click();
    await dash.waitForURL(new RegExp(`/clusters/${name}/workers`));
    for (const w of workerNames) await dash.getByText(w).first().waitFor({ timeout: T });
    await shot(dash, 'dashboard-workers');
    assert.deepEqual(failed, []);
    state.aliceCluster = name;
    state.dashboard = `${gh.url}/clusters/${name}/status`;

    await page.getByRole('link', { name: 'My clusters' }).click();
    await (await statusOf(page, name)).waitFor();
    await page.getByRole('link', { name: 'Pool' }).click();
    await page.getByTestId('pool-summary').waitFor();
    await shot(page, 'pool');
  });

  it('keeps a logged-out browser and another user out of the dashboard', async () => {
    const anon = await browser.newContext();
    const p = await anon.newPage();
    await p.goto(state.dashboard);
    await p.waitForURL(/\/ui\/login\?next=/);
    await p.getByLabel('Username').waitFor();
    await anon.close();

    const res = await state.bob.page.goto(state.dashboard);
    assert.equal(res.status(), 403);
    // A page in Gatehouse's style with a way back, not raw JSON; accessible at both sizes.
    await state.bob.page.getByRole('link', { name: 'Back to your clusters' }).waitFor();
    await checkBothSizes(state.bob.page, 'dashboard-forbidden');
    await state.bob.page.goBack();

    // After logging in, the owner is taken back to the dashboard (on the cluster's own host).
    const again = await browser.newContext();
    const q = await again.newPage();
    await q.goto(state.dashboard);
    await q.getByLabel('Username').fill('alice');
    await q.getByLabel('Password').fill('secret');
    await q.getByRole('button', { name: 'Log in' }).click();
    const c = state.aliceCluster;
    await q.waitForURL(
      new RegExp(`^http://${c}\\.dashboards\\.localhost:\\d+/clusters/${c}/status$`)
    );
    await again.close();
  });

  it('stops a cluster after confirmation', async () => {
    const { page } = state.alice;
    await page.goto(`${gh.url}/ui/clusters/${state.aliceCluster}`);
    const card = page.locator(`[data-cluster="${state.aliceCluster}"]`);
    await card.getByRole('button', { name: 'Stop' }).click();
    const status = await statusOf(page, state.aliceCluster);
    await until(async () => (await status.textContent()) === 'STOPPED', T, 'STOPPED');
    assert.equal(await card.getByTestId('stop-reason').textContent(), 'stopped by its owner');
  });

  it("an admin stops another user's cluster; the owner sees it stopped by an admin", async () => {
    const { page } = state.admin;
    await page.goto(`${gh.url}/ui/admin/clusters`);
    const row = page.locator(`tr[data-cluster="${state.bobCluster}"]`);
    await row.waitFor();
    await shot(page, 'admin');
    await row.getByRole('button', { name: 'Stop' }).click();
    await page
      .locator(`tr[data-cluster="${state.bobCluster}"][data-status=STOPPED]`)
      .waitFor({ timeout: T });

    const bob = state.bob.page;
    await bob.goto(`${gh.url}/ui/clusters/${state.bobCluster}`);
    const status = await statusOf(bob, state.bobCluster);
    await until(async () => (await status.textContent()) === 'STOPPED', T, 'STOPPED');
    assert.equal(await bob.getByTestId('stop-reason').textContent(), 'stopped by an admin');
  });

  it('stays on the gateway after login with an off-site next (finding 7)', async () => {
    const origin = new URL(gh.url).origin;
    for (const next of ['/%5Cevil.example/x', '/%09/evil.example', '//evil.example/x']) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${gh.url}/ui/login?next=${next}`);
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('secret');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'My clusters' }).waitFor();
      assert.equal(new URL(page.url()).origin, origin, next);
      await context.close();
    }
  });

  it('no page violated the Content-Security-Policy (the guard itself works)', async () => {
    assertNoCspViolations();
    // Positive control: an inline script in a UI page is blocked, and the guard sees it.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${gh.url}/ui/login`);
    await page.getByLabel('Username').waitFor();
    await page.evaluate(() => {
      const s = globalThis.document.createElement('script');
      s.textContent = 'globalThis.inlineRan = true';
      globalThis.document.body.append(s);
    });
    await until(() => cspViolations.length > 0, 10_000, 'the inline script to be reported');
    assert.equal(await page.evaluate(() => globalThis.inlineRan), undefined);
    cspViolations.length = 0;
    await context.close();
  });
});

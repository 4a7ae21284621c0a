// Sharing a cluster in a real browser against a real Gatehouse with real Dask (issue 22): alice
// shares her running cluster with bob at `use` from the Sharing panel of its page; bob finds it
// under "Shared with me" (owner alice, level use), opens its page (no scale control) and its
// dashboard in Chromium; alice revokes the share; bob's cluster page and dashboard then refuse
// him. Every state passes axe-core without sideways scrolling at 1280×800 and 360×740.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { api, assertNoCspViolations, launchChromium, startGatehouse, until } from './gatehouse.mjs';
import { checkBothSizes, loginAs } from './web-user-kit.mjs';

const T = 120_000; // two shared cores start Dask processes slowly
let gh;
let browser;
const s = {};

describe('sharing a cluster in the web UI', { timeout: 400_000 }, () => {
  before(async () => {
    gh = await startGatehouse({
      auth: { type: 'basic', password: null },
      access: { grant_all_authenticated: true, bootstrap_admin_token: false, admin_users: [] },
    });
    const created = await api(gh.url, 'alice', 'POST', '/api/v1/clusters/', {});
    assert.equal(created.status, 201, JSON.stringify(created.body));
    s.id = created.body.name;
    browser = await launchChromium();
    s.alice = await loginAs(browser, gh.url, 'alice');
    s.bob = await loginAs(browser, gh.url, 'bob');
  });
  afterEach(async (t) => {
    if (t.passed !== false) return;
    console.log(gh.logTail());
    for (const who of ['alice', 'bob'])
      await s[who]?.page
        .screenshot({
          path: path.join(tmpdir(), `gatehouse-e2e-failed-shares-${who}.png`),
          fullPage: true,
        })
        .catch(() => undefined);
  });
  after(async () => {
    if (s.id !== undefined) await api(gh.url, 'alice', 'DELETE', `/api/v1/clusters/${s.id}`);
    await browser?.close();
    await gh?.stop();
  });

  it('alice shares her running cluster with bob (use) from its page', async () => {
    const { page } = s.alice;
    await page.goto(`${gh.url}/ui/clusters/${s.id}`);
    const status = page.getByTestId('status').first();
    await until(async () => (await status.textContent()) === 'RUNNING', T, 'RUNNING');
    const panel = page.getByTestId('sharing');
    await panel.getByText('Not shared with anyone.').waitFor();
    await panel.getByLabel('Name').fill('bob');
    await panel.getByLabel('Level').selectOption('use');
    await panel.getByRole('button', { name: 'Share' }).click();
    await panel.locator('[data-share="user:bob"]').getByText(/^use:/).waitFor();
    await checkBothSizes(page, 'cluster-sharing');
  });

  it('bob sees it under Shared with me, opens it without a scale control, and its dashboard', async () => {
    const { page, context } = s.bob;
    await page.goto(`${gh.url}/ui/`);
    const shared = page.getByTestId('shared-clusters');
    const row = shared.locator(`[data-cluster="${s.id}"]`);
    await row.waitFor({ timeout: 30_000 });
    assert.equal(await row.getByTestId('owner').textContent(), 'alice');
    assert.match((await row.getByTestId('level').textContent()) ?? '', /^use:/);
    await checkBothSizes(page, 'shared-with-me');

    await row.getByRole('link').click();
    await page.waitForURL(new RegExp(`/ui/clusters/${s.id}$`));
    await page
      .getByTestId('shared-note')
      .getByText(/by alice/)
      .waitFor();
    await page.getByRole('link', { name: 'Open dashboard' }).waitFor({ timeout: T });
    assert.equal(await page.getByRole('button', { name: 'Scale' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Stop' }).count(), 0);
    assert.equal(await page.getByTestId('sharing').count(), 0);
    await checkBothSizes(page, 'cluster-shared-use');

    const href = await page.getByRole('link', { name: 'Open dashboard' }).getAttribute('href');
    s.dashboard = new URL(href ?? '', gh.url).href;
    s.dash = await context.newPage();
    const res = await s.dash.goto(s.dashboard);
    assert.equal(res?.status(), 200);
    await s.dash
      .getByRole('link', { name: 'Workers', exact: true })
      .first()
      .waitFor({ timeout: T });
    assert.match(new URL(s.dash.url()).hostname, new RegExp(`^${s.id}\\.dashboards\\.localhost$`));
    assertNoCspViolations();
  });

  it('after alice revokes the share, the page and the dashboard refuse bob', async () => {
    const panel = s.alice.page.getByTestId('sharing');
    await panel.getByRole('button', { name: 'Revoke the share with user bob' }).click();
    await panel.getByText('Not shared with anyone.').waitFor();

    const { page } = s.bob;
    await page.reload();
    await page.getByRole('heading', { name: /not found/i }).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('shared-note').count(), 0);
    await page.goto(`${gh.url}/ui/`);
    await page.getByRole('heading', { name: 'My clusters' }).waitFor();
    assert.equal(await page.getByTestId('shared-clusters').count(), 0);

    const res = await s.dash.reload();
    assert.equal(res?.status(), 403);
    const again = await s.dash.goto(s.dashboard);
    assert.equal(again?.status(), 403);
    assertNoCspViolations();
  });
});

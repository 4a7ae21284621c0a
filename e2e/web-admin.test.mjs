// The admin loop in a real browser (Debian Chromium via playwright-core) against one real
// Gatehouse whose store holds 1,000 finished clusters (see web-admin-kit.mjs) and one live
// cluster: the clusters table sorted, filtered and paged by the server, a stopped cluster's
// reason one click away, scale and stop; grant and revoke by name; approve, and deny with a
// reason the user then reads; user and group quotas (a create over the user's is refused with
// the quota message); an API token issued, copied and revoked; the usage chart and its table.
// Every admin page and state passes axe-core with no sideways scroll at 1280×800 and 360×740,
// and its screenshots go to docs/screenshots/admin-<page>-<state>-<width>.png.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, assertNoCspViolations, launchChromium, until } from './gatehouse.mjs';
import { checkBothSizes, loginAs } from './web-user-kit.mjs';
import {
  SEEDED,
  SEEDED_FAILED,
  apiTotal,
  awaitRange,
  awaitStatus,
  rowNames,
  startSeededGatehouse,
} from './web-admin-kit.mjs';

const T = 120_000; // two shared cores start Dask processes slowly
const REASON = 'Please use the shared teaching cluster this term.';

let gh;
let browser;
let admin; // { context, page } of the admin, at 1280×800
let live; // alice's running cluster

const section = async (name) => {
  await admin.page.goto(`${gh.url}/ui/admin/${name}`);
  await admin.page.getByRole('heading', { level: 2 }).first().waitFor();
};

describe('web admin', { timeout: 300_000 }, () => {
  before(async () => {
    gh = await startSeededGatehouse(
      {
        auth: { type: 'basic', password: null },
        access: {
          grant_all_authenticated: false,
          bootstrap_admin_token: false,
          admin_users: ['admin'],
          contact: 'ops@example.org',
        },
        quotas: { groups: { physics: { max_clusters: 4 } } },
        profiles: [{ name: 'Small Worker', worker_cores: 1, worker_memory: '1 G', default: true }],
      },
      'alice'
    );
    for (const u of ['bob', 'carol'])
      await api(gh.url, u, 'POST', '/api/v1/access-requests', { message: `${u} needs Dask` });
    const made = await api(gh.url, 'alice', 'POST', '/api/v1/clusters/', { cluster_options: {} });
    assert.equal(made.status, 201);
    live = made.body.name;
    browser = await launchChromium();
    admin = await loginAs(browser, gh.url, 'admin');
  });
  after(async () => {
    await browser?.close();
    await gh?.stop();
    assertNoCspViolations();
  });

  it('pages, sorts and filters 1,000 clusters on the server; a stopped one shows its reason', async () => {
    const { page } = admin;
    await section('clusters');
    const all = await awaitRange(page, (r) => r.total >= SEEDED, 'the seeded clusters');
    assert.deepEqual([all.first, all.last], [1, 25]);
    await checkBothSizes(page, 'admin-clusters-list');
    await page.getByRole('button', { name: 'Next page' }).click();
    await awaitRange(page, (r) => r.first === 26 && r.last === 50, 'page 2');
    await page.getByRole('button', { name: 'Cluster', exact: true }).click();
    await awaitRange(page, (r) => r.first === 1, 'back to page 1 after sorting');
    const asc = await rowNames(page);
    assert.deepEqual(asc, [...asc].sort(), 'ascending by name');
    await page.getByRole('button', { name: 'Cluster', exact: true }).click();
    await until(async () => (await rowNames(page))[0] === 'seed-0999', 30_000, 'descending');
    await page.getByLabel('Search name or owner').fill('user7');
    await awaitRange(page, (r) => r.total === SEEDED / 25, "user7's 40 clusters");
    await page.getByLabel('Search name or owner').fill('');
    await page.getByLabel('Status').selectOption({ label: 'Failed' });
    const failed = await apiTotal(gh.url, 'status=FAILED');
    assert.ok(failed >= SEEDED_FAILED, `${failed} failed clusters`);
    await awaitRange(page, (r) => r.total === failed, 'the failed clusters');
    await checkBothSizes(page, 'admin-clusters-failed');
    await page.getByLabel('Status').selectOption({ label: 'Stopped' });
    await page.getByLabel('Search name or owner').fill('seed-0004');
    const row = page.locator('tr[data-cluster="seed-0004"]');
    await row.getByText('stopped after being idle').waitFor();
    await row.getByRole('link', { name: 'seed-0004' }).click();
    await page.waitForURL(/\/ui\/clusters\/seed-0004$/);
    await page.getByText('stopped after being idle').first().waitFor();
    await checkBothSizes(page, 'admin-clusters-stopped-cluster-page');
  });

  it('scales and stops a live cluster from the table', async () => {
    const { page } = admin;
    await awaitStatus(gh.url, 'alice', live, 'RUNNING', T);
    await section('clusters');
    await page.getByLabel('Search name or owner').fill(live);
    const row = page.locator(`tr[data-cluster="${live}"]`);
    await row.waitFor();
    await row.getByLabel(`Workers for ${live}`).fill('-1');
    await row.getByRole('button', { name: 'Scale' }).click();
    await row.getByRole('alert').getByText('whole number').waitFor();
    await row.getByLabel(`Workers for ${live}`).fill('1');
    await row.getByRole('button', { name: 'Scale' }).click();
    await page.getByRole('status').waitFor();
    await row.getByRole('button', { name: 'Stop' }).click();
    await page.locator(`tr[data-cluster="${live}"][data-status=STOPPED]`).waitFor({ timeout: T });
    await row.getByText('stopped by an admin').waitFor();
  });

  it('grants and revokes a user who filed no request', async () => {
    const { page } = admin;
    await section('users');
    await page.getByLabel('User name').fill('dave');
    await page.getByRole('button', { name: 'Grant access' }).click();
    await page.getByRole('status').getByText('Granted dave.').waitFor();
    assert.equal((await api(gh.url, 'dave', 'GET', '/api/v1/me')).body.granted, true);
    const dave = page.locator('tr[data-user=dave]');
    await dave.getByRole('cell', { name: 'granted', exact: true }).waitFor();
    await checkBothSizes(page, 'admin-users-list');
    await dave.getByRole('button', { name: 'Revoke' }).click();
    // Without a grant, request or cluster dave leaves the list, or stays with a Grant button.
    await until(
      async () =>
        (await dave.count()) === 0 ||
        (await dave.getByRole('button', { name: 'Grant' }).count()) > 0,
      30_000,
      'dave revoked'
    );
    assert.equal((await api(gh.url, 'dave', 'GET', '/api/v1/me')).body.granted, false);
    // Empty name: a field-level error, nothing sent.
    await page.getByRole('button', { name: 'Grant access' }).click();
    await page.getByRole('alert').getByText('Enter the user name').waitFor();
  });

  it('approves one request and denies another with a reason the user then reads', async () => {
    const { page } = admin;
    await section('requests');
    const carol = page.locator('[data-testid=requests] [data-user=carol]');
    await carol.getByText('carol needs Dask').waitFor();
    await checkBothSizes(page, 'admin-requests-pending');
    await carol.getByRole('button', { name: 'Approve' }).click();
    await carol.waitFor({ state: 'detached' });
    assert.equal((await api(gh.url, 'carol', 'GET', '/api/v1/me')).body.granted, true);
    const bob = page.locator('[data-testid=requests] [data-user=bob]');
    await bob.getByRole('button', { name: 'Deny' }).click();
    await bob.getByLabel('Reason bob will see').fill(REASON);
    await checkBothSizes(page, 'admin-requests-deny-form');
    await bob.getByRole('button', { name: 'Deny request' }).click();
    await bob.waitFor({ state: 'detached' });
    await page
      .locator('[data-testid=decided-requests] tr[data-user=bob]')
      .getByText(REASON)
      .waitFor();
    await checkBothSizes(page, 'admin-requests-decided');
    const b = await loginAs(browser, gh.url, 'bob');
    await b.page.getByText(REASON).waitFor();
    await b.context.close();
  });

  it('sets a user quota (a create over it is refused) and a group quota, with field errors', async () => {
    const { page } = admin;
    await api(gh.url, 'admin', 'PUT', '/api/v1/admin/grants/erin');
    await section('quotas');
    await page.getByLabel('Set the quota of user').fill('erin');
    await page.getByRole('button', { name: 'Edit quota', exact: true }).click();
    const form = page.getByRole('form', { name: 'Quota of erin' });
    await form.getByLabel('Active clusters').fill('two');
    await form.getByLabel('Cores').fill('1.5');
    await form.getByRole('button', { name: 'Save quota' }).click();
    await form.getByRole('alert').getByText('Active clusters must be a number').waitFor();
    await checkBothSizes(page, 'admin-quotas-field-error');
    await form.getByLabel('Active clusters').fill('0');
    await form.getByRole('button', { name: 'Save quota' }).click();
    await page.getByRole('status').getByText('Saved the quota of user erin').waitFor();
    const erin = page.locator('[data-testid=user-quotas] tr[data-name=erin]');
    await erin.getByText('0 clusters').waitFor();
    await erin.getByText('1.5 cores').waitFor();
    await erin.getByText('no limit').first().waitFor();
    const refused = await api(gh.url, 'erin', 'POST', '/api/v1/clusters/', { cluster_options: {} });
    assert.ok(refused.status >= 400 && refused.status < 500, String(refused.status));
    assert.match(refused.body.error, /quota does not allow.*max_clusters is 0/);
    // Positive control: back to the configured quota (none), the same create is accepted.
    await erin.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Back to the configured quota' }).click();
    await erin.getByText('0 clusters').waitFor({ state: 'detached' });
    const accepted = await api(gh.url, 'erin', 'POST', '/api/v1/clusters/', {
      cluster_options: {},
    });
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    await api(gh.url, 'erin', 'DELETE', `/api/v1/clusters/${accepted.body.name}`);

    const physics = page.locator('[data-testid=group-quotas] tr[data-name=physics]');
    await physics.getByText('4 clusters').waitFor();
    await physics.getByRole('button', { name: 'Edit' }).click();
    const g = page.getByRole('form', { name: 'Quota of physics' });
    await g.getByLabel('Workers').fill('8');
    await g.getByRole('button', { name: 'Save quota' }).click();
    await physics.getByText('8 workers').waitFor();
    await physics.getByText('admin (overrides the config)').waitFor();
    await checkBothSizes(page, 'admin-quotas-list');
    const groups = (await api(gh.url, 'admin', 'GET', '/api/v1/admin/group-quotas')).body;
    const stored = groups.find((x) => x.group === 'physics');
    assert.equal(stored.source, 'admin');
    assert.equal(stored.quota.max_workers, 8);
    await physics.getByRole('button', { name: 'Edit' }).click();
    await g.getByRole('button', { name: 'Back to the configured quota' }).click();
    await physics.getByText('config', { exact: true }).waitFor();
  });

  it('issues a token with a label, copies it, and revokes it', async () => {
    const { page, context } = admin;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gh.url });
    await section('tokens');
    await page.getByLabel('User', { exact: true }).fill('alice');
    await page.getByLabel('Label').fill('nightly-ci');
    await page.getByRole('button', { name: 'Issue token' }).click();
    const secret = await page.getByTestId('issued-token').inputValue();
    assert.ok(secret.length > 20);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByTestId('copy-note').getByText('Copied.').waitFor();
    assert.equal(await page.evaluate(() => globalThis.navigator.clipboard.readText()), secret);
    await checkBothSizes(page, 'admin-tokens-issued');
    const me = async () =>
      (await fetch(`${gh.url}/api/v1/me`, { headers: { Authorization: `Bearer ${secret}` } }))
        .status;
    assert.equal(await me(), 200);
    const row = page.locator('[data-testid=tokens] tr[data-label=nightly-ci]');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('revoked').waitFor();
    assert.equal(await me(), 401);
  });

  it('draws usage with axes and every day, and shows the same numbers as a table', async () => {
    const { page } = admin;
    await section('usage');
    const svg = page.locator('svg[role=img]');
    await svg.waitFor();
    await svg.getByText('Core-hours', { exact: true }).waitFor();
    await svg.getByText('Day (UTC)').waitFor();
    const size = await svg
      .locator('text')
      .first()
      .evaluate((t) => globalThis.getComputedStyle(t).fontSize);
    assert.ok(parseFloat(size) >= 12, `chart text is ${size}`);
    await page.getByRole('group', { name: 'Show usage as' }).waitFor();
    await checkBothSizes(page, 'admin-usage-chart');
    await page.getByRole('button', { name: 'Table' }).click();
    const rows = page.locator('[data-testid=usage-table] tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 14, 'every day of the 14-day period, zeros included');
    await page.getByLabel('Period').selectOption({ label: 'Last 30 days' });
    await until(async () => (await rows.count()) === 30, 30_000, '30 rows');
    await checkBothSizes(page, 'admin-usage-table');
  });
});

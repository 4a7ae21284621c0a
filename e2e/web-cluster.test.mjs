// A scientist's cluster in a real browser against a real Gatehouse with real Dask (issue 16,
// items 2, 7 and 8): the new-cluster form prevents mistakes (profile sizes, a pool hint, an
// initial worker count, environment variables as rows with field-level errors); the cluster
// page shows status, the connect snippet, its options with secrets masked, a workers chart,
// the cost, events in plain words and logs per process that follow live; a scale asks before
// taking more than half the free pool and the Workers input shows the truth after a clamp and
// after a scale made elsewhere; adapt with min > max is refused in the form; My clusters is a
// table that keeps a stopped cluster with its reason; another user's cluster is not found.
// Every state passes axe-core, without sideways scrolling, at 1280×800 and 360×740.
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

describe('a cluster in the web UI', { timeout: 400_000 }, () => {
  before(async () => {
    gh = await startGatehouse({
      auth: { type: 'basic', password: null },
      access: { grant_all_authenticated: true, bootstrap_admin_token: false, admin_users: [] },
      profiles: [
        { name: 'Small Worker', worker_cores: 1, worker_memory: '1 G', default: true },
        { name: 'Medium Worker', worker_cores: 2, worker_memory: '2 G' },
      ],
      environment_variables: { enabled: true },
      pool: {
        machine_types: [{ name: 'm', cores: 2, memory: '4 G', count: 2 }],
        when_full: 'clamp',
      },
    });
    browser = await launchChromium();
    s.alice = await loginAs(browser, gh.url, 'alice');
  });
  afterEach(async (t) => {
    if (t.passed !== false) return;
    console.log(gh.logTail());
    await s.alice?.page
      .screenshot({ path: path.join(tmpdir(), 'gatehouse-e2e-failed-cluster.png'), fullPage: true })
      .catch(() => undefined);
  });
  after(async () => {
    await browser?.close();
    await gh?.stop();
  });

  it('the new-cluster form shows sizes and the pool, and refuses a bad variable by its label', async () => {
    const { page } = s.alice;
    await page.getByRole('navigation').getByRole('link', { name: 'New cluster' }).click();
    const profile = page.getByLabel('Cluster Profile');
    await until(
      async () => /Medium Worker \(2 cores, 2 GiB\)/.test((await profile.textContent()) ?? ''),
      30_000,
      'the profile choices to show their size'
    );
    await profile.selectOption({ label: 'Medium Worker (2 cores, 2 GiB)' });
    await page
      .getByTestId('pool-hint')
      .getByText(/up to 2 workers/)
      .waitFor();
    await page.getByLabel('Workers to start').fill('1');
    await checkBothSizes(page, 'new-cluster-form');

    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel('Variable 1 name').fill('1 BAD');
    await page.getByLabel('Variable 1 value').fill('x');
    await page.getByRole('button', { name: 'Create cluster' }).click();
    const err = page.getByTestId('error-environment_vars');
    await err.getByText(/Environment Variables/).waitFor();
    assert.match(page.url(), /\/ui\/new$/);
    await checkBothSizes(page, 'new-cluster-invalid');

    await page.getByLabel('Variable 1 name').fill('MY_SETTING');
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel('Variable 2 name').fill('SECRET_TOKEN');
    await page.getByLabel('Variable 2 value').fill('hunter2');
    await page.getByRole('button', { name: 'Create cluster' }).click();
    await page.waitForURL(/\/ui\/clusters\/[^/?]+(\?workers=1)?$/);
    s.name = decodeURIComponent(new URL(page.url()).pathname.split('/ui/clusters/')[1]);
  });

  it('the cluster page: status, snippet, masked options, chart, cost, events and live logs', async () => {
    const { page } = s.alice;
    const status = page.getByTestId('status').first();
    await until(async () => (await status.textContent()) === 'RUNNING', T, 'RUNNING');
    await page
      .getByTestId('workers')
      .getByText(/^1 running$/)
      .waitFor({ timeout: T });
    assert.match(
      (await page.getByTestId('snippet').textContent()) ?? '',
      new RegExp(`gateway\\.connect\\("${s.name}"\\)`)
    );
    const options = page.getByTestId('options');
    await options.getByText('MY_SETTING').waitFor();
    await options.getByText('••••').waitFor();
    assert.doesNotMatch((await page.content()) ?? '', /hunter2/);
    await page.getByTestId('worker-chart').locator('svg').waitFor();
    assert.match((await page.getByTestId('cost').textContent()) ?? '', /core-hour/);
    const events = page.getByTestId('events');
    await events.getByText(/1 worker started/).waitFor({ timeout: T });
    assert.match((await events.textContent()) ?? '', /ago|just now/);
    const logs = page.getByTestId('logs');
    await logs.getByRole('heading', { name: 'Scheduler' }).waitFor({ timeout: T });
    await logs
      .getByRole('heading', { name: /^Worker / })
      .first()
      .waitFor({ timeout: T });
    assert.doesNotMatch((await logs.textContent()) ?? '', /scheduler scheduler/i);
    await checkBothSizes(page, 'cluster-running');
  });

  it('a scale asks before taking most of the pool; the Workers input shows the truth', async () => {
    const { page } = s.alice;
    const dialogs = [];
    page.removeAllListeners('dialog');
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    const input = page.getByLabel('Workers', { exact: true });
    await input.fill('100000');
    await page.getByRole('button', { name: 'Scale', exact: true }).click();
    await page
      .getByTestId('scale-message')
      .getByText(/clamped to 2/)
      .waitFor({ timeout: T });
    assert.match(dialogs.join('\n'), /more than half/);
    await until(async () => (await input.inputValue()) === '2', T, 'the input to read 2');
    await checkBothSizes(page, 'cluster-clamped');

    // A scale made elsewhere (the CLI, a notebook) shows in the input too.
    const r = await api(gh.url, 'alice', 'POST', `/api/v1/clusters/${s.name}/scale`, { count: 1 });
    assert.equal(r.status, 200);
    await until(async () => (await input.inputValue()) === '1', T, 'the input to read 1');
    // The worker that scale stopped is marked in the logs, which followed without a click.
    await page
      .getByTestId('logs')
      .getByText('stopped', { exact: true })
      .first()
      .waitFor({ timeout: T });

    await page.getByLabel('Adaptive minimum').fill('6');
    await page.getByLabel('Adaptive maximum').fill('2');
    await page.getByRole('button', { name: 'Adapt' }).click();
    await page
      .getByTestId('adapt-error')
      .getByText(/minimum .*6.* maximum .*2/i)
      .waitFor();
    await checkBothSizes(page, 'cluster-adapt-invalid');
  });

  it("another user's cluster is not found; My clusters is a table", async () => {
    const bob = await loginAs(browser, gh.url, 'bob');
    await bob.page.goto(`${gh.url}/ui/clusters/${s.name}`);
    await bob.page.getByRole('heading', { name: `Cluster ${s.name} not found` }).waitFor();
    await bob.context.close();

    const { page } = s.alice;
    await page.getByRole('link', { name: 'My clusters' }).click();
    const row = page.locator(`tr[data-cluster="${s.name}"]`);
    await row.getByText('Medium Worker').waitFor();
    await checkBothSizes(page, 'clusters-table');
  });

  it('a stopped cluster keeps its reason on its page and in the table, holding nothing', async () => {
    const { page } = s.alice;
    await page.goto(`${gh.url}/ui/clusters/${s.name}`);
    await page.getByRole('button', { name: 'Stop' }).click();
    const status = page.getByTestId('status').first();
    await until(async () => (await status.textContent()) === 'STOPPED', T, 'STOPPED');
    await page.getByText('stopped by its owner').first().waitFor();
    await page.getByTestId('in-use').getByText('0 cores, 0 B').waitFor();
    await checkBothSizes(page, 'cluster-stopped');
    await page.getByRole('link', { name: 'My clusters' }).click();
    const row = page.locator(`tr[data-cluster="${s.name}"]`);
    await row.getByText('stopped by its owner').waitFor();
    await checkBothSizes(page, 'clusters-history');
    assertNoCspViolations();
  });
});

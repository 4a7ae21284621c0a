// Starts a real Gatehouse process (the built CLI) for the browser tests, and a Chromium from
// Debian's package driven by playwright-core (no browser download).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Polls `check` every 100 ms until it returns a truthy value or `ms` pass. */
export async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(100);
  }
}

/** Starts Gatehouse with `config` merged over a test base; resolves with its URL and a stop(). */
export async function startGatehouse(config) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-e2e-'));
  const cfg = {
    listen: '127.0.0.1:0',
    data_dir: path.join(dir, 'data'),
    stop_clusters_on_shutdown: true,
    log: { level: 'info' },
    backend: {
      type: 'local',
      heartbeat_period: 2,
      heartbeat_timeout: 60,
      check_timeouts_period: 0.5,
      cluster_status_period: 1,
      worker_status_period: 1,
      sigint_timeout: 5,
    },
    ...config,
  };
  const file = path.join(dir, 'gatehouse.json');
  writeFileSync(file, JSON.stringify(cfg));
  const ready = path.join(dir, 'ready.json');
  const logFile = path.join(dir, 'gatehouse.log');
  const { openSync } = await import('node:fs');
  const out = openSync(logFile, 'a');
  const proc = spawn(
    process.execPath,
    [path.join(root, 'packages/cli/bin/gatehouse.js'), 'serve', '-c', file, '--ready-file', ready],
    { cwd: root, stdio: ['ignore', out, out] }
  );
  let exited = null;
  proc.on('exit', (code) => {
    exited = code ?? -1;
  });
  const text = await until(
    () => {
      if (exited !== null)
        throw new Error(`gatehouse exited ${exited}: ${readFileSync(logFile, 'utf8')}`);
      return existsSync(ready) && readFileSync(ready, 'utf8');
    },
    60_000,
    'gatehouse to serve'
  );
  const url = JSON.parse(text).url;
  return {
    url,
    logTail: () => readFileSync(logFile, 'utf8').split('\n').slice(-60).join('\n'),
    async stop() {
      if (exited !== null) return;
      proc.kill('SIGTERM');
      await until(() => exited !== null, 90_000, 'gatehouse to exit');
    },
  };
}

/** Content-Security-Policy violations seen by any page of a browser from launchChromium. */
export const cspViolations = [];

/** Fails (throws) when some page reported a CSP violation, listing them. */
export function assertNoCspViolations() {
  if (cspViolations.length > 0)
    throw new Error(`Content-Security-Policy violations:\n  ${cspViolations.join('\n  ')}`);
}

/** Launches headless Debian Chromium with the flags this closed network needs (Playwright gives
 * every launch a fresh, empty profile), plus `extraArgs`. Every context it makes records CSP
 * violations of the web UI's pages (`/ui/…`: the `securitypolicyviolation` event and Chromium's
 * console errors) in `cspViolations`; dashboards have policies of their own. */
export async function launchChromium(extraArgs = []) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (opts) => {
    const context = await newContext(opts);
    await context.addInitScript(() => {
      globalThis.document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
      });
    });
    context.on('console', (msg) => {
      const page = msg.page()?.url() ?? msg.location().url;
      const onUi = /^\/ui(\/|$)/.test(
        new URL(page, 'http://x').pathname.replace(/^\/[^/]+(?=\/ui)/, '')
      );
      if (onUi && /Content.Security.Policy|CSP violation/i.test(msg.text()))
        cspViolations.push(`${page}: ${msg.text()}`);
    });
    return context;
  };
  return browser;
}

/** An API call with Basic credentials (test setup only; the browser flows use the UI). */
export async function api(url, user, method, route, body) {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: {
      Authorization: `Basic ${Buffer.from(`${user}:x`).toString('base64')}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

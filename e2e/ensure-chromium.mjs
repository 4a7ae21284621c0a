#!/usr/bin/env node
// Makes sure Debian's Chromium is installed for the browser tests: installs the `chromium`
// package with apt-get when /usr/bin/chromium is missing (CI runs as root). Playwright's own
// browser download is never used.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const apt = (...args) => {
    const [cmd, ...rest] = [...asRoot, 'apt-get', ...args];
    const r = spawnSync(cmd, rest, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0) {
      console.error(`e2e: apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
      process.exit(1);
    }
  };
  console.error('e2e: installing Debian chromium…');
  apt('update', '-qq');
  apt('install', '-y', '-qq', '--no-install-recommends', 'chromium');
}
if (!existsSync(CHROMIUM)) {
  console.error(`e2e: ${CHROMIUM} is still missing after installing chromium`);
  process.exit(1);
}

import { after, before, it } from 'node:test';
import { launchChromium, startGatehouse } from './gatehouse.mjs';
import { loginAs } from './web-user-kit.mjs';
let gh, browser;
before(async () => {
  gh = await startGatehouse({ auth: { type: 'basic', password: null }, access: { grant_all_authenticated: true, bootstrap_admin_token: false },
    profiles: [ { name: 'Small Worker', worker_cores: 1, worker_memory: '1 G', default: true }, { name: 'Medium Worker', worker_cores: 2, worker_memory: '2 G' } ],
    environment_variables: { enabled: true } });
  browser = await launchChromium();
});
after(async () => { await browser?.close(); await gh?.stop(); });
it('look', async () => {
  const { page } = await loginAs(browser, gh.url, 'alice', { width: 360, height: 740 });
  for (const p of (process.env.PAGES ?? '/new').split(',')) {
    await page.goto(`${gh.url}/ui${p}`);
    await new Promise((r) => setTimeout(r, 1500));
    const wide = await page.evaluate(() => [...document.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > 361).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 15));
    console.log('WIDE', p, JSON.stringify(wide));
    await page.screenshot({ path: `/tmp/wu/${p.replace(/\//g, '_')}-360.png`, fullPage: true });
  }
});

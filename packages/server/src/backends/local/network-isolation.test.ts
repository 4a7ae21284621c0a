/**
 * The network isolation choice and the API endpoints the firewall lets clusters reach.
 * @module
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { apiEndpoints, chooseNetworkIsolation } from './network-isolation.js';

test('API endpoints come from the URL; wildcards mean loopback; names are resolved', async () => {
  assert.deepEqual(await apiEndpoints('http://127.0.0.1:8000/api'), [
    { address: '127.0.0.1', port: 8000 },
  ]);
  assert.deepEqual(await apiEndpoints('https://[::1]/gw/api'), [{ address: '::1', port: 443 }]);
  assert.deepEqual(await apiEndpoints('http://0.0.0.0:81/api'), [
    { address: '0.0.0.0', port: 81 },
    { address: '127.0.0.1', port: 81 },
  ]);
  const named = await apiEndpoints('http://localhost:9000/api');
  assert.ok(named.some((e) => e.address === '127.0.0.1' || e.address === '::1'));
});

test('none builds no firewall and says why', async () => {
  const chosen = await chooseNetworkIsolation({
    setting: 'none',
    instanceId: 'x',
    log: pino({ level: 'silent' }),
    deleteOnClose: false,
  });
  assert.equal(chosen.firewall, null);
  assert.match(chosen.warning ?? '', /network_isolation is none/);
});

test('nftables refuses to start without nft; auto falls back to none and says why', async () => {
  const base = { instanceId: 'x', log: pino({ level: 'silent' }), deleteOnClose: false };
  const nft = ['/nonexistent/nft'];
  await assert.rejects(
    chooseNetworkIsolation({ ...base, setting: 'nftables', nft }),
    /network_isolation is nftables, but the loopback firewall cannot run: (.*not installed|the gateway does not run as root)/
  );
  const auto = await chooseNetworkIsolation({ ...base, setting: 'auto', nft });
  assert.equal(auto.firewall, null);
  assert.match(auto.warning ?? '', /no loopback firewall/);
});

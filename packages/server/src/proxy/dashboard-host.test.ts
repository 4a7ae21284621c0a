/**
 * Host routing of dashboards: which Host headers name a cluster's dashboard host, and where a
 * browser is sent for a cluster's dashboard (configured domain, automatic `*.localhost`, none).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDashboardHosts, hostName, isLoopbackHost } from './dashboard-host.js';

const C = '0123456789abcdef0123456789abcdef';

describe('dashboard hosts', () => {
  it('parses host names', () => {
    assert.equal(hostName('Example.ORG:8000'), 'example.org');
    assert.equal(hostName('[::1]:80'), '::1');
    assert.equal(hostName(undefined), '');
    assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('localhost') && isLoopbackHost('::1'));
    assert.ok(!isLoopbackHost('gateway.example.org') && !isLoopbackHost('10.0.0.1'));
  });

  it('recognises <cluster>.<domain> only, one DNS label deep', () => {
    const h = createDashboardHosts('dash.example.org');
    assert.equal(h.clusterOf(`${C}.dash.example.org`), C);
    assert.equal(h.clusterOf(`${C}.DASH.example.org:443`), C);
    assert.equal(h.clusterOf('dash.example.org'), null);
    assert.equal(h.clusterOf(`a.${C}.dash.example.org`), null);
    assert.equal(h.clusterOf(`${C}.dash.example.org.evil.test`), null);
    assert.equal(h.clusterOf('gateway.example.org'), null);
    assert.equal(h.clusterOf(undefined), null);
  });

  it('sends browsers to the configured domain with their scheme and port', () => {
    const h = createDashboardHosts('dash.example.org');
    assert.equal(h.originFor(C, 'gateway.example.org', true), `https://${C}.dash.example.org`);
    assert.equal(
      h.originFor(C, 'gateway.example.org:8443', false),
      `http://${C}.dash.example.org:8443`
    );
    assert.equal(h.originFor('not a label', 'gateway.example.org', true), null);
  });

  it('without a domain: *.dashboards.localhost for loopback browsers, none for others', () => {
    const h = createDashboardHosts(null);
    assert.equal(h.originFor(C, '127.0.0.1:8000', false), `http://${C}.dashboards.localhost:8000`);
    assert.equal(h.originFor(C, 'localhost:8000', false), `http://${C}.dashboards.localhost:8000`);
    assert.equal(h.originFor(C, 'gateway.example.org', true), null);
    assert.equal(h.clusterOf(`${C}.dashboards.localhost:8000`), C);
  });

  it('gives a Kubernetes cluster (<namespace>.<id>) a host of its own: <namespace>--<id>', () => {
    const h = createDashboardHosts('dash.example.org');
    const k = `dask-users.${C}`;
    assert.equal(
      h.originFor(k, 'gateway.example.org', true),
      `https://dask-users--${C}.dash.example.org`
    );
    assert.equal(h.clusterOf(`dask-users--${C}.dash.example.org`), k);
    // A namespace with '--' of its own: the id (hex) never holds one, so the last '--' splits.
    assert.equal(h.clusterOf(`a--b--${C}.dash.example.org`), `a--b.${C}`);
    assert.equal(
      h.originFor(`a--b.${C}`, 'gateway.example.org', true),
      `https://a--b--${C}.dash.example.org`
    );
    // Too long for one DNS label: no host (the browser is told, as for any unusable name).
    assert.equal(h.originFor(`${'n'.repeat(40)}.${C}`, 'gateway.example.org', true), null);
    assert.equal(h.clusterOf(`${C}.dash.example.org`), C);
  });
});

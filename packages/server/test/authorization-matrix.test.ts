/**
 * The authorization matrix: every API route × every kind of caller → the HTTP status it must
 * get. The expected table is written out below; the list of routes comes from the running
 * server's router, so a route added without a row fails this test.
 *
 * One real gateway (in-memory store, local backend) serves every cell. User A and user B each
 * have a real, RUNNING cluster (scale, adapt and heartbeats reach a live scheduler); the
 * clusters that cells create or delete use an "inert" profile whose scheduler is `sleep`, so
 * they cost nothing. Cells that must be refused run first (a correct server changes nothing for
 * them), then the ones that must succeed, then the cluster token deleting its own cluster.
 *
 * Group grants: the Basic authenticator and API tokens carry no groups, so the "group" column is
 * a Basic user granted individually by an admin. Exercising `access.grant_groups` needs an
 * authenticator that reports groups (JupyterHub): share-matrix.test.ts has the share identities
 * (use, manage, revoked and group shares) under JupyterHub, with the audit log they leave.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.js';
import { startGateway, type Gateway } from '../src/gateway.js';

// ---------------------------------------------------------------------------------------------
// The callers (the matrix's columns)
// ---------------------------------------------------------------------------------------------

const WHO = [
  'anonymous', //          no credentials at all
  'ungranted', //          Basic user never granted
  'userA', //              Basic user granted by an admin; owns cluster A
  'userB', //              Basic user granted by an admin; owns cluster B
  'group', //              "group-granted" user (see the module comment: granted individually)
  'admin', //              Basic user listed in access.admin_users
  'clusterToken', //       `Authorization: token <cluster A's token>`
  'otherClusterToken', //  `Authorization: token <cluster B's token>`
  'wrongToken', //         `Authorization: Bearer <a token nobody issued>`
  'revokedToken', //       `Authorization: Bearer <an admin API token, since revoked>`
  'revokedCookie', //      only the session cookie of a user whose grant was then revoked
] as const;
type Who = (typeof WHO)[number];

// ---------------------------------------------------------------------------------------------
// The expected matrix. A row is `METHOD /pattern` as registered, optionally followed by a
// parenthesised variant; REQUESTS below says which concrete request each row sends.
// ---------------------------------------------------------------------------------------------

// prettier-ignore
const EXPECTED: Readonly<Record<string, readonly number[]>> = {
  //                                                               anon ungr    A    B  grp  adm ctok otok wrng rtok rcook
  'GET /api/health':                                              [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  'GET /api/version':                                             [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  'GET /api/v1/options':                                          [401, 403, 200, 200, 200, 200, 401, 401, 401, 401, 403],
  'GET /api/v1/clusters/':                                        [401, 403, 200, 200, 200, 200, 401, 401, 401, 401, 403],
  'POST /api/v1/clusters/':                                       [401, 403, 201, 201, 201, 201, 401, 401, 401, 401, 403],
  'GET /api/v1/clusters':                                         [401, 403, 200, 200, 200, 200, 401, 401, 401, 401, 403],
  'POST /api/v1/clusters':                                        [401, 403, 201, 201, 201, 201, 401, 401, 401, 401, 403],
  // A's cluster; owner-only (admins use the admin API).
  'GET /api/v1/clusters/:cluster_name':                           [401, 403, 200, 403, 403, 403, 401, 401, 401, 401, 403],
  // A and B both named their cluster NAME: a name means the caller's own cluster, or none.
  'GET /api/v1/clusters/:cluster_name (by name)':                 [401, 403, 200, 200, 404, 404, 401, 401, 401, 401, 403],
  // A's cluster (user A deletes a spare cluster of theirs; cluster A's token deletes cluster A).
  'DELETE /api/v1/clusters/:cluster_name':                        [401, 403, 204, 403, 403, 403, 204, 401, 401, 401, 403],
  'DELETE /api/v1/clusters/:cluster_name (unknown cluster)':      [401, 403, 204, 204, 204, 204, 401, 401, 401, 401, 403],
  'POST /api/v1/clusters/:cluster_name/scale':                    [401, 403, 200, 403, 403, 403, 401, 401, 401, 401, 403],
  'POST /api/v1/clusters/:cluster_name/adapt':                    [401, 403, 200, 403, 403, 403, 401, 401, 401, 401, 403],
  // B shared cluster B with A (use), admin (manage) and gina (manage, then revoked):
  // use reads it, manage also scales, the revoked share gives nothing.
  "GET /api/v1/clusters/:cluster_name (B's, shared)":             [401, 403, 200, 200, 403, 200, 401, 401, 401, 401, 403],
  "POST /api/v1/clusters/:cluster_name/scale (B's, shared)":      [401, 403, 403, 200, 403, 200, 401, 401, 401, 401, 403],
  "GET /api/proxy/dashboard-auth/:cluster_name (B's, shared)":    [401, 403, 204, 204, 403, 204, 401, 401, 401, 401, 403],
  "POST /api/v1/clusters/:cluster_name/adapt (B's, shared)":      [401, 403, 403, 200, 403, 200, 401, 401, 401, 401, 403],
  "GET /api/v1/clusters/:cluster_name/events (B's, shared)":      [401, 403, 200, 200, 403, 200, 401, 401, 401, 401, 403],
  "GET /api/v1/clusters/:cluster_name/logs (B's, shared)":        [401, 403, 200, 200, 403, 200, 401, 401, 401, 401, 403],
  // The web UI's cluster page: a sharer reads it (with share_level); a revoked share is not found.
  "GET /api/v1/me/clusters/:name (B's, shared)":                  [401, 403, 200, 200, 404, 200, 401, 401, 401, 401, 403],
  // Only the owner lists, grants and revokes shares (A's cluster; the revoked share is A's to frank).
  'GET /api/v1/clusters/:cluster_name/shares':                    [401, 403, 200, 403, 403, 403, 401, 401, 401, 401, 403],
  'PUT /api/v1/clusters/:cluster_name/shares/:kind/:principal':   [401, 403, 200, 403, 403, 403, 401, 401, 401, 401, 403],
  'DELETE /api/v1/clusters/:cluster_name/shares/:kind/:principal':[401, 403, 204, 403, 403, 403, 401, 401, 401, 401, 403],
  'GET /api/v1/me/shared-clusters':                               [401, 403, 200, 200, 200, 200, 401, 401, 401, 401, 403],
  // Only the cluster's own token may heartbeat; user credentials never do.
  'POST /api/v1/clusters/:cluster_name/heartbeat':                [401, 401, 401, 401, 401, 401, 200, 401, 401, 401, 401],
  "POST /api/v1/clusters/:cluster_name/heartbeat (B's cluster)":  [401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401],
  // Any authenticated user may ask who they are and file an access request (granted ones: 422).
  'GET /api/v1/me':                                               [401, 200, 200, 200, 200, 200, 401, 401, 401, 401, 200],
  'POST /api/v1/access-requests':                                 [401, 201, 422, 422, 422, 422, 401, 401, 401, 401, 201],
  'GET /api/v1/pool':                                             [401, 403, 200, 200, 200, 200, 401, 401, 401, 401, 403],
  'GET /api/v1/me/budget':                                        [401, 403, 200, 200, 200, 200, 401, 401, 401, 401, 403],
  'GET /api/v1/admin/budgets/:name':                              [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'POST /api/v1/admin/budgets/:name/grants':                      [401, 403, 403, 403, 403, 201, 401, 401, 401, 401, 403],
  // Nothing waits in the matrix's pool: admins get 404.
  'POST /api/v1/admin/queue/:name/move':                          [401, 403, 403, 403, 403, 404, 401, 401, 401, 401, 403],
  'DELETE /api/v1/admin/queue/:name':                             [401, 403, 403, 403, 403, 404, 401, 401, 401, 401, 403],
  'GET /api/v1/admin/clusters':                                   [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'POST /api/v1/admin/clusters/:name/stop':                       [401, 403, 403, 403, 403, 204, 401, 401, 401, 401, 403],
  'POST /api/v1/admin/clusters/:name/scale':                      [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'GET /api/v1/admin/users':                                      [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'PUT /api/v1/admin/grants/:name':                               [401, 403, 403, 403, 403, 204, 401, 401, 401, 401, 403],
  'DELETE /api/v1/admin/grants/:name':                            [401, 403, 403, 403, 403, 204, 401, 401, 401, 401, 403],
  'GET /api/v1/admin/requests':                                   [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'POST /api/v1/admin/requests/:name/approve':                    [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'POST /api/v1/admin/requests/:name/deny':                       [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'GET /api/v1/admin/tokens':                                     [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'POST /api/v1/admin/tokens':                                    [401, 403, 403, 403, 403, 201, 401, 401, 401, 401, 403],
  'DELETE /api/v1/admin/tokens/:name':                            [401, 403, 403, 403, 403, 204, 401, 401, 401, 401, 403],
  'GET /api/v1/admin/quotas/:name':                               [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'PUT /api/v1/admin/quotas/:name':                               [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'DELETE /api/v1/admin/quotas/:name':                            [401, 403, 403, 403, 403, 204, 401, 401, 401, 401, 403],
  'GET /api/v1/admin/group-quotas':                               [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'PUT /api/v1/admin/group-quotas/:name':                          [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'DELETE /api/v1/admin/group-quotas/:name':                       [401, 403, 403, 403, 403, 204, 401, 401, 401, 401, 403],
  'GET /api/v1/admin/usage':                                      [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'GET /api/v1/admin/audit':                                      [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'GET /api/v1/admin/environments':                               [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'GET /api/v1/clusters/:cluster_name/logs':                      [401, 403, 200, 403, 403, 200, 401, 401, 401, 401, 403],
  // Admins, or the metrics scrape token (python/tests/test_metrics.py).
  'GET /api/metrics':                                             [401, 403, 403, 403, 403, 200, 401, 401, 401, 401, 403],
  'GET /api/openapi.json':                                        [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  'GET /api/v1/clusters/:cluster_name/events':                    [401, 403, 200, 403, 403, 200, 401, 401, 401, 401, 403],
  'GET /api/v1/events':                                           [401, 403, 200, 200, 200, 200, 401, 401, 401, 401, 403],
  'GET /api/v1/me/clusters':                                    [401, 403, 200, 200, 200, 200, 401, 401, 401, 401, 403],
  // A's cluster: owner and admins; anyone else is told it does not exist.
  'GET /api/v1/me/clusters/:name':                              [401, 403, 200, 404, 404, 200, 401, 401, 401, 401, 403],
  'GET /api/ui/session':                                        [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  'POST /api/ui/login':                                         [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403],
  'POST /api/ui/logout':                                        [204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204],
  // Basic auth: no browser login through JupyterHub (src/auth/hub-oauth.test.ts, test_jupyterhub.py).
  // The external proxy's dashboard check: what the dashboard of cluster A would answer.
  'GET /api/proxy/dashboard-auth/:cluster_name':                [401, 403, 204, 403, 403, 204, 401, 401, 401, 401, 403],
  'GET /api/ui/oauth/start':                                    [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
  'GET /api/ui/oauth/callback':                                 [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
  'GET /ui':                                                    [302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302],
  'GET /ui/*':                                                  [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  'GET /':                                                      [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
  // A dashboard path by name: redirected to the caller's own cluster of that name, if any.
  'GET /clusters/:cluster_name/*':                              [401, 403, 302, 302, 404, 404, 401, 401, 401, 401, 403],
};

// ---------------------------------------------------------------------------------------------
// The concrete request of each row
// ---------------------------------------------------------------------------------------------

/** What the setup created, for concrete paths and bodies. */
interface Fixture {
  /** User A's and user B's RUNNING clusters. */
  readonly clusterA: string;
  readonly clusterB: string;
  /** An inert cluster of user A, for A's own DELETE. */
  readonly spareA: string;
  /** An inert cluster of user B, for the admin stop. */
  readonly spareB: string;
  /** Pending access requests of two throwaway users. */
  readonly requestToApprove: number;
  readonly requestToDeny: number;
  /** An API token id of a throwaway user, for the admin revoke. */
  readonly tokenToRevoke: string;
  /** A valid heartbeat for the named cluster, from its current record. */
  heartbeat(cluster: string): unknown;
}

interface RequestSpec {
  readonly path: (fx: Fixture, who: Who) => string;
  readonly body?: (fx: Fixture, who: Who) => unknown;
  /** Cells run after every other cell (they destroy what others need). */
  readonly last?: readonly Who[];
}

const INERT = { cluster_options: { profile: 'inert' } };
/** The name users A and B each gave their RUNNING cluster. */
const NAME = 'analysis';
const UNKNOWN_CLUSTER = 'nosuchcluster0000000000000000000';

const REQUESTS: Readonly<Record<string, RequestSpec>> = {
  'GET /api/health': { path: () => '/api/health' },
  'GET /api/version': { path: () => '/api/version' },
  'GET /api/v1/options': { path: () => '/api/v1/options' },
  'GET /api/v1/clusters/': { path: () => '/api/v1/clusters/' },
  'POST /api/v1/clusters/': { path: () => '/api/v1/clusters/', body: () => INERT },
  'GET /api/v1/clusters': { path: () => '/api/v1/clusters' },
  'POST /api/v1/clusters': { path: () => '/api/v1/clusters', body: () => INERT },
  'GET /api/v1/clusters/:cluster_name': { path: (fx) => `/api/v1/clusters/${fx.clusterA}` },
  'GET /api/v1/clusters/:cluster_name (by name)': { path: () => `/api/v1/clusters/${NAME}` },
  'GET /clusters/:cluster_name/*': { path: () => `/clusters/${NAME}/status` },
  'DELETE /api/v1/clusters/:cluster_name': {
    path: (fx, who) => `/api/v1/clusters/${who === 'userA' ? fx.spareA : fx.clusterA}`,
    last: ['clusterToken'],
  },
  'DELETE /api/v1/clusters/:cluster_name (unknown cluster)': {
    path: () => `/api/v1/clusters/${UNKNOWN_CLUSTER}`,
  },
  'POST /api/v1/clusters/:cluster_name/scale': {
    path: (fx) => `/api/v1/clusters/${fx.clusterA}/scale`,
    body: () => ({ count: 0 }),
  },
  'POST /api/v1/clusters/:cluster_name/adapt': {
    path: (fx) => `/api/v1/clusters/${fx.clusterA}/adapt`,
    body: () => ({ active: false }),
  },
  "GET /api/v1/clusters/:cluster_name (B's, shared)": {
    path: (fx) => `/api/v1/clusters/${fx.clusterB}`,
  },
  "POST /api/v1/clusters/:cluster_name/scale (B's, shared)": {
    path: (fx) => `/api/v1/clusters/${fx.clusterB}/scale`,
    body: () => ({ count: 0 }),
  },
  "GET /api/proxy/dashboard-auth/:cluster_name (B's, shared)": {
    path: (fx) => `/api/proxy/dashboard-auth/${fx.clusterB}`,
  },
  "POST /api/v1/clusters/:cluster_name/adapt (B's, shared)": {
    path: (fx) => `/api/v1/clusters/${fx.clusterB}/adapt`,
    body: () => ({ active: false }),
  },
  "GET /api/v1/clusters/:cluster_name/events (B's, shared)": {
    path: (fx) => `/api/v1/clusters/${fx.clusterB}/events`,
  },
  "GET /api/v1/clusters/:cluster_name/logs (B's, shared)": {
    path: (fx) => `/api/v1/clusters/${fx.clusterB}/logs`,
  },
  "GET /api/v1/me/clusters/:name (B's, shared)": {
    path: (fx) => `/api/v1/me/clusters/${fx.clusterB}`,
  },
  'GET /api/v1/clusters/:cluster_name/shares': {
    path: (fx) => `/api/v1/clusters/${fx.clusterA}/shares`,
  },
  'PUT /api/v1/clusters/:cluster_name/shares/:kind/:principal': {
    path: (fx) => `/api/v1/clusters/${fx.clusterA}/shares/user/erin`,
    body: () => ({ level: 'use' }),
  },
  'DELETE /api/v1/clusters/:cluster_name/shares/:kind/:principal': {
    path: (fx) => `/api/v1/clusters/${fx.clusterA}/shares/user/frank`,
  },
  'GET /api/v1/me/shared-clusters': { path: () => '/api/v1/me/shared-clusters' },
  'POST /api/v1/clusters/:cluster_name/heartbeat': {
    path: (fx) => `/api/v1/clusters/${fx.clusterA}/heartbeat`,
    body: (fx) => fx.heartbeat(fx.clusterA),
  },
  "POST /api/v1/clusters/:cluster_name/heartbeat (B's cluster)": {
    path: (fx) => `/api/v1/clusters/${fx.clusterB}/heartbeat`,
    body: (fx) => fx.heartbeat(fx.clusterB),
  },
  'GET /api/v1/me': { path: () => '/api/v1/me' },
  'POST /api/v1/access-requests': {
    path: () => '/api/v1/access-requests',
    body: () => ({ message: 'authorization matrix' }),
  },
  'GET /api/v1/pool': { path: () => '/api/v1/pool' },
  'GET /api/v1/admin/clusters': { path: () => '/api/v1/admin/clusters' },
  'POST /api/v1/admin/clusters/:name/stop': {
    path: (fx) => `/api/v1/admin/clusters/${fx.spareB}/stop`,
  },
  'POST /api/v1/admin/clusters/:name/scale': {
    path: (fx) => `/api/v1/admin/clusters/${fx.clusterA}/scale`,
    body: () => ({ count: 0 }),
  },
  'GET /api/v1/admin/users': { path: () => '/api/v1/admin/users' },
  'PUT /api/v1/admin/grants/:name': { path: () => '/api/v1/admin/grants/grace' },
  'DELETE /api/v1/admin/grants/:name': { path: () => '/api/v1/admin/grants/dora' },
  'GET /api/v1/admin/requests': { path: () => '/api/v1/admin/requests' },
  'POST /api/v1/admin/requests/:name/approve': {
    path: (fx) => `/api/v1/admin/requests/${String(fx.requestToApprove)}/approve`,
  },
  'POST /api/v1/admin/requests/:name/deny': {
    path: (fx) => `/api/v1/admin/requests/${String(fx.requestToDeny)}/deny`,
  },
  'GET /api/v1/admin/tokens': { path: () => '/api/v1/admin/tokens' },
  'POST /api/v1/admin/tokens': {
    path: () => '/api/v1/admin/tokens',
    body: () => ({ username: 'tess', admin: false, label: 'matrix' }),
  },
  'DELETE /api/v1/admin/tokens/:name': {
    path: (fx) => `/api/v1/admin/tokens/${fx.tokenToRevoke}`,
  },
  'GET /api/v1/me/budget': { path: () => '/api/v1/me/budget' },
  'POST /api/v1/admin/queue/:name/move': {
    path: () => '/api/v1/admin/queue/nothing-waits/move',
    body: () => ({ position: 1 }),
  },
  'DELETE /api/v1/admin/queue/:name': { path: () => '/api/v1/admin/queue/nothing-waits' },
  'GET /api/v1/admin/budgets/:name': { path: () => '/api/v1/admin/budgets/alice' },
  'POST /api/v1/admin/budgets/:name/grants': {
    path: () => '/api/v1/admin/budgets/quincy/grants',
    body: () => ({ hours: 1 }),
  },
  'GET /api/v1/admin/quotas/:name': { path: () => '/api/v1/admin/quotas/alice' },
  'PUT /api/v1/admin/quotas/:name': {
    path: () => '/api/v1/admin/quotas/quincy',
    body: () => ({ max_clusters: 3 }),
  },
  'DELETE /api/v1/admin/quotas/:name': { path: () => '/api/v1/admin/quotas/quincy' },
  'GET /api/v1/admin/group-quotas': { path: () => '/api/v1/admin/group-quotas' },
  'PUT /api/v1/admin/group-quotas/:name': {
    path: () => '/api/v1/admin/group-quotas/physics',
    body: () => ({ max_workers: 4 }),
  },
  'DELETE /api/v1/admin/group-quotas/:name': { path: () => '/api/v1/admin/group-quotas/physics' },
  'GET /api/v1/admin/usage': { path: () => '/api/v1/admin/usage' },
  'GET /api/metrics': { path: () => '/api/metrics' },
  'GET /api/openapi.json': { path: () => '/api/openapi.json' },
  'GET /api/v1/admin/audit': { path: () => '/api/v1/admin/audit' },
  'GET /api/v1/admin/environments': { path: () => '/api/v1/admin/environments' },
  'GET /api/v1/clusters/:cluster_name/logs': {
    path: (fx) => `/api/v1/clusters/${fx.clusterA}/logs`,
  },
  'GET /api/v1/clusters/:cluster_name/events': {
    path: (fx) => `/api/v1/clusters/${fx.clusterA}/events`,
  },
  'GET /api/v1/events': { path: () => '/api/v1/events' },
  'GET /api/v1/me/clusters': { path: () => '/api/v1/me/clusters' },
  'GET /api/v1/me/clusters/:name': { path: (fx) => `/api/v1/me/clusters/${fx.clusterA}` },
  'GET /api/ui/session': { path: () => '/api/ui/session' },
  // Without X-Requested-With: refused (403) before any credential is looked at.
  'POST /api/ui/login': {
    path: () => '/api/ui/login',
    body: () => ({ username: 'alice', password: 'x' }),
  },
  'POST /api/ui/logout': { path: () => '/api/ui/logout' },
  'GET /api/proxy/dashboard-auth/:cluster_name': {
    path: (fx) => `/api/proxy/dashboard-auth/${fx.clusterA}`,
  },
  'GET /api/ui/oauth/start': { path: () => '/api/ui/oauth/start' },
  'GET /api/ui/oauth/callback': { path: () => '/api/ui/oauth/callback?code=c&state=s' },
  'GET /ui': { path: () => '/ui' },
  'GET /ui/*': { path: () => '/ui/clusters' },
  // Not a browser (no Accept: text/html): no redirect to the UI.
  'GET /': { path: () => '/' },
};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request on a fresh connection (no keep-alive left behind at shutdown). */
function send(
  base: string,
  method: string,
  urlPath: string,
  headers: Readonly<Record<string, string>> = {},
  body?: unknown
): Promise<Reply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const all: http.OutgoingHttpHeaders = { ...headers };
  if (payload !== undefined) all['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(urlPath, base),
      { method, headers: all, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
        });
        res.on('error', reject);
      }
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.end(payload);
  });
}

const basic = (user: string) => `Basic ${Buffer.from(`${user}:any-password`).toString('base64')}`;

/** The row's route (`METHOD /pattern`), without its variant. */
function routeOf(row: string): string {
  return row.replace(/\s+\(.*\)$/, '');
}

/** Whether a concrete path matches a registered pattern such as `/a/:b/c`. */
function matches(pattern: string, concrete: string): boolean {
  const re = pattern
    .split('/')
    .map((seg) =>
      seg.startsWith(':')
        ? '[^/]+'
        : seg === '*'
          ? '.*'
          : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    )
    .join('/');
  return new RegExp(`^${re}$`).test(concrete.split('?')[0] ?? '');
}

function excerpt(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 160 ? `${one.slice(0, 157)}...` : one;
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('authorization matrix', { timeout: 120_000 }, () => {
  let dataDir = '';
  let gateway: Gateway | undefined;
  let fx: Fixture;
  const credentials = new Map<Who, Record<string, string>>();

  const gw = (): Gateway => {
    assert.ok(gateway !== undefined, 'the gateway did not start');
    return gateway;
  };
  const as = (user: string) => ({ authorization: basic(user) });
  const ok = async (reply: Promise<Reply>, status: number, what: string): Promise<Reply> => {
    const r = await reply;
    assert.equal(r.status, status, `setup: ${what} answered ${String(r.status)}: ${r.body}`);
    return r;
  };
  const createCluster = async (user: string, body: unknown): Promise<string> => {
    const r = await ok(
      send(gw().url, 'POST', '/api/v1/clusters/', as(user), body),
      201,
      `${user} creating a cluster`
    );
    return (JSON.parse(r.body) as { name: string }).name;
  };
  const waitRunning = async (user: string, name: string): Promise<void> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await ok(
        send(gw().url, 'GET', `/api/v1/clusters/${name}?wait`, as(user)),
        200,
        `${user} waiting for ${name}`
      );
      const status = (JSON.parse(r.body) as { status: string }).status;
      if (status === 'RUNNING') return;
      assert.ok(
        status === 'PENDING' && Date.now() < deadline,
        `setup: cluster ${name} of ${user} is ${status}, not RUNNING`
      );
    }
  };

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-authz-'));
    const config = loadConfig({
      values: {
        listen: '127.0.0.1:0',
        store: { url: 'sqlite::memory:' },
        stop_clusters_on_shutdown: true,
        data_dir: dataDir,
        access: {
          grant_all_authenticated: false,
          grant_groups: [],
          admin_users: ['admin'],
          bootstrap_admin_token: false,
        },
        cluster_names: { enabled: true },
        options: [
          {
            type: 'select',
            field: 'profile',
            apply: 'merge',
            default: 'dask',
            options: [
              { key: 'dask', value: {} },
              // A "scheduler" that never reports in: cheap clusters that stay PENDING.
              { key: 'inert', value: { scheduler_cmd: ['/bin/sh', '-c', 'exec sleep 300'] } },
            ],
          },
        ],
      },
      env: {},
      defaultPythonEnv: path.join(repoRoot, '.venv'),
    });
    gateway = await startGateway(config, { log: pino({ level: 'silent' }), env: process.env });
    const url = gateway.url;
    const admin = as('admin');

    for (const user of ['alice', 'bob', 'gina', 'carol', 'dora']) {
      await ok(send(url, 'PUT', `/api/v1/admin/grants/${user}`, admin), 204, `granting ${user}`);
    }
    // The two real clusters start while the rest is set up.
    const named = { cluster_options: { cluster_name: NAME } };
    const clusterA = await createCluster('alice', named);
    const clusterB = await createCluster('bob', named);
    const running = Promise.all([waitRunning('alice', clusterA), waitRunning('bob', clusterB)]);

    const spareA = await createCluster('alice', INERT);
    const spareB = await createCluster('bob', INERT);

    // The share identities: on B's cluster A may use, admin manage, gina's manage is revoked;
    // A's share with frank is there for the revoke row.
    const share = (owner: string, cluster: string, who: string, level: string) =>
      ok(
        send(url, 'PUT', `/api/v1/clusters/${cluster}/shares/user/${who}`, as(owner), { level }),
        200,
        `${owner} sharing ${cluster} with ${who}`
      );
    await share('bob', clusterB, 'alice', 'use');
    await share('bob', clusterB, 'admin', 'manage');
    await share('bob', clusterB, 'gina', 'manage');
    await ok(
      send(url, 'DELETE', `/api/v1/clusters/${clusterB}/shares/user/gina`, as('bob')),
      204,
      'bob revoking gina'
    );
    await share('alice', clusterA, 'frank', 'use');

    // Carol gets a session cookie while granted, then loses her grant.
    const me = await ok(send(url, 'GET', '/api/v1/me', as('carol')), 200, 'carol asking who');
    const setCookie = me.headers['set-cookie']?.[0];
    assert.ok(setCookie !== undefined, 'setup: no session cookie was set');
    const cookie = setCookie.split(';')[0] ?? '';
    await ok(send(url, 'DELETE', '/api/v1/admin/grants/carol', admin), 204, 'revoking carol');

    // An admin API token, revoked; and a token of a throwaway user for the revoke row.
    const issue = async (username: string, isAdmin: boolean) => {
      const r = await ok(
        send(url, 'POST', '/api/v1/admin/tokens', admin, { username, admin: isAdmin }),
        201,
        `issuing a token for ${username}`
      );
      return JSON.parse(r.body) as { token: string; info: { id: string } };
    };
    const revoked = await issue('rita', true);
    await ok(
      send(url, 'DELETE', `/api/v1/admin/tokens/${revoked.info.id}`, admin),
      204,
      'revoking rita'
    );
    const throwaway = await issue('toby', false);

    // Pending access requests of two users the matrix never uses as callers.
    const file = async (user: string) => {
      const r = await ok(
        send(url, 'POST', '/api/v1/access-requests', as(user), { message: 'please' }),
        201,
        `${user} filing an access request`
      );
      return (JSON.parse(r.body) as { id: number }).id;
    };
    const requestToApprove = await file('petra');
    const requestToDeny = await file('quinn');

    await running;
    const tokenOf = (name: string) => {
      const c = gw().manager.get(name);
      assert.ok(c !== undefined, `setup: cluster ${name} is gone`);
      return c.token;
    };
    fx = {
      clusterA,
      clusterB,
      spareA,
      spareB,
      requestToApprove,
      requestToDeny,
      tokenToRevoke: throwaway.info.id,
      heartbeat(name) {
        const c = gw().manager.get(name);
        assert.ok(c !== undefined, `cluster ${name} is gone`);
        return {
          scheduler_address: c.schedulerAddress,
          dashboard_address: c.dashboardAddress,
          api_address: c.apiAddress,
          count: c.count,
          active_workers: [],
          closing_workers: [],
          closed_workers: [],
        };
      },
    };

    const gh = `gh_${'x'.repeat(32)}`;
    credentials.set('anonymous', {});
    credentials.set('ungranted', as('nora'));
    credentials.set('userA', as('alice'));
    credentials.set('userB', as('bob'));
    credentials.set('group', as('gina'));
    credentials.set('admin', admin);
    credentials.set('clusterToken', { authorization: `token ${tokenOf(clusterA)}` });
    credentials.set('otherClusterToken', { authorization: `token ${tokenOf(clusterB)}` });
    credentials.set('wrongToken', { authorization: `Bearer ${gh}` });
    credentials.set('revokedToken', { authorization: `Bearer ${revoked.token}` });
    credentials.set('revokedCookie', { cookie });
  });

  after(async () => {
    await gateway?.stop();
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  });

  it('is a complete table: one status per caller, one request per row', () => {
    const problems: string[] = [];
    for (const [row, statuses] of Object.entries(EXPECTED)) {
      if (statuses.length !== WHO.length) {
        problems.push(
          `${row}: ${String(statuses.length)} statuses for ${String(WHO.length)} callers`
        );
      }
      if (!(row in REQUESTS)) problems.push(`${row}: no entry in REQUESTS`);
    }
    for (const row of Object.keys(REQUESTS)) {
      if (!(row in EXPECTED)) problems.push(`${row}: a request without expectations`);
    }
    assert.deepEqual(problems, []);
  });

  it('has a row for every route the server registers', () => {
    const rows = new Set(Object.keys(EXPECTED).map(routeOf));
    const missing = gw()
      .apiRoutes.map((r) => `${r.method} ${r.url}`)
      .filter((route) => !rows.has(route));
    assert.deepEqual(missing, [], `routes without expectations:\n  ${missing.join('\n  ')}`);
  });

  it('names only routes the server registers', () => {
    const routes = new Set(gw().apiRoutes.map((r) => `${r.method} ${r.url}`));
    const unknown = Object.keys(EXPECTED).filter((row) => !routes.has(routeOf(row)));
    assert.deepEqual(unknown, [], `rows naming no registered route:\n  ${unknown.join('\n  ')}`);
  });

  it('answers every caller of every route as expected', async () => {
    interface Cell {
      readonly row: string;
      readonly who: Who;
      readonly expected: number;
    }
    const cells: Cell[] = [];
    for (const [row, statuses] of Object.entries(EXPECTED)) {
      WHO.forEach((who, i) => {
        const expected = statuses[i];
        if (expected !== undefined) cells.push({ row, who, expected });
      });
    }
    const isLast = (c: Cell) => REQUESTS[c.row]?.last?.includes(c.who) === true;
    const ordered = [
      ...cells.filter((c) => c.expected >= 400 && !isLast(c)),
      ...cells.filter((c) => c.expected < 400 && !isLast(c)),
      ...cells.filter(isLast),
    ];

    const mismatches: string[] = [];
    for (const cell of ordered) {
      const spec = REQUESTS[cell.row];
      assert.ok(spec !== undefined, `${cell.row}: no request`);
      const route = routeOf(cell.row);
      const method = route.split(' ')[0] ?? '';
      const pattern = route.slice(method.length + 1);
      const urlPath = spec.path(fx, cell.who);
      assert.ok(matches(pattern, urlPath), `${cell.row}: ${urlPath} does not match ${pattern}`);
      const reply = await send(
        gw().url,
        method,
        urlPath,
        credentials.get(cell.who),
        spec.body?.(fx, cell.who)
      );
      if (reply.status !== cell.expected) {
        mismatches.push(
          `${cell.row.padEnd(62)} as ${cell.who.padEnd(17)} expected ${String(cell.expected)}, ` +
            `got ${String(reply.status)}  (${method} ${urlPath}: ${excerpt(reply.body)})`
        );
      }
    }
    // The 204s stopped what they name: A's own DELETE, the admin stop, cluster A's own token.
    for (const [owner, name, by] of [
      ['alice', fx.spareA, 'user A'],
      ['bob', fx.spareB, 'the admin stop'],
      ['alice', fx.clusterA, "cluster A's token"],
    ] as const) {
      const r = await send(gw().url, 'GET', `/api/v1/clusters/${name}`, as(owner));
      const status = r.status === 200 ? (JSON.parse(r.body) as { status: string }).status : '';
      if (status !== 'STOPPING' && status !== 'STOPPED') {
        mismatches.push(`afterwards: cluster ${name}, stopped by ${by}, is ${excerpt(r.body)}`);
      }
    }
    assert.ok(
      mismatches.length === 0,
      `${String(mismatches.length)} mismatches (${String(cells.length)} cells):\n  ${mismatches.join('\n  ')}`
    );
  });
});

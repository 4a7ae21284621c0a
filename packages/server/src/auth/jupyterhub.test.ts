/**
 * Tests for JupyterHub authentication (spec §2.4, §2.8) against `fakeHub`, a local stand-in
 * HTTP server that answers `GET /hub/api/user` the way a hub would, per token. It is a fake: the
 * real-hub proof is python/tests/test_jupyterhub.py. The last block runs a whole gateway with the
 * authenticator to check what reaches the wire (statuses, challenge, messages, groups, admin).
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { STATUS_OF } from '../errors-http.js';
import { loadConfig, type ResolvedJupyterHubAuth } from '../config/load.js';
import { GatewayError } from '../errors.js';
import { startGateway, type Gateway } from '../gateway.js';
import type { Authenticator } from './authenticator.js';
import {
  createJupyterHubAuthenticator,
  gatewayUsername,
  hasServiceAccess,
  parseHubIdentity,
  parseJupyterHubHeader,
  HUB_REQUEST_TIMEOUT_MS,
  PERMISSION_FAILURE,
  SERVICE_TOKEN_CHECK_TTL_MS,
  UPSTREAM_FAILURE,
  VERIFY_FAILURE,
} from './jupyterhub.js';
/** An error body without its request id (which differs on every request). */
function withoutRequestId(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const { request_id: _id, ...rest } = body as Record<string, unknown>;
  return rest;
}

const SERVICE_TOKEN = 'gateway-service-token';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** What fakeHub answers for one token: a status and a body (objects are sent as JSON). */
interface HubAnswer {
  readonly status: number;
  readonly body?: unknown;
  /** Send the headers, then drop the connection before the body is complete. */
  readonly truncate?: boolean;
  /** Never answer (the request hangs until the client gives up). */
  readonly hang?: boolean;
}

/** A request fakeHub received. */
interface HubRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
}

/** A stand-in for JupyterHub's `GET /hub/api/user`, answering per `Authorization: token <t>`. */
interface FakeHub {
  /** `http://127.0.0.1:<port>/hub/api`, as `auth.api_url` would be. */
  readonly apiUrl: string;
  readonly requests: HubRequest[];
  /** Answers by token; unknown tokens get `otherwise`. */
  answers: Map<string, HubAnswer>;
  otherwise: HubAnswer;
  close(): Promise<void>;
}

/** Real JupyterHub's answer to a token it does not know (checked against 6.1.1). */
const HUB_UNKNOWN_TOKEN: HubAnswer = { status: 403, body: { status: 403, message: null } };

async function startFakeHub(): Promise<FakeHub> {
  const hub = {
    requests: [] as HubRequest[],
    answers: new Map<string, HubAnswer>(),
    otherwise: HUB_UNKNOWN_TOKEN,
  };
  const server = http.createServer((req, res) => {
    hub.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
    });
    const token = /^token (.*)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const answer =
      req.url === '/hub/api/user'
        ? (hub.answers.get(token) ?? hub.otherwise)
        : { status: 404, body: { status: 404, message: 'Not Found' } };
    if (answer.hang === true) return;
    const body =
      typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? null);
    if (answer.truncate === true) {
      res.writeHead(answer.status, { 'Content-Length': String(body.length + 100) });
      res.write(body);
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(hub, {
    apiUrl: `http://127.0.0.1:${port}/hub/api`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  });
}

/** Resolved settings as load.ts produces them, pointing at `apiUrl`. */
function hubConfig(
  apiUrl: string,
  overrides: Partial<ResolvedJupyterHubAuth> = {}
): ResolvedJupyterHubAuth {
  return {
    type: 'jupyterhub',
    api_url: apiUrl,
    api_token: SERVICE_TOKEN,
    service_name: 'dask-gateway',
    use_service_access_scopes: true,
    admin_from_hub: true,
    cookie_name: null,
    cache_max_age: 300,
    public_url: apiUrl.replace(/\/api$/, ''),
    oauth_client_id: 'service-dask-gateway',
    oauth_callback_url: null,
    ...overrides,
  };
}

/** A hub user model as JupyterHub returns it from `GET /user`. */
function userModel(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'user',
    name,
    admin: false,
    groups: [],
    scopes: ['access:services!service=dask-gateway', `read:users:name!user=${name}`],
    ...extra,
  };
}

/** Asserts that `p` rejects with a GatewayError of `code` and `message`, mapping to `status`. */
async function rejectsWith(
  p: Promise<unknown>,
  code: 'internal' | 'upstream_failure',
  message: string,
  status: number
): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    assert.equal(STATUS_OF[err.code], status);
    return true;
  });
}

const jh = (token: string) => ({ authorization: `jupyterhub ${token}` });

describe('parseJupyterHubHeader', () => {
  it('takes the token after the jupyterhub scheme, in any case', () => {
    assert.equal(parseJupyterHubHeader('jupyterhub abc123'), 'abc123');
    assert.equal(parseJupyterHubHeader('JupyterHub abc123'), 'abc123');
    assert.equal(parseJupyterHubHeader('JUPYTERHUB abc123'), 'abc123');
    assert.equal(parseJupyterHubHeader('jupyterhub   abc123  '), 'abc123');
  });

  const rejected: Array<[string, string | undefined]> = [
    ['no header', undefined],
    ['an empty header', ''],
    ['the scheme alone', 'jupyterhub'],
    ['the scheme and a space', 'jupyterhub '],
    ['Basic', 'Basic YWxpY2U6'],
    ['Bearer', 'Bearer abc'],
    ['the hub token scheme', 'token abc'],
    ['a longer scheme', 'jupyterhubx abc'],
    ['no space after the scheme', 'jupyterhubabc'],
    ['two words', 'jupyterhub abc def'],
    ['non-ASCII characters', 'jupyterhub abc\u00e9'],
    ['leading whitespace', ' jupyterhub abc'],
  ];
  for (const [what, header] of rejected) {
    it(`returns null for ${what}`, () => {
      assert.equal(parseJupyterHubHeader(header), null);
    });
  }
});

describe('parseHubIdentity', () => {
  it('reads a user model', () => {
    assert.deepEqual(
      parseHubIdentity(userModel('alice', { admin: true, groups: ['dask-users'] })),
      {
        kind: 'user',
        name: 'alice',
        admin: true,
        groups: ['dask-users'],
        scopes: ['access:services!service=dask-gateway', 'read:users:name!user=alice'],
      }
    );
  });

  it('reads a service model (no groups)', () => {
    assert.deepEqual(
      parseHubIdentity({ kind: 'service', name: 'any-service', admin: false, scopes: [] }),
      { kind: 'service', name: 'any-service', admin: false, groups: [], scopes: [] }
    );
  });

  it('defaults a missing kind to user and missing or null fields to empty', () => {
    assert.deepEqual(parseHubIdentity({ name: 'bob' }), {
      kind: 'user',
      name: 'bob',
      admin: false,
      groups: [],
      scopes: [],
    });
    assert.deepEqual(parseHubIdentity({ name: 'bob', admin: null, groups: null, scopes: null }), {
      kind: 'user',
      name: 'bob',
      admin: false,
      groups: [],
      scopes: [],
    });
  });

  const malformed: Array<[string, unknown]> = [
    ['null', null],
    ['an array', [userModel('alice')]],
    ['a string', 'alice'],
    ['a model without a name', { kind: 'user', groups: [] }],
    ['an empty name', userModel('')],
    ['a numeric name', { ...userModel('x'), name: 42 }],
    ['a non-string kind', { ...userModel('x'), kind: 1 }],
    ['an empty kind', { ...userModel('x'), kind: '' }],
    ['a string admin flag', { ...userModel('x'), admin: 'true' }],
    ['groups that are not a list', { ...userModel('x'), groups: 'dask-users' }],
    ['groups with a non-string', { ...userModel('x'), groups: ['a', 1] }],
    ['scopes that are not a list', { ...userModel('x'), scopes: 'access:services' }],
    ['scopes with a non-string', { ...userModel('x'), scopes: [null] }],
  ];
  for (const [what, body] of malformed) {
    it(`rejects ${what}`, () => {
      assert.equal(parseHubIdentity(body), null);
    });
  }
});

describe('gatewayUsername', () => {
  it('keeps a plain user name', () => {
    assert.equal(gatewayUsername({ kind: 'user', name: 'alice' }), 'alice');
    assert.equal(gatewayUsername({ kind: 'user', name: 'alice@example.org' }), 'alice@example.org');
  });

  it('prefixes the kind for services and other kinds', () => {
    assert.equal(gatewayUsername({ kind: 'service', name: 'any-service' }), 'service:any-service');
    assert.equal(gatewayUsername({ kind: 'robot', name: 'r2' }), 'robot:r2');
  });

  it('prefixes the kind for user names containing a colon', () => {
    assert.equal(gatewayUsername({ kind: 'user', name: 'service:x' }), 'user:service:x');
    assert.equal(gatewayUsername({ kind: 'user', name: 'a:b' }), 'user:a:b');
  });
});

describe('hasServiceAccess', () => {
  it('accepts access:services and the scope for this service', () => {
    assert.equal(hasServiceAccess(['access:services'], 'dask-gateway'), true);
    assert.equal(hasServiceAccess(['access:services!service=dask-gateway'], 'dask-gateway'), true);
  });

  it('rejects other services, other scopes and prefixes', () => {
    assert.equal(hasServiceAccess([], 'dask-gateway'), false);
    assert.equal(hasServiceAccess(['access:services!service=other'], 'dask-gateway'), false);
    assert.equal(hasServiceAccess(['access:services!service=dask'], 'dask-gateway'), false);
    assert.equal(hasServiceAccess(['access:servers', 'self', 'read:users'], 'dask-gateway'), false);
    assert.equal(hasServiceAccess(['access:services!service='], ''), false);
  });
});

describe('createJupyterHubAuthenticator against fakeHub', () => {
  let fakeHub: FakeHub;
  let auth: Authenticator;

  before(async () => {
    fakeHub = await startFakeHub();
  });
  after(async () => {
    await fakeHub.close();
  });
  beforeEach(() => {
    fakeHub.requests.length = 0;
    fakeHub.answers = new Map();
    fakeHub.answers.set(SERVICE_TOKEN, {
      status: 200,
      body: { kind: 'service', name: 'dask-gateway', admin: false, scopes: ['read:users'] },
    });
    fakeHub.otherwise = HUB_UNKNOWN_TOKEN;
    auth = createJupyterHubAuthenticator(hubConfig(fakeHub.apiUrl));
  });

  const hubAnswers = (token: string, answer: HubAnswer) => {
    fakeHub.answers.set(token, answer);
  };

  it('challenges with jupyterhub', () => {
    assert.equal(auth.challenge, 'jupyterhub');
  });

  it("asks GET <api_url>/user with the user's token, not the gateway's", async () => {
    hubAnswers('tok-alice', { status: 200, body: userModel('alice', { groups: ['dask-users'] }) });
    const user = await auth.authenticate(jh('tok-alice'));
    assert.deepEqual(user, { name: 'alice', groups: ['dask-users'], admin: false });
    assert.deepEqual(fakeHub.requests, [
      { method: 'GET', url: '/hub/api/user', authorization: 'token tok-alice' },
    ]);
  });

  it('accepts the scheme in any case', async () => {
    hubAnswers('tok-alice', { status: 200, body: userModel('alice') });
    assert.equal(
      (await auth.authenticate({ authorization: 'JupyterHub tok-alice' }))?.name,
      'alice'
    );
    assert.equal(
      (await auth.authenticate({ authorization: 'JUPYTERHUB tok-alice' }))?.name,
      'alice'
    );
  });

  it('uses the first value of a repeated header', async () => {
    hubAnswers('tok-alice', { status: 200, body: userModel('alice') });
    const user = await auth.authenticate({ authorization: [jh('tok-alice').authorization, 'x'] });
    assert.equal(user?.name, 'alice');
  });

  it('returns null for other headers without asking the hub', async () => {
    for (const authorization of [
      undefined,
      '',
      'Basic YWxpY2U6',
      'Bearer tok-alice',
      'token tok-alice',
      'jupyterhub',
      'jupyterhub t\u00f6k',
    ]) {
      assert.equal(await auth.authenticate({ authorization }), null, String(authorization));
    }
    assert.equal(await auth.authenticate({}), null);
    assert.deepEqual(fakeHub.requests, []);
  });

  describe('hub status mapping', () => {
    it('404 → null (the 401 challenge), without checking the gateway token', async () => {
      hubAnswers('t', { status: 404, body: { status: 404, message: 'Not Found' } });
      assert.equal(await auth.authenticate(jh('t')), null);
      assert.equal(fakeHub.requests.length, 1);
    });

    it('403 for a token the hub does not know → null once the hub accepts the gateway token', async () => {
      assert.equal(await auth.authenticate(jh('unknown-token')), null);
      assert.deepEqual(
        fakeHub.requests.map((r) => r.authorization),
        ['token unknown-token', `token ${SERVICE_TOKEN}`]
      );
    });

    it('403: a successful check of the gateway token is reused for a while', async () => {
      assert.equal(await auth.authenticate(jh('bad-1')), null);
      assert.equal(await auth.authenticate(jh('bad-2')), null);
      assert.deepEqual(
        fakeHub.requests.map((r) => r.authorization),
        ['token bad-1', `token ${SERVICE_TOKEN}`, 'token bad-2']
      );
    });

    it('403: the check of the gateway token is made again once its time (by the clock) is up', async () => {
      let now = 1_000_000;
      const timed = createJupyterHubAuthenticator(hubConfig(fakeHub.apiUrl), fetch, {
        now: () => now,
      });
      assert.equal(await timed.authenticate(jh('bad-1')), null);
      now += SERVICE_TOKEN_CHECK_TTL_MS;
      assert.equal(await timed.authenticate(jh('bad-2')), null);
      assert.deepEqual(
        fakeHub.requests.map((r) => r.authorization),
        ['token bad-1', `token ${SERVICE_TOKEN}`, 'token bad-2', `token ${SERVICE_TOKEN}`]
      );
    });

    it('403 when the hub refuses the gateway token too → 500 Permission failure', async () => {
      fakeHub.answers.delete(SERVICE_TOKEN);
      await rejectsWith(auth.authenticate(jh('t')), 'internal', PERMISSION_FAILURE, 500);
      // A failed check is not remembered: the next 403 checks again.
      await rejectsWith(auth.authenticate(jh('t')), 'internal', PERMISSION_FAILURE, 500);
      assert.equal(fakeHub.requests.length, 4);
    });

    it('403 when the check of the gateway token meets a hub error → 502', async () => {
      hubAnswers(SERVICE_TOKEN, { status: 503, body: 'down' });
      await rejectsWith(auth.authenticate(jh('t')), 'upstream_failure', UPSTREAM_FAILURE, 502);
    });

    for (const status of [500, 502, 503, 504, 599]) {
      it(`${status} → 502 Upstream failure`, async () => {
        hubAnswers('t', { status, body: { status, message: 'oops' } });
        await rejectsWith(auth.authenticate(jh('t')), 'upstream_failure', UPSTREAM_FAILURE, 502);
      });
    }

    for (const status of [400, 401, 405, 409, 418, 429]) {
      it(`${status} → 500 Failure verifying`, async () => {
        hubAnswers('t', { status, body: { status, message: 'no' } });
        await rejectsWith(auth.authenticate(jh('t')), 'internal', VERIFY_FAILURE, 500);
      });
    }

    it('2xx other than 200 with a model is success', async () => {
      hubAnswers('t', { status: 203, body: userModel('alice') });
      assert.equal((await auth.authenticate(jh('t')))?.name, 'alice');
    });

    it("attaches the hub's status as the cause", async () => {
      hubAnswers('t', { status: 418, body: {} });
      await assert.rejects(auth.authenticate(jh('t')), (err: unknown) => {
        assert.ok(err instanceof GatewayError && err.cause instanceof Error);
        assert.match(err.cause.message, /answered 418/);
        return true;
      });
    });
  });

  describe('the user', () => {
    it('takes groups and admin from the hub', async () => {
      hubAnswers('t', {
        status: 200,
        body: userModel('root-admin', { admin: true, groups: ['ops', 'dask-users'] }),
      });
      assert.deepEqual(await auth.authenticate(jh('t')), {
        name: 'root-admin',
        groups: ['ops', 'dask-users'],
        admin: true,
      });
    });

    it('ignores the hub admin flag unless admin_from_hub', async () => {
      const noAdmin = createJupyterHubAuthenticator(
        hubConfig(fakeHub.apiUrl, { admin_from_hub: false })
      );
      hubAnswers('t', { status: 200, body: userModel('root-admin', { admin: true }) });
      assert.deepEqual(await noAdmin.authenticate(jh('t')), {
        name: 'root-admin',
        groups: [],
        admin: false,
      });
    });

    it('names a service token service:<name>, with no groups', async () => {
      hubAnswers('t', {
        status: 200,
        body: {
          kind: 'service',
          name: 'any-service',
          admin: false,
          scopes: ['access:services'],
        },
      });
      assert.deepEqual(await auth.authenticate(jh('t')), {
        name: 'service:any-service',
        groups: [],
        admin: false,
      });
    });

    it('names a user whose name has a colon user:<name>', async () => {
      hubAnswers('t', { status: 200, body: userModel('a:b') });
      assert.equal((await auth.authenticate(jh('t')))?.name, 'user:a:b');
    });

    it('keeps other characters of user names', async () => {
      hubAnswers('t', { status: 200, body: userModel('alice@non-alpha.characters') });
      assert.equal((await auth.authenticate(jh('t')))?.name, 'alice@non-alpha.characters');
    });
  });

  describe('scope gate', () => {
    const withScopes = (scopes: unknown) => ({ status: 200, body: userModel('alice', { scopes }) });

    it('passes with access:services!service=<service_name>', async () => {
      hubAnswers('t', withScopes(['access:services!service=dask-gateway']));
      assert.equal((await auth.authenticate(jh('t')))?.name, 'alice');
    });

    it('passes with access:services', async () => {
      hubAnswers('t', withScopes(['read:users:name!user=alice', 'access:services']));
      assert.equal((await auth.authenticate(jh('t')))?.name, 'alice');
    });

    it('returns null (401) for access to another service only', async () => {
      hubAnswers('t', withScopes(['access:services!service=other']));
      assert.equal(await auth.authenticate(jh('t')), null);
    });

    it('returns null (401) without scopes', async () => {
      hubAnswers('t', withScopes([]));
      assert.equal(await auth.authenticate(jh('t')), null);
      hubAnswers('t', { status: 200, body: { kind: 'user', name: 'alice' } });
      assert.equal(await auth.authenticate(jh('t')), null);
    });

    it('applies to service tokens too', async () => {
      hubAnswers('t', { status: 200, body: { kind: 'service', name: 's', scopes: [] } });
      assert.equal(await auth.authenticate(jh('t')), null);
    });

    it('lets every valid token in when use_service_access_scopes is off', async () => {
      const open = createJupyterHubAuthenticator(
        hubConfig(fakeHub.apiUrl, { use_service_access_scopes: false, service_name: '' })
      );
      hubAnswers('t', withScopes([]));
      assert.equal((await open.authenticate(jh('t')))?.name, 'alice');
      hubAnswers('s', { status: 200, body: { kind: 'service', name: 's' } });
      assert.equal((await open.authenticate(jh('s')))?.name, 'service:s');
    });

    it('with an empty service name only access:services passes', async () => {
      const gated = createJupyterHubAuthenticator(hubConfig(fakeHub.apiUrl, { service_name: '' }));
      hubAnswers('t', withScopes(['access:services!service=dask-gateway']));
      assert.equal(await gated.authenticate(jh('t')), null);
      hubAnswers('t', withScopes(['access:services']));
      assert.equal((await gated.authenticate(jh('t')))?.name, 'alice');
    });
  });

  describe('malformed answers', () => {
    const bodies: Array<[string, unknown]> = [
      ['text that is not JSON', 'Hello from a proxy'],
      ['HTML', '<html><body>Sign in</body></html>'],
      ['an empty body', ''],
      ['JSON null', 'null'],
      ['a JSON array', [userModel('alice')]],
      ['a model without a name', { kind: 'user', groups: [] }],
      ['groups that are not a list', userModel('alice', { groups: 'dask-users' })],
      ['a string admin flag', userModel('alice', { admin: 'yes' })],
      ['scopes that are not strings', userModel('alice', { scopes: [1, 2] })],
    ];
    for (const [what, body] of bodies) {
      it(`${what} → 500 Failure verifying`, async () => {
        hubAnswers('t', { status: 200, body });
        await rejectsWith(auth.authenticate(jh('t')), 'internal', VERIFY_FAILURE, 500);
      });
    }

    it('a body cut off mid-way → 502 Upstream failure', async () => {
      hubAnswers('t', { status: 200, body: userModel('alice'), truncate: true });
      await rejectsWith(auth.authenticate(jh('t')), 'upstream_failure', UPSTREAM_FAILURE, 502);
    });
  });

  describe('unreachable or slow hub', () => {
    it('a port nobody listens on → 502 Upstream failure', async () => {
      const closed = await startFakeHub();
      const url = closed.apiUrl;
      await closed.close();
      const a = createJupyterHubAuthenticator(hubConfig(url));
      await rejectsWith(a.authenticate(jh('t')), 'upstream_failure', UPSTREAM_FAILURE, 502);
    });

    it('a hub that closes the connection without answering → 502', async () => {
      const rude = http.createServer((req) => req.socket.destroy());
      await new Promise<void>((resolve) => rude.listen(0, '127.0.0.1', resolve));
      const { port } = rude.address() as AddressInfo;
      try {
        const a = createJupyterHubAuthenticator(hubConfig(`http://127.0.0.1:${port}/hub/api`));
        await rejectsWith(a.authenticate(jh('t')), 'upstream_failure', UPSTREAM_FAILURE, 502);
      } finally {
        rude.close();
      }
    });

    it(`gives every hub request a ${HUB_REQUEST_TIMEOUT_MS / 1000} s timeout signal`, async () => {
      const signals: unknown[] = [];
      const spy: typeof fetch = (input, init) => {
        signals.push(init?.signal);
        return fetch(input, init);
      };
      hubAnswers('t', { status: 200, body: userModel('alice') });
      await createJupyterHubAuthenticator(hubConfig(fakeHub.apiUrl), spy).authenticate(jh('t'));
      assert.equal(signals.length, 1);
      assert.ok(signals[0] instanceof AbortSignal);
      assert.equal(signals[0].aborted, false);
      assert.equal(HUB_REQUEST_TIMEOUT_MS, 10_000);
    });

    it('a hub that never answers → 502 when the timeout fires', async () => {
      hubAnswers('t', { status: 200, hang: true });
      // The same request with a 200 ms timeout in place of the 10 s one.
      const quick: typeof fetch = (input, init) =>
        fetch(input, { ...init, signal: AbortSignal.timeout(200) });
      const a = createJupyterHubAuthenticator(hubConfig(fakeHub.apiUrl), quick);
      await assert.rejects(a.authenticate(jh('t')), (err: unknown) => {
        assert.ok(err instanceof GatewayError);
        assert.equal(err.code, 'upstream_failure');
        assert.equal(err.message, UPSTREAM_FAILURE);
        assert.ok(err.cause instanceof Error && err.cause.name === 'TimeoutError');
        return true;
      });
    });
  });
});

describe('a gateway with JupyterHub authentication, on the wire', () => {
  let fakeHub: FakeHub;
  let gateway: Gateway | undefined;
  let dataDir = '';

  before(async () => {
    fakeHub = await startFakeHub();
    fakeHub.answers.set(SERVICE_TOKEN, {
      status: 200,
      body: { kind: 'service', name: 'dask-gateway', admin: false, scopes: [] },
    });
    fakeHub.answers.set('tok-alice', {
      status: 200,
      body: userModel('alice', { groups: ['dask-users'] }),
    });
    fakeHub.answers.set('tok-mallory', { status: 200, body: userModel('mallory') });
    fakeHub.answers.set('tok-root', {
      status: 200,
      body: userModel('root-admin', { admin: true, groups: ['dask-users'] }),
    });
    fakeHub.answers.set('tok-noscope', {
      status: 200,
      body: userModel('alice', { groups: ['dask-users'], scopes: ['read:users:name!user=alice'] }),
    });
    fakeHub.answers.set('tok-418', { status: 418, body: {} });
    fakeHub.answers.set('tok-503', { status: 503, body: {} });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-jh-'));
    const config = loadConfig({
      values: {
        listen: '127.0.0.1:0',
        store: { url: 'sqlite::memory:' },
        data_dir: dataDir,
        auth: {
          type: 'jupyterhub',
          api_url: `${fakeHub.apiUrl}/`,
          api_token: SERVICE_TOKEN,
          service_name: 'dask-gateway',
        },
        access: {
          grant_all_authenticated: false,
          grant_groups: ['dask-users'],
          bootstrap_admin_token: false,
        },
      },
      env: {},
      defaultPythonEnv: path.join(repoRoot, '.venv'),
    });
    gateway = await startGateway(config, { log: pino({ level: 'silent' }), env: process.env });
  });

  after(async () => {
    await gateway?.stop();
    await fakeHub.close();
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  });

  const get = async (pathname: string, authorization?: string) => {
    assert.ok(gateway);
    const headers: Record<string, string> = {};
    if (authorization !== undefined) headers['authorization'] = authorization;
    const res = await fetch(`${gateway.url}${pathname}`, { headers });
    const body: unknown = await res.json();
    return { res, body };
  };

  it('401 with the jupyterhub challenge without credentials, or with another scheme', async () => {
    for (const authorization of [undefined, 'Basic YWxpY2U6', 'token tok-alice']) {
      const { res, body } = await get('/api/v1/clusters/', authorization);
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'jupyterhub');
      assert.deepEqual(withoutRequestId(body), {
        error: 'Authentication required',
        code: 'unauthenticated',
      });
    }
  });

  it('401 for a token the hub does not know, and for one without the service scope', async () => {
    for (const token of ['no-such-token', 'tok-noscope']) {
      const { res } = await get('/api/v1/clusters/', `jupyterhub ${token}`);
      assert.equal(res.status, 401, token);
      assert.equal(res.headers.get('www-authenticate'), 'jupyterhub');
    }
  });

  it('200 and a session cookie for a group member; groups and admin reach /me', async () => {
    const { res, body } = await get('/api/v1/clusters/', 'jupyterhub tok-alice');
    assert.equal(res.status, 200);
    assert.deepEqual(body, {});
    assert.match(res.headers.get('set-cookie') ?? '', /^dask-gateway-[0-9a-f]+=[0-9a-f]{32}; /);
    assert.deepEqual((await get('/api/v1/me', 'jupyterhub tok-root')).body, {
      name: 'root-admin',
      groups: ['dask-users'],
      admin: true,
      granted: true,
      contact: null,
      access_request: null,
    });
  });

  it('403 with a not-granted reason phrase for a hub user outside the granted group', async () => {
    const { res, body } = await get('/api/v1/clusters/', 'jupyterhub tok-mallory');
    assert.equal(res.status, 403);
    assert.match(res.statusText, /^Not granted: user mallory /);
    assert.match((body as { error: string }).error, /has not been granted access/);
  });

  it("500 and 502 with the spec's messages when the hub misbehaves", async () => {
    const r500 = await get('/api/v1/clusters/', 'jupyterhub tok-418');
    assert.equal(r500.res.status, 500);
    assert.deepEqual(withoutRequestId(r500.body), { error: VERIFY_FAILURE, code: 'internal' });
    const r502 = await get('/api/v1/clusters/', 'jupyterhub tok-503');
    assert.equal(r502.res.status, 502);
    assert.deepEqual(withoutRequestId(r502.body), {
      error: UPSTREAM_FAILURE,
      code: 'upstream_failure',
    });
  });
});

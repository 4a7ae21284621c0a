/**
 * The `proxy` section: where the public port's proxy runs.
 * @module
 */
import { Type } from 'typebox';
import { NullableSeconds, Seconds } from './primitives.js';

/** Where the public port's proxy runs: inside the gateway, or as `gatehouse proxy`. */
export const ProxyConfig = Type.Object(
  {
    mode: Type.Union([Type.Literal('inprocess'), Type.Literal('external')], {
      default: 'inprocess',
      description:
        "'inprocess': the gateway serves the public port itself. 'external': `gatehouse proxy` owns the public port (listen) and holds client connections and dashboard routes while the gateway restarts; the gateway serves its API on api_listen and keeps the proxy's routes in sync through its control API.",
    }),
    api_listen: Type.String({
      default: '127.0.0.1:8081',
      description:
        'With mode external: the private host:port where the gateway serves its API (without the prefix); the proxy forwards API requests there.',
    }),
    gateway_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
      default: null,
      description: 'URL the proxy forwards API requests to; null means http://<api_listen>.',
    }),
    gateway_urls: Type.Union(
      [
        Type.Array(Type.String({ pattern: '^https?://' }), { minItems: 1, maxItems: 64 }),
        Type.Null(),
      ],
      {
        default: null,
        description:
          "`gatehouse proxy` in front of several replicas sharing PostgreSQL: every replica's private API URL. The proxy health-checks them, sends requests to the leader (X-Gatehouse-Role), retries on another replica what failed to connect, and holds requests while no leader is known (hold_seconds). null means [gateway_url]; the first entry is the default upstream (dashboard checks before any health check answered).",
      }
    ),
    hold_seconds: NullableSeconds(
      'How long `gatehouse proxy` holds a request while no replica leads (a takeover in progress) before answering 503; null means 2 x store.lease_seconds with several gateway_urls, 0 (a prompt 503 while the one gateway restarts) with one.'
    ),
    health_period: Type.Number({
      exclusiveMinimum: 0,
      default: 0.5,
      description:
        "Seconds between `gatehouse proxy`'s health checks of each gateway_urls entry (GET <prefix>/api/health, reading X-Gatehouse-Role).",
    }),
    control_listen: Type.String({
      default: '127.0.0.1:8001',
      description: 'Where `gatehouse proxy` serves its control API (keep it private).',
    }),
    control_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
      default: null,
      description:
        'URL the gateway reaches the control API at; null means http://<control_listen>.',
    }),
    control_urls: Type.Union(
      [
        Type.Array(Type.String({ pattern: '^https?://' }), { minItems: 1, maxItems: 64 }),
        Type.Null(),
      ],
      {
        default: null,
        description:
          'Every `gatehouse proxy` fronting this gateway (their control API URLs, one token): the leader syncs routes to each and sums their client counts. The first gives the public URL. null means [control_url].',
      }
    ),
    token: Type.Union([Type.String({ minLength: 16 }), Type.Null()], {
      default: null,
      description:
        'Shared secret of the control API (a bearer token, at least 16 characters); null reads token_file, else GATEHOUSE_PROXY_TOKEN. Required by mode external and `gatehouse proxy`.',
    }),
    token_file: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: 'File holding the control API token (surrounding whitespace ignored).',
    }),
    sync_period: Type.Number({
      exclusiveMinimum: 0,
      default: 10,
      description:
        "Seconds between the gateway's route resynchronisations and client-count polls with an external proxy.",
    }),
    start_timeout: Seconds(30, 'Seconds a starting gateway waits for the external proxy.'),
    dashboard_domain: Type.Union(
      [
        Type.String({
          pattern:
            '^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
        }),
        Type.Null(),
      ],
      {
        default: null,
        description:
          "Domain under which each cluster's dashboard gets a host of its own, <cluster>.<domain> (needs a wildcard DNS name and, over HTTPS, a wildcard certificate), so that no dashboard runs in the gateway's origin. null: <cluster>.dashboards.localhost for browsers that reach the gateway at a loopback address (browsers resolve *.localhost to loopback); browsers reaching it by any other name are refused dashboards (scripts with credentials still fetch them) until this is set.",
      }
    ),
  },
  { additionalProperties: false, default: {} }
);

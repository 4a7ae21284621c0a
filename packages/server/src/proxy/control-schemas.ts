/**
 * Wire schemas of the proxy's control API (`gatehouse proxy`): the routes it holds and the
 * client connections it counts. The proxy serves them and the gateway validates what it reads.
 * @module
 */
import { Type, type Static } from 'typebox';

/** One route (kinds as in upstream's route API, spec §7.5). */
export const RouteJson = Type.Union([
  Type.Object(
    { kind: Type.Literal('PATH'), path: Type.String(), target: Type.String() },
    { additionalProperties: false }
  ),
  Type.Object(
    { kind: Type.Literal('SNI'), sni: Type.String(), target: Type.String() },
    { additionalProperties: false }
  ),
]);

/** `GET /routes`: every route the proxy holds. */
export const RoutesResponse = Type.Object(
  { routes: Type.Array(RouteJson) },
  { additionalProperties: false }
);

/** Body of `PUT /routes/sni/{name}` and `PUT /routes/path/{prefix}`. */
export const RouteTargetBody = Type.Object(
  {
    target: Type.String({
      minLength: 1,
      description: 'host:port of a scheduler (SNI) or an http(s) URL (PATH).',
    }),
  },
  { additionalProperties: false }
);

/** Client connections of one cluster. */
export const ClusterClients = Type.Object(
  {
    open: Type.Integer({ minimum: 0, description: 'Client connections open now.' }),
    idle_ms: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
      description: 'Milliseconds since the last one closed; null while one is open.',
    }),
  },
  { additionalProperties: false }
);

/** `GET /clients`: client connections per cluster the proxy has seen. */
export const ClientsResponse = Type.Object(
  { clusters: Type.Record(Type.String(), ClusterClients) },
  { additionalProperties: false }
);

/** `GET /info`: where the proxy serves. */
export const ProxyInfo = Type.Object(
  {
    public_url: Type.String({ description: 'Base URL of the public port.' }),
    prefix: Type.String(),
    version: Type.String(),
  },
  { additionalProperties: false }
);

/** `GET /routes` response body. */
export type RoutesResponse = Static<typeof RoutesResponse>;
/** `GET /clients` response body. */
export type ClientsResponse = Static<typeof ClientsResponse>;
/** `GET /info` response body. */
export type ProxyInfo = Static<typeof ProxyInfo>;

/**
 * The `metrics` section: who may scrape `/api/metrics`.
 * @module
 */
import { Type, type Static } from 'typebox';

/** Who may scrape `/api/metrics`. */
export const MetricsConfig = Type.Object(
  {
    token: Type.Union([Type.String({ minLength: 16 }), Type.Null()], {
      default: null,
      description:
        'A bearer token Prometheus may scrape /api/metrics with (admins may always read it); null = admins only.',
    }),
  },
  { additionalProperties: false, default: {} }
);

/** Metrics settings. */
export type MetricsConfig = Static<typeof MetricsConfig>;

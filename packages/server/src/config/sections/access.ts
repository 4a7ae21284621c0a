/**
 * The `access` and `quotas` sections: who may use the gateway, and per-user limits.
 * @module
 */
import { Type, type Static } from 'typebox';
import { Memory } from './primitives.js';

const QuotaValue = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]);

/** Limits on what one user may hold at once (null = unlimited). */
export const QuotaConfig = Type.Object(
  {
    max_clusters: Type.Optional(QuotaValue),
    max_workers: Type.Optional(QuotaValue),
    max_cores: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
    max_memory: Type.Optional(Type.Union([Memory, Type.Null()])),
  },
  { additionalProperties: false }
);

/** Who may use the gateway and who administers it. */
export const AccessConfig = Type.Object(
  {
    grant_all_authenticated: Type.Boolean({
      default: false,
      description:
        'Let every authenticated user in. False (the default) means only users an admin granted, or members of grant_groups.',
    }),
    grant_groups: Type.Array(Type.String(), {
      default: [],
      description: 'Groups whose members may use the gateway without an individual grant.',
    }),
    admin_users: Type.Array(Type.String(), {
      default: [],
      description: 'Users with the admin role.',
    }),
    admin_groups: Type.Array(Type.String(), {
      default: [],
      description: 'Groups whose members have the admin role.',
    }),
    unsafe_shared_password_admins: Type.Boolean({
      default: false,
      description:
        'Accept admin_users with one shared auth.password (anyone who knows it can be an admin); refused otherwise.',
    }),
    contact: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: 'How to reach an admin, added to the not-granted message (e.g. a chat channel).',
    }),
    bootstrap_admin_token: Type.Boolean({
      default: true,
      description:
        'At first start (no API token stored yet), issue an admin API token: written to <data_dir>/bootstrap-admin-token (0600), or printed once by the embedded default on a terminal.',
    }),
  },
  { additionalProperties: false, default: {} }
);

/** Per-user limits: a default, per-group values and per-user overrides. */
export const QuotasConfig = Type.Object(
  {
    default: Type.Intersect([QuotaConfig], { default: {} }),
    groups: Type.Record(Type.String(), QuotaConfig, { default: {} }),
    users: Type.Record(Type.String(), QuotaConfig, { default: {} }),
  },
  { additionalProperties: false, default: {} }
);

/** Access settings. */
export type AccessConfig = Static<typeof AccessConfig>;
/** One user's or group's quota as written in the file. */
export type QuotaConfig = Static<typeof QuotaConfig>;

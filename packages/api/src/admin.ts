/**
 * Gatehouse's own routes beyond the dask-gateway contract: who am I, access requests, the
 * shared pool, cluster logs, and the admin API under `/api/v1/admin/` (docs/access.md). The
 * server answers through these schemas and the SDK types its answers with them.
 * @module
 */
import { Type, type Static, type TSchema } from 'typebox';

/** `t` or null. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Statuses of an access request. */
export const ACCESS_REQUEST_STATUSES = ['pending', 'approved', 'denied'] as const;

/** One access request status. */
export type AccessRequestStatus = (typeof ACCESS_REQUEST_STATUSES)[number];

/** An access request (`POST /api/v1/access-requests`, `GET /api/v1/admin/requests`). */
export const RequestJson = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    message: Type.String(),
    status: Type.String({ description: 'pending, approved or denied' }),
    created_at: Type.Integer(),
    decided_by: Nullable(Type.String()),
    decided_at: Nullable(Type.Integer()),
    reason: Nullable(Type.String({ description: "The admin's reason for a denial" })),
  },
  { additionalProperties: false }
);

/** An access request. */
export type RequestJson = Static<typeof RequestJson>;

/** `POST /api/v1/admin/requests/{id}/deny` body (optional): the reason the user then sees. */
export const DenyBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false }
);

/**
 * `GET /api/v1/me`: the caller, their groups, whether they are admin and granted, whom to ask
 * for access and their latest access request.
 */
export const MeJson = Type.Object(
  {
    name: Type.String(),
    groups: Type.Array(Type.String()),
    admin: Type.Boolean(),
    granted: Type.Boolean(),
    contact: Nullable(Type.String({ description: 'Whom to ask for access (access.contact)' })),
    access_request: Nullable(RequestJson),
  },
  { additionalProperties: false }
);

/** The caller as `GET /api/v1/me` describes them. */
export type MeJson = Static<typeof MeJson>;

/** `GET /api/v1/pool`: the shared pool as the caller sees it (admins also get `per_user`). */
export const PoolJson = Type.Object(
  {
    machines_total: Type.Integer(),
    machines_in_use: Type.Integer(),
    machines_free: Type.Integer(),
    users_with_machines: Type.Integer(),
    your_machines: Type.Integer(),
    user_machine_cap: Nullable(Type.Integer()),
    machine_types: Type.Array(
      Type.Object({
        name: Type.String(),
        cores: Type.Number(),
        memory: Type.Integer(),
        count: Type.Integer(),
      })
    ),
    per_user: Type.Optional(Type.Record(Type.String(), Type.Integer())),
    new_cluster: Type.Array(
      Type.Object(
        {
          profile: Nullable(
            Type.String({ description: 'The profile; null when none are offered' })
          ),
          worker_cores: Type.Number(),
          worker_memory: Type.Integer(),
          workers_per_machine: Type.Integer(),
          workers_now: Type.Integer({ description: 'Workers it could scale to at once' }),
          limited_by: Nullable(Type.String({ description: "'pool', 'quota' or null" })),
          message: Type.String({ description: 'The same in plain words' }),
        },
        { additionalProperties: false }
      ),
      { description: 'What a new cluster of each profile you may pick would get now' }
    ),
    queue: Type.Optional(
      Type.Array(
        Type.Object(
          {
            cluster: Type.String(),
            username: Type.String(),
            wanted: Type.Integer({ description: 'Workers it wants in all' }),
            granted: Type.Integer({ description: 'Workers it has now' }),
            position: Type.Integer({ description: 'Its place in line, from 1' }),
            usage_core_hours: Type.Number({
              description: "The user's recent usage (decayed core-hours): less goes first",
            }),
            pinned: Type.Optional(
              Type.Boolean({ description: 'An admin moved it: its place holds' })
            ),
          },
          { additionalProperties: false }
        ),
        {
          description:
            'Clusters waiting for machines (pool.when_full: queue), in grant order: yours, or ' +
            'every one for admins',
        }
      )
    ),
  },
  { additionalProperties: false }
);

/** The shared pool's state. */
export type PoolJson = Static<typeof PoolJson>;

/** `GET /api/v1/clusters/{name}/logs`: the last lines of each process of a cluster. */
export const LogsJson = Type.Object(
  {
    cluster: Type.String(),
    processes: Type.Array(
      Type.Object(
        { name: Type.String(), kind: Type.String(), text: Type.String() },
        { additionalProperties: false }
      )
    ),
  },
  { additionalProperties: false }
);

/** A cluster's process logs. */
export type LogsJson = Static<typeof LogsJson>;

/** A user's quota: `null` means unlimited; memory in bytes. */
export const QuotaJson = Type.Object(
  {
    max_clusters: Nullable(Type.Integer()),
    max_workers: Nullable(Type.Integer()),
    max_cores: Nullable(Type.Number()),
    max_memory: Nullable(Type.Integer()),
  },
  { additionalProperties: false }
);

/** A user's quota. */
export type QuotaJson = Static<typeof QuotaJson>;

/** What a user holds now (active clusters, running workers, cores, memory in bytes). */
export const UsageNow = Type.Object(
  {
    clusters: Type.Integer(),
    workers: Type.Integer(),
    cores: Type.Number(),
    memory: Type.Integer(),
  },
  { additionalProperties: false }
);

/** What a user holds now. */
export type UsageNow = Static<typeof UsageNow>;

/** `GET /api/v1/admin/quotas/{user}`. */
export const QuotaAndUsage = Type.Object(
  { quota: QuotaJson, usage: UsageNow },
  { additionalProperties: false }
);

/** A user's quota and usage. */
export type QuotaAndUsage = Static<typeof QuotaAndUsage>;

/** `PUT /api/v1/admin/quotas/{user}` answer: the quota that now applies. */
export const QuotaSet = Type.Object({ quota: QuotaJson }, { additionalProperties: false });

/** One user on `GET /api/v1/admin/users`. */
export const AdminUser = Type.Object(
  {
    name: Type.String(),
    granted: Type.Boolean(),
    active_clusters: Type.Integer(),
    usage: UsageNow,
    quota: QuotaJson,
    pending_request: Type.Boolean(),
    granted_by: Nullable(
      Type.Union([Type.Literal('grant'), Type.Literal('group'), Type.Literal('admin')], {
        description: 'How the user is let in: their own grant, a granted group, or the admin role',
      })
    ),
    groups: Type.Array(Type.String(), { description: 'Their groups when last seen' }),
    core_hours_30d: Type.Number({ description: 'Core-hours consumed in the last 30 days' }),
  },
  { additionalProperties: false }
);

/** One user, as admins see them. */
export type AdminUser = Static<typeof AdminUser>;

/** An API token's record (never the token itself, which is shown once). */
export const TokenJson = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    admin: Type.Boolean(),
    label: Type.String(),
    created_by: Type.String(),
    created_at: Type.Integer(),
    revoked_at: Nullable(Type.Integer()),
  },
  { additionalProperties: false }
);

/** An API token's record. */
export type TokenJson = Static<typeof TokenJson>;

/** `POST /api/v1/admin/tokens` answer: the secret (shown once) and its record. */
export const IssuedToken = Type.Object(
  { token: Type.String(), info: TokenJson },
  { additionalProperties: false }
);

/** A freshly issued API token. */
export type IssuedToken = Static<typeof IssuedToken>;

/** One row of `GET /api/v1/admin/usage`: a user's consumption on one UTC day. */
export const UsageDay = Type.Object(
  {
    username: Type.String(),
    day: Type.String({ description: 'YYYY-MM-DD (UTC)' }),
    core_hours: Type.Number(),
    memory_gib_hours: Type.Number(),
  },
  { additionalProperties: false }
);

/** A user's consumption on one UTC day. */
export type UsageDay = Static<typeof UsageDay>;

/** One entry of `GET /api/v1/admin/audit`. */
export const AuditJson = Type.Object(
  {
    id: Type.Integer(),
    time: Type.Integer(),
    actor: Type.String(),
    action: Type.String(),
    target: Type.String(),
    outcome: Type.String(),
    detail: Type.String(),
  },
  { additionalProperties: false }
);

/** One audit log entry. */
export type AuditJson = Static<typeof AuditJson>;

/** One Python environment on `GET /api/v1/admin/environments`. */
export const EnvironmentJson = Type.Object(
  {
    name: Type.String(),
    prefix: Type.String(),
    groups: Type.Array(Type.String()),
    state: Type.String(),
    detail: Type.String(),
    versions: Type.Record(Type.String(), Type.String()),
    checked_at: Nullable(Type.Integer()),
  },
  { additionalProperties: false }
);

/** One Python environment users may choose. */
export type EnvironmentJson = Static<typeof EnvironmentJson>;

/** A group's quota settings: an absent key is not set by the group, `null` is unlimited. */
export const GroupQuotaSettings = Type.Object(
  {
    max_clusters: Type.Optional(Nullable(Type.Integer())),
    max_workers: Type.Optional(Nullable(Type.Integer())),
    max_cores: Type.Optional(Nullable(Type.Number())),
    max_memory: Type.Optional(Nullable(Type.Integer())),
  },
  { additionalProperties: false }
);

/** One group on `GET /api/v1/admin/group-quotas` (and `PUT …/group-quotas/{group}`'s answer). */
export const GroupQuotaJson = Type.Object(
  {
    group: Type.String(),
    quota: GroupQuotaSettings,
    source: Nullable(
      Type.Union([Type.Literal('config'), Type.Literal('admin')], {
        description:
          "Where the settings come from: the config file, an admin's override, or null (none)",
      })
    ),
    config_quota: Nullable(GroupQuotaSettings),
  },
  { additionalProperties: false }
);

/** One group's quota and where it comes from. */
export type GroupQuotaJson = Static<typeof GroupQuotaJson>;

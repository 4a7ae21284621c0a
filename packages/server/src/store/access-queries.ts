/**
 * Every query the access store issues, one builder each (compiled in both dialects by
 * `query-dialects.test.ts`): grants, access requests, API tokens, quotas, groups, audit, usage.
 * @module
 */
import type { Insertable, Kysely } from 'kysely';
import type { AccessRequestRow, ApiTokenRow, AuditRow, Database, UsageRow } from './tables.js';

/** The token columns shown to callers (never the hash). */
export const TOKEN_COLUMNS = [
  'id',
  'username',
  'admin',
  'label',
  'created_by',
  'created_at',
  'revoked_at',
] as const;

/** Every grant, by user name. */
export const selectGrants = (db: Kysely<Database>) =>
  db.selectFrom('grants').selectAll().orderBy('username');

/** One user's grant. */
export const selectGrant = (db: Kysely<Database>, username: string) =>
  db.selectFrom('grants').select('username').where('username', '=', username);

/** Grants access (no-op when already granted). */
export const insertGrant = (db: Kysely<Database>, username: string, by: string, now: number) =>
  db
    .insertInto('grants')
    .values({ username, granted_by: by, granted_at: now })
    .onConflict((oc) => oc.column('username').doNothing());

/** Revokes a grant. */
export const deleteGrant = (db: Kysely<Database>, username: string) =>
  db.deleteFrom('grants').where('username', '=', username);

/** A user's pending access request. */
export const selectPendingRequest = (db: Kysely<Database>, username: string) =>
  db
    .selectFrom('access_requests')
    .selectAll()
    .where('username', '=', username)
    .where('status', '=', 'pending');

/** Files an access request, returning it with its id. */
export const insertRequest = (db: Kysely<Database>, row: Insertable<AccessRequestRow>) =>
  db.insertInto('access_requests').values(row).returningAll();

/** Access requests, optionally of one status, oldest first. */
export function selectRequests(db: Kysely<Database>, status?: AccessRequestRow['status']) {
  const q = db.selectFrom('access_requests').selectAll().orderBy('id');
  return status === undefined ? q : q.where('status', '=', status);
}

/** A user's newest access request. */
export const selectLatestRequest = (db: Kysely<Database>, username: string) =>
  db
    .selectFrom('access_requests')
    .selectAll()
    .where('username', '=', username)
    .orderBy('id', 'desc')
    .limit(1);

/** One access request. */
export const selectRequest = (db: Kysely<Database>, id: number) =>
  db.selectFrom('access_requests').selectAll().where('id', '=', id);

/** Records the decision on an access request. */
export const updateRequestDecision = (
  db: Kysely<Database>,
  id: number,
  status: 'approved' | 'denied',
  by: string,
  now: number,
  reason: string | null
) =>
  db
    .updateTable('access_requests')
    .set({ status, decided_by: by, decided_at: now, reason })
    .where('id', '=', id);

/** Stores a new token (its hash only). */
export const insertToken = (db: Kysely<Database>, row: Insertable<ApiTokenRow>) =>
  db.insertInto('api_tokens').values(row);

/** The live token with this hash. */
export const selectTokenByHash = (db: Kysely<Database>, hash: string) =>
  db
    .selectFrom('api_tokens')
    .select(TOKEN_COLUMNS)
    .where('token_hash', '=', hash)
    .where('revoked_at', 'is', null);

/** Tokens, optionally of one user, oldest first. */
export function selectTokens(db: Kysely<Database>, username?: string) {
  const q = db.selectFrom('api_tokens').select(TOKEN_COLUMNS).orderBy('created_at');
  return username === undefined ? q : q.where('username', '=', username);
}

/** Revokes a live token. */
export const updateTokenRevoked = (db: Kysely<Database>, id: string, now: number) =>
  db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null);

/** How many tokens exist. */
export const countTokenRows = (db: Kysely<Database>) =>
  db.selectFrom('api_tokens').select((eb) => eb.fn.countAll<number | string>().as('n'));

/** One user's quota override. */
export const selectUserQuota = (db: Kysely<Database>, username: string) =>
  db.selectFrom('user_quotas').select('quota').where('username', '=', username);

/** Every quota override. */
export const selectUserQuotas = (db: Kysely<Database>) =>
  db.selectFrom('user_quotas').select(['username', 'quota']);

/** Removes a user's quota override. */
export const deleteUserQuota = (db: Kysely<Database>, username: string) =>
  db.deleteFrom('user_quotas').where('username', '=', username);

/** Sets a user's quota override. */
export const upsertUserQuota = (
  db: Kysely<Database>,
  username: string,
  quota: string,
  by: string,
  now: number
) =>
  db
    .insertInto('user_quotas')
    .values({ username, quota, set_by: by, set_at: now })
    .onConflict((oc) => oc.column('username').doUpdateSet({ quota, set_by: by, set_at: now }));

/** Every group quota override. */
export const selectGroupQuotas = (db: Kysely<Database>) =>
  db.selectFrom('group_quotas').select(['group_name', 'quota']);

/** Removes a group's quota override. */
export const deleteGroupQuota = (db: Kysely<Database>, group: string) =>
  db.deleteFrom('group_quotas').where('group_name', '=', group);

/** Sets a group's quota override. */
export const upsertGroupQuota = (
  db: Kysely<Database>,
  group: string,
  quota: string,
  by: string,
  now: number
) =>
  db
    .insertInto('group_quotas')
    .values({ group_name: group, quota, set_by: by, set_at: now })
    .onConflict((oc) => oc.column('group_name').doUpdateSet({ quota, set_by: by, set_at: now }));

/** Every user's last-seen groups. */
export const selectUserGroups = (db: Kysely<Database>) =>
  db.selectFrom('user_groups').select(['username', 'groups']);

/** Remembers a user's groups (JSON array). */
export const upsertUserGroups = (
  db: Kysely<Database>,
  username: string,
  groups: string,
  now: number
) =>
  db
    .insertInto('user_groups')
    .values({ username, groups, seen_at: now })
    .onConflict((oc) => oc.column('username').doUpdateSet({ groups, seen_at: now }));

/** Appends an audit entry. */
export const insertAudit = (db: Kysely<Database>, e: Insertable<AuditRow>) =>
  db.insertInto('audit').values(e);

/** The newest audit entries, optionally since a time. */
export function selectAudit(db: Kysely<Database>, since: number | undefined, limit: number) {
  const q = db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(limit);
  return since === undefined ? q : q.where('time', '>=', since);
}

/** Opens a usage interval (no-op when already open). */
export const insertUsage = (db: Kysely<Database>, u: Insertable<UsageRow>) =>
  db
    .insertInto('usage')
    .values(u)
    .onConflict((oc) => oc.column('id').doNothing());

/** Closes an open usage interval. */
export const updateUsageStop = (db: Kysely<Database>, id: string, now: number) =>
  db
    .updateTable('usage')
    .set({ stop_time: now })
    .where('id', '=', id)
    .where('stop_time', 'is', null);

/** Usage intervals open at or after `since`. */
export const selectUsageSince = (db: Kysely<Database>, since: number) =>
  db
    .selectFrom('usage')
    .selectAll()
    .where((eb) => eb.or([eb('stop_time', 'is', null), eb('stop_time', '>=', since)]));

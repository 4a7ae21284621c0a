/**
 * Persists who may use the gateway and what they did: grants, access requests, API tokens
 * (hashed), per-user quota overrides, the audit log and usage intervals.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type {
  AccessRequestRow,
  ApiTokenRow,
  AuditRow,
  Database,
  GrantRow,
  UsageRow,
} from './tables.js';

/** SHA-256 hex of an API token; tokens are random, so a fast hash suffices. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** An access request as the admin API shows it. */
export type AccessRequest = Omit<AccessRequestRow, 'id'> & { id: number };
/** An audit entry as the admin API shows it. */
export type AuditEntry = Omit<AuditRow, 'id'> & { id: number };
/** An API token's metadata (never the token or its hash). */
export type TokenInfo = Omit<ApiTokenRow, 'token_hash'>;

/** Storage of access control and accounting. */
export interface AccessStore {
  listGrants(): Promise<GrantRow[]>;
  isGranted(username: string): Promise<boolean>;
  grant(username: string, by: string, now: number): Promise<void>;
  revoke(username: string): Promise<boolean>;

  fileRequest(username: string, message: string, now: number): Promise<AccessRequest>;
  listRequests(status?: AccessRequestRow['status']): Promise<AccessRequest[]>;
  getRequest(id: number): Promise<AccessRequest | undefined>;
  decideRequest(id: number, status: 'approved' | 'denied', by: string, now: number): Promise<void>;

  /** Issues a token; the returned `token` is shown once and only its hash is kept. */
  issueToken(o: {
    username: string;
    admin: boolean;
    label: string;
    by: string;
    now: number;
  }): Promise<{ token: string; info: TokenInfo }>;
  findToken(token: string): Promise<TokenInfo | undefined>;
  listTokens(username?: string): Promise<TokenInfo[]>;
  revokeToken(id: string, now: number): Promise<boolean>;
  countTokens(): Promise<number>;

  getUserQuota(username: string): Promise<string | undefined>;
  listUserQuotas(): Promise<Record<string, string>>;
  setUserQuota(username: string, quotaJson: string | null, by: string, now: number): Promise<void>;

  /** Every user's groups as last seen. */
  listUserGroups(): Promise<Record<string, string[]>>;
  /** Remembers the groups `username` was seen with. */
  setUserGroups(username: string, groups: readonly string[], now: number): Promise<void>;

  audit(e: Omit<AuditRow, 'id'>): Promise<void>;
  listAudit(o: { since?: number; limit: number }): Promise<AuditEntry[]>;

  startUsage(u: Omit<UsageRow, 'stop_time'>): Promise<void>;
  stopUsage(id: string, now: number): Promise<void>;
  usageSince(since: number): Promise<UsageRow[]>;
}

/** An access store over a migrated database. */
export function createAccessStore(db: Kysely<Database>): AccessStore {
  const tokenColumns = [
    'id',
    'username',
    'admin',
    'label',
    'created_by',
    'created_at',
    'revoked_at',
  ] as const;
  return {
    listGrants: () => db.selectFrom('grants').selectAll().orderBy('username').execute(),
    async isGranted(username) {
      const row = await db
        .selectFrom('grants')
        .select('username')
        .where('username', '=', username)
        .executeTakeFirst();
      return row !== undefined;
    },
    async grant(username, by, now) {
      await db
        .insertInto('grants')
        .values({ username, granted_by: by, granted_at: now })
        .onConflict((oc) => oc.column('username').doNothing())
        .execute();
    },
    async revoke(username) {
      const r = await db.deleteFrom('grants').where('username', '=', username).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },

    async fileRequest(username, message, now) {
      const existing = await db
        .selectFrom('access_requests')
        .selectAll()
        .where('username', '=', username)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (existing !== undefined) return existing;
      const row = await db
        .insertInto('access_requests')
        .values({
          username,
          message,
          status: 'pending',
          created_at: now,
          decided_by: null,
          decided_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return row;
    },
    listRequests(status) {
      let q = db.selectFrom('access_requests').selectAll().orderBy('id');
      if (status !== undefined) q = q.where('status', '=', status);
      return q.execute();
    },
    getRequest: (id) =>
      db.selectFrom('access_requests').selectAll().where('id', '=', id).executeTakeFirst(),
    async decideRequest(id, status, by, now) {
      await db
        .updateTable('access_requests')
        .set({ status, decided_by: by, decided_at: now })
        .where('id', '=', id)
        .execute();
    },

    async issueToken({ username, admin, label, by, now }) {
      const token = `gh_${randomBytes(24).toString('base64url')}`;
      const info: TokenInfo = {
        id: randomBytes(6).toString('hex'),
        username,
        admin: admin ? 1 : 0,
        label,
        created_by: by,
        created_at: now,
        revoked_at: null,
      };
      await db
        .insertInto('api_tokens')
        .values({ ...info, token_hash: hashToken(token) })
        .execute();
      return { token, info };
    },
    findToken: (token) =>
      db
        .selectFrom('api_tokens')
        .select(tokenColumns)
        .where('token_hash', '=', hashToken(token))
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    listTokens(username) {
      let q = db.selectFrom('api_tokens').select(tokenColumns).orderBy('created_at');
      if (username !== undefined) q = q.where('username', '=', username);
      return q.execute();
    },
    async revokeToken(id, now) {
      const r = await db
        .updateTable('api_tokens')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async countTokens() {
      const r = await db
        .selectFrom('api_tokens')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return r.n;
    },

    async getUserQuota(username) {
      const r = await db
        .selectFrom('user_quotas')
        .select('quota')
        .where('username', '=', username)
        .executeTakeFirst();
      return r?.quota;
    },
    async listUserQuotas() {
      const rows = await db.selectFrom('user_quotas').select(['username', 'quota']).execute();
      return Object.fromEntries(rows.map((r) => [r.username, r.quota]));
    },
    async listUserGroups() {
      const rows = await db.selectFrom('user_groups').select(['username', 'groups']).execute();
      const out: Record<string, string[]> = {};
      for (const r of rows) {
        const parsed: unknown = JSON.parse(r.groups);
        if (Array.isArray(parsed)) out[r.username] = parsed.map(String);
      }
      return out;
    },
    async setUserGroups(username, groups, now) {
      const json = JSON.stringify(groups);
      await db
        .insertInto('user_groups')
        .values({ username, groups: json, seen_at: now })
        .onConflict((oc) => oc.column('username').doUpdateSet({ groups: json, seen_at: now }))
        .execute();
    },
    async setUserQuota(username, quotaJson, by, now) {
      if (quotaJson === null) {
        await db.deleteFrom('user_quotas').where('username', '=', username).execute();
        return;
      }
      await db
        .insertInto('user_quotas')
        .values({ username, quota: quotaJson, set_by: by, set_at: now })
        .onConflict((oc) =>
          oc.column('username').doUpdateSet({ quota: quotaJson, set_by: by, set_at: now })
        )
        .execute();
    },

    async audit(e) {
      await db.insertInto('audit').values(e).execute();
    },
    listAudit({ since, limit }) {
      let q = db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(limit);
      if (since !== undefined) q = q.where('time', '>=', since);
      return q.execute();
    },

    async startUsage(u) {
      await db
        .insertInto('usage')
        .values({ ...u, stop_time: null })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    },
    async stopUsage(id, now) {
      await db
        .updateTable('usage')
        .set({ stop_time: now })
        .where('id', '=', id)
        .where('stop_time', 'is', null)
        .execute();
    },
    usageSince: (since) =>
      db
        .selectFrom('usage')
        .selectAll()
        .where((eb) => eb.or([eb('stop_time', 'is', null), eb('stop_time', '>=', since)]))
        .execute(),
  };
}

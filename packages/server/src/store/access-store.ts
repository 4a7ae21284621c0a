/**
 * Persists who may use the gateway and what they did: grants, access requests, API tokens
 * (hashed), per-user quota overrides, the audit log and usage intervals.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import * as q from './access-queries.js';
import { int64 as n, int64OrNull as nOrNull } from './int64.js';
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

const grantOut = (r: GrantRow): GrantRow => ({ ...r, granted_at: n(r.granted_at) });
const requestOut = (r: AccessRequest): AccessRequest => ({
  ...r,
  id: n(r.id),
  created_at: n(r.created_at),
  decided_at: nOrNull(r.decided_at),
});
const tokenOut = (r: TokenInfo): TokenInfo => ({
  ...r,
  admin: n(r.admin),
  created_at: n(r.created_at),
  revoked_at: nOrNull(r.revoked_at),
});
const auditOut = (r: AuditEntry): AuditEntry => ({ ...r, id: n(r.id), time: n(r.time) });
const usageOut = (r: UsageRow): UsageRow => ({
  ...r,
  cores: n(r.cores),
  memory: n(r.memory),
  start_time: n(r.start_time),
  stop_time: nOrNull(r.stop_time),
});

/** An access store over a migrated database. */
export function createAccessStore(db: Kysely<Database>): AccessStore {
  return {
    listGrants: async () => (await q.selectGrants(db).execute()).map(grantOut),
    async isGranted(username) {
      return (await q.selectGrant(db, username).executeTakeFirst()) !== undefined;
    },
    async grant(username, by, now) {
      await q.insertGrant(db, username, by, now).execute();
    },
    async revoke(username) {
      const r = await q.deleteGrant(db, username).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },

    async fileRequest(username, message, now) {
      const existing = await q.selectPendingRequest(db, username).executeTakeFirst();
      if (existing !== undefined) return requestOut(existing);
      const row = await q
        .insertRequest(db, {
          username,
          message,
          status: 'pending',
          created_at: now,
          decided_by: null,
          decided_at: null,
        })
        .executeTakeFirstOrThrow();
      return requestOut(row);
    },
    listRequests: async (status) => (await q.selectRequests(db, status).execute()).map(requestOut),
    async getRequest(id) {
      const row = await q.selectRequest(db, id).executeTakeFirst();
      return row === undefined ? undefined : requestOut(row);
    },
    async decideRequest(id, status, by, now) {
      await q.updateRequestDecision(db, id, status, by, now).execute();
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
      await q.insertToken(db, { ...info, token_hash: hashToken(token) }).execute();
      return { token, info };
    },
    async findToken(token) {
      const row = await q.selectTokenByHash(db, hashToken(token)).executeTakeFirst();
      return row === undefined ? undefined : tokenOut(row);
    },
    listTokens: async (username) => (await q.selectTokens(db, username).execute()).map(tokenOut),
    async revokeToken(id, now) {
      const r = await q.updateTokenRevoked(db, id, now).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async countTokens() {
      return n((await q.countTokenRows(db).executeTakeFirstOrThrow()).n);
    },

    async getUserQuota(username) {
      return (await q.selectUserQuota(db, username).executeTakeFirst())?.quota;
    },
    async listUserQuotas() {
      const rows = await q.selectUserQuotas(db).execute();
      return Object.fromEntries(rows.map((r) => [r.username, r.quota]));
    },
    async listUserGroups() {
      const rows = await q.selectUserGroups(db).execute();
      const out: Record<string, string[]> = {};
      for (const r of rows) {
        const parsed: unknown = JSON.parse(r.groups);
        if (Array.isArray(parsed)) out[r.username] = parsed.map(String);
      }
      return out;
    },
    async setUserGroups(username, groups, now) {
      await q.upsertUserGroups(db, username, JSON.stringify(groups), now).execute();
    },
    async setUserQuota(username, quotaJson, by, now) {
      if (quotaJson === null) await q.deleteUserQuota(db, username).execute();
      else await q.upsertUserQuota(db, username, quotaJson, by, now).execute();
    },

    async audit(e) {
      await q.insertAudit(db, e).execute();
    },
    listAudit: async ({ since, limit }) =>
      (await q.selectAudit(db, since, limit).execute()).map(auditOut),

    async startUsage(u) {
      await q.insertUsage(db, { ...u, stop_time: null }).execute();
    },
    async stopUsage(id, now) {
      await q.updateUsageStop(db, id, now).execute();
    },
    usageSince: async (since) => (await q.selectUsageSince(db, since).execute()).map(usageOut),
  };
}

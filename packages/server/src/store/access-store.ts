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

/** Who a new API token is for, and who issues it when. */
export interface TokenIssue {
  readonly username: string;
  readonly admin: boolean;
  readonly label: string;
  readonly by: string;
  readonly now: number;
}

/** Storage of access control and accounting. */
export interface AccessStore {
  listGrants(): Promise<GrantRow[]>;
  isGranted(username: string): Promise<boolean>;
  grant(username: string, by: string, now: number): Promise<void>;
  revoke(username: string): Promise<boolean>;

  fileRequest(username: string, message: string, now: number): Promise<AccessRequest>;
  listRequests(status?: AccessRequestRow['status']): Promise<AccessRequest[]>;
  getRequest(id: number): Promise<AccessRequest | undefined>;
  decideRequest(
    id: number,
    status: 'approved' | 'denied',
    by: string,
    now: number,
    reason?: string | null
  ): Promise<void>;
  /** The user's newest access request, whatever its status. */
  latestRequest(username: string): Promise<AccessRequest | undefined>;

  /** Issues a token; the returned `token` is shown once and only its hash is kept. */
  issueToken(o: TokenIssue): Promise<{ token: string; info: TokenInfo }>;
  findToken(token: string): Promise<TokenInfo | undefined>;
  listTokens(username?: string): Promise<TokenInfo[]>;
  revokeToken(id: string, now: number): Promise<boolean>;
  countTokens(): Promise<number>;

  getUserQuota(username: string): Promise<string | undefined>;
  listUserQuotas(): Promise<Record<string, string>>;
  setUserQuota(username: string, quotaJson: string | null, by: string, now: number): Promise<void>;
  /** Group quota overrides by group name (quota JSON as admins sent it). */
  listGroupQuotas(): Promise<Record<string, string>>;
  /** Sets (or with null removes) a group's quota override. */
  setGroupQuota(group: string, quotaJson: string | null, by: string, now: number): Promise<void>;

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

/** The access store over Kysely: each method one query of `access-queries.ts`. */
class SqlAccessStore implements AccessStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async listGrants(): Promise<GrantRow[]> {
    return (await q.selectGrants(this.#db).execute()).map(grantOut);
  }

  async isGranted(username: string): Promise<boolean> {
    return (await q.selectGrant(this.#db, username).executeTakeFirst()) !== undefined;
  }

  async grant(username: string, by: string, now: number): Promise<void> {
    await q.insertGrant(this.#db, username, by, now).execute();
  }

  async revoke(username: string): Promise<boolean> {
    const r = await q.deleteGrant(this.#db, username).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  async fileRequest(username: string, message: string, now: number): Promise<AccessRequest> {
    const existing = await q.selectPendingRequest(this.#db, username).executeTakeFirst();
    if (existing !== undefined) return requestOut(existing);
    const row = await q
      .insertRequest(this.#db, {
        username,
        message,
        status: 'pending',
        created_at: now,
        decided_by: null,
        decided_at: null,
        reason: null,
      })
      .executeTakeFirstOrThrow();
    return requestOut(row);
  }

  async listRequests(status?: AccessRequestRow['status']): Promise<AccessRequest[]> {
    return (await q.selectRequests(this.#db, status).execute()).map(requestOut);
  }

  async getRequest(id: number): Promise<AccessRequest | undefined> {
    const row = await q.selectRequest(this.#db, id).executeTakeFirst();
    return row === undefined ? undefined : requestOut(row);
  }

  async decideRequest(
    id: number,
    status: 'approved' | 'denied',
    by: string,
    now: number,
    reason: string | null = null
  ): Promise<void> {
    await q.updateRequestDecision(this.#db, id, status, by, now, reason).execute();
  }

  async latestRequest(username: string): Promise<AccessRequest | undefined> {
    const row = await q.selectLatestRequest(this.#db, username).executeTakeFirst();
    return row === undefined ? undefined : requestOut(row);
  }

  async issueToken(o: TokenIssue): Promise<{ token: string; info: TokenInfo }> {
    const token = `gh_${randomBytes(24).toString('base64url')}`;
    const info: TokenInfo = {
      id: randomBytes(6).toString('hex'),
      username: o.username,
      admin: o.admin ? 1 : 0,
      label: o.label,
      created_by: o.by,
      created_at: o.now,
      revoked_at: null,
    };
    await q.insertToken(this.#db, { ...info, token_hash: hashToken(token) }).execute();
    return { token, info };
  }

  async findToken(token: string): Promise<TokenInfo | undefined> {
    const row = await q.selectTokenByHash(this.#db, hashToken(token)).executeTakeFirst();
    return row === undefined ? undefined : tokenOut(row);
  }

  async listTokens(username?: string): Promise<TokenInfo[]> {
    return (await q.selectTokens(this.#db, username).execute()).map(tokenOut);
  }

  async revokeToken(id: string, now: number): Promise<boolean> {
    const r = await q.updateTokenRevoked(this.#db, id, now).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async countTokens(): Promise<number> {
    return n((await q.countTokenRows(this.#db).executeTakeFirstOrThrow()).n);
  }

  async getUserQuota(username: string): Promise<string | undefined> {
    return (await q.selectUserQuota(this.#db, username).executeTakeFirst())?.quota;
  }

  async listUserQuotas(): Promise<Record<string, string>> {
    const rows = await q.selectUserQuotas(this.#db).execute();
    return Object.fromEntries(rows.map((r) => [r.username, r.quota]));
  }

  async listUserGroups(): Promise<Record<string, string[]>> {
    const rows = await q.selectUserGroups(this.#db).execute();
    const out: Record<string, string[]> = {};
    for (const r of rows) {
      const parsed: unknown = JSON.parse(r.groups);
      if (Array.isArray(parsed)) out[r.username] = parsed.map(String);
    }
    return out;
  }

  async setUserGroups(username: string, groups: readonly string[], now: number): Promise<void> {
    await q.upsertUserGroups(this.#db, username, JSON.stringify(groups), now).execute();
  }

  async setUserQuota(
    username: string,
    quotaJson: string | null,
    by: string,
    now: number
  ): Promise<void> {
    if (quotaJson === null) await q.deleteUserQuota(this.#db, username).execute();
    else await q.upsertUserQuota(this.#db, username, quotaJson, by, now).execute();
  }

  async listGroupQuotas(): Promise<Record<string, string>> {
    const rows = await q.selectGroupQuotas(this.#db).execute();
    return Object.fromEntries(rows.map((r) => [r.group_name, r.quota]));
  }

  async setGroupQuota(
    group: string,
    quotaJson: string | null,
    by: string,
    now: number
  ): Promise<void> {
    if (quotaJson === null) await q.deleteGroupQuota(this.#db, group).execute();
    else await q.upsertGroupQuota(this.#db, group, quotaJson, by, now).execute();
  }

  async audit(e: Omit<AuditRow, 'id'>): Promise<void> {
    await q.insertAudit(this.#db, e).execute();
  }

  async listAudit(o: { since?: number; limit: number }): Promise<AuditEntry[]> {
    return (await q.selectAudit(this.#db, o.since, o.limit).execute()).map(auditOut);
  }

  async startUsage(u: Omit<UsageRow, 'stop_time'>): Promise<void> {
    await q.insertUsage(this.#db, { ...u, stop_time: null }).execute();
  }

  async stopUsage(id: string, now: number): Promise<void> {
    await q.updateUsageStop(this.#db, id, now).execute();
  }

  async usageSince(since: number): Promise<UsageRow[]> {
    return (await q.selectUsageSince(this.#db, since).execute()).map(usageOut);
  }
}

/** An access store over a migrated database. */
export function createAccessStore(db: Kysely<Database>): AccessStore {
  return new SqlAccessStore(db);
}

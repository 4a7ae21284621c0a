/**
 * Core-hour budgets (issue 21): what each user may use per period, read from the usage already
 * recorded (no counters of its own). It answers the API's budget views, refuses new clusters
 * and scale-ups of a user out of hours, warns past `warn_at`, and its sweep stops the running
 * clusters of a user out of hours once the grace period has passed (stop reason "budget").
 * @module
 */
import type { Clock } from '../clock.js';
import type { ClusterRecord } from '../clusters/model.js';
import { isActive } from '../clusters/model.js';
import type { BudgetsConfig } from '../config/sections/budgets.js';
import { GatewayError } from '../errors.js';
import { usageHours, type UsageInterval } from '../pool/usage-hours.js';
import type { BudgetGrant, BudgetGrants } from './budget-grants.js';
import { periodBounds } from './budget-period.js';
import { budgetLimit, budgetStatus, hoursText, type BudgetStatus } from './budget-status.js';

/** What the budgets read and act through. */
export interface BudgetDeps {
  readonly config: BudgetsConfig;
  readonly clock: Clock;
  /** The usage intervals recorded since a time (ms): the only source of usage. */
  readonly usageSince: (since: number) => Promise<readonly UsageInterval[]>;
  readonly grants: BudgetGrants;
  /** The groups a user had when last seen. */
  readonly groupsOf: (user: string) => readonly string[];
  /** Every cluster the gateway knows. */
  readonly clusters: () => Iterable<ClusterRecord>;
  /** Stops a cluster gracefully with a stop reason. */
  readonly stop: (c: ClusterRecord, reason: 'budget') => Promise<void>;
  /** Records an event of cluster `c`. */
  readonly emit: (
    c: ClusterRecord,
    type: 'budget.warning' | 'budget.exhausted',
    message: string,
    data: Record<string, unknown>
  ) => void;
  /** Told of a sweep that failed (the next one tries again). */
  readonly onError?: (err: unknown) => void;
}

/** The message of a user past the warning line. */
function warningText(s: BudgetStatus): string {
  const used = Math.round((s.used_core_hours / total(s)) * 100);
  return (
    `You have used ${String(used)}% of your budget of ${hoursText(total(s))} this ${s.period}; ` +
    `${hoursText(s.left_core_hours ?? 0)} left.`
  );
}

/** The message of a user out of hours. */
function exhaustedText(s: BudgetStatus): string {
  return (
    `Your budget of ${hoursText(total(s))} this ${s.period} is used up ` +
    `(${hoursText(s.used_core_hours)} used); ask an admin for extra hours.`
  );
}

const total = (s: BudgetStatus): number => (s.budget_core_hours ?? 0) + s.extra_core_hours;

/** The budgets of every user. */
export class Budgets {
  readonly #d: BudgetDeps;
  /** Users warned (events sent) in the period starting at the value. */
  readonly #warned = new Map<string, number>();
  /** When each user was first seen out of hours (the grace period runs from then). */
  readonly #exhaustedAt = new Map<string, { period: number; at: number }>();
  #timer: NodeJS.Timeout | null = null;
  #sweeping: Promise<void> | null = null;

  constructor(deps: BudgetDeps) {
    this.#d = deps;
  }

  /** Whether any budget is configured (without one, nothing is read or checked). */
  get enabled(): boolean {
    const c = this.#d.config;
    return (
      c.default !== null ||
      Object.values(c.users).some((h) => h !== null) ||
      Object.values(c.groups).some((h) => h !== null)
    );
  }

  /** Every user's status this period, of `users` (all users with usage when omitted). */
  async statuses(users?: Iterable<string>): Promise<Map<string, BudgetStatus>> {
    const { config, clock } = this.#d;
    const now = clock.now();
    const bounds = periodBounds(config.period, now);
    const rows = await this.#d.usageSince(bounds.start);
    const used = usageHours(rows, (r) => r.username, bounds.start, now);
    const extra = await this.#d.grants.totals(bounds.start);
    const out = new Map<string, BudgetStatus>();
    for (const username of users ?? used.keys()) {
      const limit = budgetLimit(config, username, this.#d.groupsOf(username));
      out.set(
        username,
        budgetStatus({
          username,
          period: config.period,
          bounds,
          limit,
          extra: extra.get(username) ?? 0,
          used: used.get(username)?.core_hours ?? 0,
          warnAt: config.warn_at,
        })
      );
    }
    return out;
  }

  /** One user's status this period. */
  async status(username: string): Promise<BudgetStatus> {
    const s = (await this.statuses([username])).get(username);
    if (s === undefined) throw new Error(`no budget status of ${username}`);
    return s;
  }

  /** Refuses a new cluster of a user out of hours (`quota_exceeded`, HTTP 422). */
  async checkCreate(username: string): Promise<void> {
    if (!this.enabled) return;
    const s = await this.status(username);
    if (s.state === 'exhausted') {
      throw new GatewayError('quota_exceeded', `Cannot start a cluster: ${exhaustedText(s)}`);
    }
  }

  /**
   * Checks a scale of `c` to `count` workers: refuses a scale-up (beyond `current`, what it
   * has or waits for; default its count) of a user out of hours (`quota_exceeded`); returns
   * the warning of a user past the warning line (the scale's answer carries it, which the
   * client shows as a GatewayWarning), else null.
   */
  async checkScale(c: ClusterRecord, count: number, current = c.count): Promise<string | null> {
    if (!this.enabled) return null;
    const s = await this.status(c.username);
    if (s.state === 'exhausted') {
      if (count > current) {
        throw new GatewayError('quota_exceeded', `Cannot scale up: ${exhaustedText(s)}`);
      }
      return exhaustedText(s);
    }
    return s.state === 'warning' ? warningText(s) : null;
  }

  /** Grants `hours` extra core-hours to `username` for the current period. */
  async grant(username: string, hours: number, by: string, note: string): Promise<BudgetStatus> {
    const now = this.#d.clock.now();
    const { start } = periodBounds(this.#d.config.period, now);
    await this.#d.grants.add({
      username,
      period_start: start,
      hours,
      granted_by: by,
      granted_at: now,
      note,
    });
    return this.status(username);
  }

  /** The grants to `username` this period. */
  grantsOf(username: string): Promise<BudgetGrant[]> {
    const { start } = periodBounds(this.#d.config.period, this.#d.clock.now());
    return this.#d.grants.list(username, start);
  }

  /**
   * Checks every user with a running cluster: past the warning line, their clusters get a
   * `budget.warning` event (once a period); out of hours, a `budget.exhausted` event, and once
   * the grace period has passed, their clusters are stopped with reason "budget".
   */
  sweep(): Promise<void> {
    this.#sweeping ??= this.#sweep().finally(() => {
      this.#sweeping = null;
    });
    return this.#sweeping;
  }

  async #sweep(): Promise<void> {
    if (!this.enabled) return;
    const active = [...this.#d.clusters()].filter(isActive);
    const users = new Set(active.map((c) => c.username));
    if (users.size === 0) return;
    const now = this.#d.clock.now();
    for (const s of (await this.statuses(users)).values()) {
      const theirs = active.filter((c) => c.username === s.username && isActive(c));
      await this.#apply(s, theirs, now);
    }
  }

  async #apply(s: BudgetStatus, theirs: readonly ClusterRecord[], now: number): Promise<void> {
    const user = s.username;
    const data = { used_core_hours: s.used_core_hours, left_core_hours: s.left_core_hours };
    if (s.state !== 'exhausted') this.#exhaustedAt.delete(user);
    if (
      (s.state === 'warning' || s.state === 'exhausted') &&
      this.#warned.get(user) !== s.period_start
    ) {
      this.#warned.set(user, s.period_start);
      for (const c of theirs) this.#d.emit(c, 'budget.warning', warningText(s), data);
    }
    if (s.state !== 'exhausted') return;
    let since = this.#exhaustedAt.get(user);
    if (since?.period !== s.period_start) {
      since = { period: s.period_start, at: now };
      this.#exhaustedAt.set(user, since);
      const grace = this.#d.config.grace_period;
      const msg = `${exhaustedText(s)} Running clusters stop in ${String(grace)} s.`;
      for (const c of theirs) this.#d.emit(c, 'budget.exhausted', msg, data);
    }
    if (now - since.at < this.#d.config.grace_period * 1000) return;
    for (const c of theirs) await this.#d.stop(c, 'budget');
  }

  /** Sweeps every `check_period` seconds until `close()`. */
  start(): void {
    if (!this.enabled || this.#timer !== null) return;
    this.#timer = setInterval(() => {
      void this.sweep().catch((err: unknown) => this.#d.onError?.(err));
    }, this.#d.config.check_period * 1000);
    this.#timer.unref();
  }

  /** Stops the sweeps and waits for one under way. */
  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#sweeping;
  }
}

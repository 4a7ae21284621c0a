/**
 * `gatehouse admin quota USER`: a user's quota and usage, and setting or clearing an override.
 * @module
 */
import type { Command, OptionValues } from '@commander-js/extra-typings';
import {
  formatBytes,
  formatCores,
  formatCount,
  type QuotaJson,
  type QuotaUpdate,
} from '@gatehouse/sdk';
import { connect, type CliContext } from '../client/context.js';
import { CliError, EXIT } from '../client/exit-codes.js';
import { bytes, details, json, type Output } from '../client/output.js';
import { quotaNumber } from './arguments.js';

/** A quota limit for people: `unlimited` for null, else `fmt` of it. */
export function limit(v: number | null, fmt: (n: number) => string | null = String): string {
  return v === null ? 'unlimited' : (fmt(v) ?? '-');
}

function printQuota(io: Output, q: QuotaJson): void {
  io.out(
    details([
      ['max clusters', limit(q.max_clusters)],
      ['max workers', limit(q.max_workers)],
      ['max cores', limit(q.max_cores)],
      ['max memory', limit(q.max_memory, bytes)],
    ])
  );
}

/** The `--max-…` options of a quota command. */
export interface QuotaFlags {
  readonly maxClusters?: number | null;
  readonly maxWorkers?: number | null;
  readonly maxCores?: number | null;
  readonly maxMemory?: string;
  readonly clear?: true;
}

/** The update the `--max-…` flags ask for; a usage error when combined with `--clear`. */
export function quotaUpdateOf(opts: QuotaFlags): QuotaUpdate {
  const update: QuotaUpdate = {
    ...(opts.maxClusters === undefined ? {} : { max_clusters: opts.maxClusters }),
    ...(opts.maxWorkers === undefined ? {} : { max_workers: opts.maxWorkers }),
    ...(opts.maxCores === undefined ? {} : { max_cores: opts.maxCores }),
    ...(opts.maxMemory === undefined
      ? {}
      : { max_memory: opts.maxMemory === 'none' ? null : opts.maxMemory }),
  };
  if (Object.keys(update).length > 0 && opts.clear === true) {
    throw new CliError(
      '--clear cannot be combined with --max-… options',
      EXIT.usage,
      'Clear first, then set the values you want.'
    );
  }
  return update;
}

/** Adds the `--max-…` options to `c`, each described with `who` (e.g. ' per member'). */
export function withQuotaOptions<
  A extends unknown[],
  O extends OptionValues,
  G extends OptionValues,
>(c: Command<A, O, G>, who: string) {
  return c
    .option('--max-clusters <n|none>', `active clusters${who}`, quotaNumber)
    .option('--max-workers <n|none>', `running workers${who}`, quotaNumber)
    .option('--max-cores <n|none>', `cores of schedulers and workers${who}`, quotaNumber)
    .option('--max-memory <size|none>', `memory${who}, e.g. "64 G"`);
}

/** Registers `admin quota` on the `admin` command. */
export function registerAdminQuotaCommand(admin: Command, ctx: CliContext): void {
  const { io } = ctx;
  const quota = admin
    .command('quota')
    .description("show a user's quota and usage, or set (--max-…) or clear (--clear) an override")
    .argument('<user>', 'user name')
    .option('--clear', 'remove the override: the configured quota applies again');
  withQuotaOptions(quota, '')
    .option('--json', 'print JSON for scripts')
    .action(async (user, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const update = quotaUpdateOf(opts);
      const setting = Object.keys(update).length > 0;
      if (opts.clear === true) await gw.admin.clearQuota(user);
      if (setting) await gw.admin.setQuota(user, update);
      const q = await gw.admin.quota(user);
      if (opts.json === true) {
        io.out(json(q));
        return;
      }
      printQuota(io, q.quota);
      io.out(
        `\nnow: ${formatCount(q.usage.clusters, 'cluster')}, ${formatCount(q.usage.workers, 'worker')}, ` +
          `${formatCores(q.usage.cores)}, ${formatBytes(q.usage.memory)}\n`
      );
    });
}

/**
 * `gatehouse admin quota USER`: a user's quota and usage, and setting or clearing an override.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { QuotaJson, QuotaUpdate } from '@gatehouse/sdk';
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

/** Registers `admin quota` on the `admin` command. */
export function registerAdminQuotaCommand(admin: Command, ctx: CliContext): void {
  const { io } = ctx;
  admin
    .command('quota')
    .description("show a user's quota and usage, or set (--max-…) or clear (--clear) an override")
    .argument('<user>', 'user name')
    .option('--max-clusters <n|none>', 'active clusters', quotaNumber)
    .option('--max-workers <n|none>', 'running workers', quotaNumber)
    .option('--max-cores <n|none>', 'cores of schedulers and workers', quotaNumber)
    .option('--max-memory <size|none>', 'memory, e.g. "64 G"')
    .option('--clear', 'remove the override: the configured quota applies again')
    .option('--json', 'print JSON for scripts')
    .action(async (user, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const update: QuotaUpdate = {
        ...(opts.maxClusters === undefined ? {} : { max_clusters: opts.maxClusters }),
        ...(opts.maxWorkers === undefined ? {} : { max_workers: opts.maxWorkers }),
        ...(opts.maxCores === undefined ? {} : { max_cores: opts.maxCores }),
        ...(opts.maxMemory === undefined
          ? {}
          : { max_memory: opts.maxMemory === 'none' ? null : opts.maxMemory }),
      };
      const setting = Object.keys(update).length > 0;
      if (setting && opts.clear === true) {
        throw new CliError(
          '--clear cannot be combined with --max-… options',
          EXIT.usage,
          'Clear first, then set the values you want.'
        );
      }
      if (opts.clear === true) await gw.admin.clearQuota(user);
      if (setting) await gw.admin.setQuota(user, update);
      const q = await gw.admin.quota(user);
      if (opts.json === true) {
        io.out(json(q));
        return;
      }
      printQuota(io, q.quota);
      io.out(
        `\nnow: ${String(q.usage.clusters)} clusters, ${String(q.usage.workers)} workers, ` +
          `${String(q.usage.cores)} cores, ${bytes(q.usage.memory) ?? '-'}\n`
      );
    });
}

/**
 * `gatehouse admin users|grant|revoke|requests|approve|deny|quota|tokens|clusters|usage|audit`:
 * the admin API (docs/access.md) through the SDK.
 * @module
 */
import { Option, type Command } from '@commander-js/extra-typings';
import { ACCESS_REQUEST_STATUSES, type QuotaJson, type QuotaUpdate } from '@gatehouse/sdk';
import { connect, type CliContext } from '../client/context.js';
import { CliError, EXIT } from '../client/exit-codes.js';
import { age, bytes, details, json, table, time, type Output } from '../client/output.js';
import { nonNegativeInt, parseStatusList, quotaNumber } from './arguments.js';

function requestId(text: string): number {
  return nonNegativeInt(text);
}

function limit(v: number | null, fmt: (n: number) => string | null = String): string {
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

/** Registers `admin …` on `program`. */
export function registerAdminCommands(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  const admin = program
    .command('admin')
    .description('administer the gateway (needs an admin account or admin API token)');

  admin
    .command('users')
    .description('users with grants, requests or clusters: usage now and quota')
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const users = await gw.admin.users();
      if (opts.json === true) {
        io.out(json(users));
        return;
      }
      io.out(
        table(
          ['user', 'granted', 'clusters', 'workers', 'cores', 'memory', 'max clusters', 'request'],
          users.map((u) => [
            u.name,
            u.granted,
            u.active_clusters,
            u.usage.workers,
            u.usage.cores,
            bytes(u.usage.memory),
            limit(u.quota.max_clusters),
            u.pending_request ? 'pending' : null,
          ]),
          'No users yet.'
        )
      );
    });

  admin
    .command('grant')
    .description('let a user use the gateway')
    .argument('<user>', 'user name')
    .action(async (user, _opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await gw.admin.grant(user);
      io.out(`Granted ${user} access\n`);
    });

  admin
    .command('revoke')
    .description("revoke a user's grant (their running clusters keep running unless asked)")
    .argument('<user>', 'user name')
    .option('--stop-clusters', "also stop the user's active clusters")
    .action(async (user, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await gw.admin.revoke(user, { stopClusters: opts.stopClusters === true });
      io.out(
        `Revoked ${user}'s access${opts.stopClusters === true ? ' and stopped their clusters' : ''}\n`
      );
    });

  admin
    .command('requests')
    .description('list access requests')
    .addOption(new Option('--status <status>', 'only these').choices(ACCESS_REQUEST_STATUSES))
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const list = await gw.admin.requests(
        opts.status === undefined ? {} : { status: opts.status }
      );
      if (opts.json === true) {
        io.out(json(list));
        return;
      }
      io.out(
        table(
          ['id', 'user', 'status', 'filed', 'decided by', 'message'],
          list.map((r) => [
            r.id,
            r.username,
            r.status,
            time(r.created_at),
            r.decided_by,
            r.message,
          ]),
          'No access requests.'
        )
      );
    });

  for (const decision of ['approve', 'deny'] as const) {
    admin
      .command(decision)
      .description(
        decision === 'approve'
          ? 'approve an access request (grants the user)'
          : 'deny an access request'
      )
      .argument('<id>', 'request id (see `gatehouse admin requests`)', requestId)
      .option('--json', 'print JSON for scripts')
      .action(async (id, opts, cmd) => {
        const { gw } = connect(ctx, cmd);
        const r = decision === 'approve' ? await gw.admin.approve(id) : await gw.admin.deny(id);
        if (opts.json === true) io.out(json(r));
        else io.out(`Request ${String(r.id)} of ${r.username}: ${r.status}\n`);
      });
  }

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

  const tokens = admin.command('tokens').description('API tokens');
  tokens
    .command('list', { isDefault: true })
    .description('list API tokens (never their secrets)')
    .option('--user <user>', "only this user's")
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const list = await gw.admin.tokens(opts.user === undefined ? {} : { user: opts.user });
      if (opts.json === true) {
        io.out(json(list));
        return;
      }
      io.out(
        table(
          ['id', 'user', 'admin', 'label', 'created by', 'created', 'revoked'],
          list.map((t) => [
            t.id,
            t.username,
            t.admin,
            t.label,
            t.created_by,
            time(t.created_at),
            time(t.revoked_at),
          ]),
          'No API tokens.'
        )
      );
    });
  tokens
    .command('issue')
    .description('issue an API token for a user (the secret is shown once)')
    .argument('<user>', 'user name')
    .option('--label <text>', 'what it is for', '')
    .option('--admin', 'an admin token')
    .option('--json', 'print JSON for scripts')
    .action(async (user, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const t = await gw.admin.issueToken(user, { label: opts.label, admin: opts.admin === true });
      if (opts.json === true) {
        io.out(json(t));
        return;
      }
      io.out(`${t.token}\n`);
      io.err(
        `Token ${t.info.id} for ${user}${t.info.admin ? ' (admin)' : ''}; shown once, keep it safe.\n` +
          'Use it with --token, GATEHOUSE_TOKEN or `gatehouse login --token`.\n'
      );
    });
  tokens
    .command('revoke')
    .description('revoke an API token')
    .argument('<id>', 'token id (see `gatehouse admin tokens list`)')
    .action(async (id, _opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await gw.admin.revokeToken(id);
      io.out(`Revoked token ${id}\n`);
    });

  const clusters = admin.command('clusters').description("every user's clusters");
  clusters
    .command('list', { isDefault: true })
    .description("list every user's clusters (the active ones unless --status says otherwise)")
    .option('--status <list>', 'comma-separated statuses', parseStatusList)
    .option('--user <user>', "only this user's")
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const list = await gw.admin.clusters({
        ...(opts.status === undefined ? {} : { status: opts.status }),
        ...(opts.user === undefined ? {} : { user: opts.user }),
      });
      if (opts.json === true) {
        io.out(json(list));
        return;
      }
      io.out(
        table(
          ['name', 'user', 'status', 'workers', 'cores', 'memory', 'age', 'stop reason'],
          list.map((c) => [
            c.name,
            c.username,
            c.status,
            c.workers,
            c.cores,
            bytes(c.memory),
            age(c.age_seconds),
            c.stop_reason,
          ]),
          'No clusters.'
        )
      );
    });
  clusters
    .command('stop')
    .description("stop any user's cluster")
    .argument('<name>', 'cluster name')
    .action(async (name, _opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await gw.admin.stopCluster(name);
      io.out(`Stopping ${name}\n`);
    });
  clusters
    .command('scale')
    .description("scale any user's cluster")
    .argument('<name>', 'cluster name')
    .argument('<n>', 'number of workers', nonNegativeInt)
    .option('--json', 'print JSON for scripts')
    .action(async (name, n, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const r = await gw.admin.scaleCluster(name, n);
      if (opts.json === true) io.out(json(r));
      else if (r.ok) io.out(`Scaling ${name} to ${String(n)} workers\n`);
      else io.err(`warning: ${r.msg ?? 'the request was clamped'}\n`);
    });

  admin
    .command('usage')
    .description('core-hours and memory-GiB-hours per user per UTC day')
    .option('--days <n>', 'how many days back (default 7)', nonNegativeInt)
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const rows = await gw.admin.usage(opts.days === undefined ? {} : { days: opts.days });
      if (opts.json === true) {
        io.out(json(rows));
        return;
      }
      io.out(
        table(
          ['day', 'user', 'core hours', 'memory GiB hours'],
          rows.map((r) => [
            r.day,
            r.username,
            r.core_hours.toFixed(2),
            r.memory_gib_hours.toFixed(2),
          ]),
          'No usage in this period.'
        )
      );
    });

  admin
    .command('audit')
    .description('the latest admin actions and refusals')
    .option('--limit <n>', 'entries (default 200)', nonNegativeInt)
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const rows = await gw.admin.audit(opts.limit === undefined ? {} : { limit: opts.limit });
      if (opts.json === true) {
        io.out(json(rows));
        return;
      }
      io.out(
        table(
          ['time', 'actor', 'action', 'target', 'outcome', 'detail'],
          rows.map((r) => [time(r.time), r.actor, r.action, r.target, r.outcome, r.detail]),
          'The audit log is empty.'
        )
      );
    });
}

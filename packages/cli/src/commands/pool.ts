/**
 * `gatehouse pool`: the shared pool of worker machines, and `gatehouse request-access`.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { PoolJson } from '@gatehouse/api';
import { formatBytes, formatCores } from '@gatehouse/sdk';
import { connect, type CliContext } from '../client/context.js';
import { bytes, details, json, table } from '../client/output.js';
import { registerBudgetCommand } from './budget.js';

/** The pool's queue as a table: who waits for machines, in grant order. */
function queueTable(queue: NonNullable<PoolJson['queue']>): string {
  return table(
    ['in line', 'cluster', 'user', 'workers now', 'waiting', 'recent core-hours'],
    queue.map((e) => [
      e.position,
      e.cluster,
      e.username,
      e.granted,
      e.wanted - e.granted,
      e.usage_core_hours.toFixed(2),
    ]),
    ''
  );
}

/** Registers `pool`, `budget` and `request-access` on `program`. */
export function registerPoolCommands(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  registerBudgetCommand(program, ctx);
  program
    .command('pool')
    .description('show the shared pool of worker machines: in use, free, and your share')
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const p = await gw.pool();
      if (opts.json === true) {
        io.out(json(p));
        return;
      }
      io.out(
        details([
          ['machines', p.machines_total],
          ['in use', p.machines_in_use],
          ['free', p.machines_free],
          ['users with machines', p.users_with_machines],
          ['yours', p.your_machines],
          ['cap per user', p.user_machine_cap ?? 'none'],
        ])
      );
      io.out(
        `\n${table(
          ['machine type', 'cores', 'memory', 'count'],
          p.machine_types.map((t) => [t.name, t.cores, bytes(t.memory), t.count]),
          'No machine types.'
        )}`
      );
      io.out(
        `\n${table(
          ['new cluster', 'worker', 'per machine', 'workers now', 'why'],
          p.new_cluster.map((n) => [
            n.profile ?? '(default)',
            `${formatCores(n.worker_cores)}, ${formatBytes(n.worker_memory)}`,
            n.workers_per_machine,
            n.workers_now,
            n.message,
          ]),
          'No cluster profile is offered to you.'
        )}`
      );
      if (p.queue !== undefined && p.queue.length > 0) io.out(`\n${queueTable(p.queue)}`);
      if (p.per_user !== undefined) {
        io.out(
          `\n${table(
            ['user', 'machines'],
            Object.entries(p.per_user).map(([u, n]) => [u, n]),
            'No user holds a machine.'
          )}`
        );
      }
    });

  program
    .command('request-access')
    .description('ask the administrators for access to this gateway')
    .argument('[message]', 'why you need access', '')
    .option('--json', 'print JSON for scripts')
    .action(async (message, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const r = await gw.requestAccess(message);
      if (opts.json === true) io.out(json(r));
      else
        io.out(
          `Filed access request ${String(r.id)} for ${r.username}; an administrator will decide.\n`
        );
    });
}

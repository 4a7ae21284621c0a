/**
 * `gatehouse admin queue move CLUSTER POSITION` and `gatehouse admin queue drop CLUSTER`: an
 * admin's moves in the pool's wait queue (`gatehouse pool` shows the queue).
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { connect, type CliContext } from '../client/context.js';
import { nonNegativeInt } from './arguments.js';

/** Registers `admin queue …` on the `admin` command. */
export function registerAdminQueueCommands(admin: Command, ctx: CliContext): void {
  const { io } = ctx;
  const queue = admin
    .command('queue')
    .description('move or drop clusters waiting for machines (see `gatehouse pool`)');
  queue
    .command('move')
    .description('move a waiting cluster to a place in line; it holds there as usage changes')
    .argument('<cluster>', 'cluster name')
    .argument('<position>', 'place in line, from 1', nonNegativeInt)
    .action(async (cluster, position, _opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await gw.admin.moveQueued(cluster, Math.max(1, position));
      io.out(`Moved ${cluster} to place ${String(Math.max(1, position))} in line.\n`);
    });
  queue
    .command('drop')
    .description('take a cluster out of the queue: it keeps the workers it has')
    .argument('<cluster>', 'cluster name')
    .action(async (cluster, _opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const r = await gw.admin.dropQueued(cluster);
      io.out(`Dropped ${cluster} from the queue.${r.msg === null ? '' : ` ${r.msg}`}\n`);
    });
}

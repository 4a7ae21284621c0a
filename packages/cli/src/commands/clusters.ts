/**
 * `gatehouse clusters list|options|new|show|scale|adapt|stop|logs|events|shared`: the user's own
 * clusters and those shared with them, through the SDK, one module per group of subcommands.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../client/context.js';
import { registerClusterControlCommands } from './cluster-control.js';
import { registerClusterCreateCommands } from './cluster-create.js';
import { registerClusterOutputCommands } from './cluster-output.js';
import { registerClusterListCommand, registerClusterShowCommand } from './cluster-view.js';
import { registerSharedClustersCommand } from './shares.js';

/** Registers `clusters …` on `program`. */
export function registerClusterCommands(program: Command, ctx: CliContext): void {
  const clusters = program.command('clusters').description('your Dask clusters');
  registerClusterListCommand(clusters, ctx);
  registerClusterCreateCommands(clusters, ctx);
  registerClusterShowCommand(clusters, ctx);
  registerClusterControlCommands(clusters, ctx);
  registerClusterOutputCommands(clusters, ctx);
  registerSharedClustersCommand(clusters, ctx);
}

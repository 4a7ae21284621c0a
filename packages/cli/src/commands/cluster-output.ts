/**
 * `gatehouse clusters logs|events`: a cluster's process output and its events, also followed live.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { connect, type CliContext } from '../client/context.js';
import { eventLine, json } from '../client/output.js';
import { nonNegativeInt } from './arguments.js';
import { waitSignal } from './wait-signal.js';

/** Registers `clusters logs|events` on the `clusters` command. */
export function registerClusterOutputCommands(clusters: Command, ctx: CliContext): void {
  const { io } = ctx;
  clusters
    .command('logs')
    .description("print the last lines of the cluster's scheduler and worker logs")
    .argument('<name>', 'cluster name')
    .option('--tail <n>', 'lines per process (default 200)', nonNegativeInt)
    .option('--process <name>', 'only this process (scheduler, or a worker name)')
    .option('--json', 'print JSON for scripts')
    .action(async (name, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const logs = await gw.logs(name, {
        ...(opts.tail === undefined ? {} : { tail: opts.tail }),
        ...(opts.process === undefined ? {} : { process: opts.process }),
      });
      if (opts.json === true) {
        io.out(json(logs));
        return;
      }
      for (const p of logs.processes) {
        io.out(
          `==> ${p.kind} ${p.name} <==\n${p.text}${p.text.endsWith('\n') || p.text === '' ? '' : '\n'}`
        );
      }
    });

  clusters
    .command('events')
    .description('print the events of a cluster (of all your clusters without a name)')
    .argument('[name]', 'cluster name')
    .option('-f, --follow', 'keep printing new events until interrupted')
    .option('--since <id>', 'only events after this id', nonNegativeInt)
    .option('--json', 'print JSON (one object per line with --follow)')
    .action(async (name, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const cluster = name ?? null;
      const since = opts.since === undefined ? {} : { since: opts.since };
      if (opts.follow !== true) {
        const events = await gw.events(cluster, since);
        if (opts.json === true) io.out(json(events));
        else for (const e of events) io.out(`${String(e.id).padStart(6)}  ${eventLine(e)}\n`);
        return;
      }
      const { signal } = waitSignal(undefined);
      try {
        for await (const e of gw.watchEvents(cluster, { ...since, signal })) {
          io.out(
            opts.json === true
              ? `${JSON.stringify(e)}\n`
              : `${String(e.id).padStart(6)}  ${eventLine(e)}\n`
          );
        }
      } catch (err) {
        if (!signal.aborted) throw err;
      }
    });
}

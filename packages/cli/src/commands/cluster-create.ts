/**
 * `gatehouse clusters options|new`: the options a user may set, and creating a cluster with its start sequence shown live.
 * @module
 */
import { Option, type Command } from '@commander-js/extra-typings';
import { EventsUnavailable, type ClusterEvent, type Gateway } from '@gatehouse/sdk';
import { connect, type CliContext } from '../client/context.js';
import { CliError, EXIT } from '../client/exit-codes.js';
import { clusterForScripts, eventLine, json, table, type Output } from '../client/output.js';
import { nonNegativeInt, positiveSeconds } from './arguments.js';
import { applyOptions, optionPair, type OptionPair } from './option-pairs.js';
import { waitSignal } from './wait-signal.js';

/** Progress printer for events: prints each event once, even across replays. */
function progress(io: Output, quiet: boolean): (e: ClusterEvent) => void {
  let last = -1;
  return (e) => {
    if (quiet || e.id <= last) return;
    last = e.id;
    io.err(`  ${eventLine(e)}\n`);
  };
}

async function createCluster(
  gw: Gateway,
  io: Output,
  opts: {
    option: readonly OptionPair[];
    wait?: boolean;
    workers?: number | undefined;
    timeout: number;
    json?: true | undefined;
    quiet?: true | undefined;
  }
): Promise<void> {
  const options = await gw.clusterOptions();
  applyOptions(options, opts.option);
  const name = await gw.newCluster(options);
  const quiet = opts.quiet === true;
  if (!quiet) io.err(`Created cluster ${name}\n`);
  if (opts.wait === false) {
    const c = await gw.getCluster(name);
    io.out(opts.json === true ? json(clusterForScripts(c, gw.dashboardUrl(c))) : `${name}\n`);
    return;
  }
  const { signal, timedOut } = waitSignal(opts.timeout);
  const onEvent = progress(io, quiet);
  try {
    await gw.waitForRunning(name, { signal, onEvent });
    if (opts.workers !== undefined && opts.workers > 0) {
      const r = await gw.scale(name, opts.workers);
      if (!r.ok) io.err(`warning: ${r.msg ?? 'the scale request was clamped'}\n`);
      // A clamped request may never reach the count asked for: then wait for the first worker.
      await gw
        .waitForWorkers(name, r.ok ? opts.workers : 1, { signal, onEvent })
        .catch((err: unknown) => {
          if (!(err instanceof EventsUnavailable)) throw err;
          io.err('warning: this gateway has no event stream, so workers are not awaited\n');
        });
    }
  } catch (err) {
    if (signal.aborted) {
      throw new CliError(
        `cluster ${name} is not ready after ${timedOut() ? `${String(opts.timeout)} s` : 'the interruption'}; it keeps starting`,
        EXIT.timedOut,
        `Follow it with \`gatehouse clusters events ${name} --follow\`, or stop it with \`gatehouse clusters stop ${name}\`.`
      );
    }
    throw err;
  }
  const c = await gw.getCluster(name);
  const dashboard = gw.dashboardUrl(c);
  if (opts.json === true) {
    io.out(json(clusterForScripts(c, dashboard)));
    return;
  }
  io.out(`${name}\n`);
  if (!quiet) {
    io.err(
      `Cluster ${name} is ${c.status}.${dashboard === null ? '' : ` Dashboard: ${dashboard}`}\n` +
        `Connect from Python: Gateway("${gw.address}").connect("${name}")\n`
    );
  }
}

/** Registers `clusters options|new` on the `clusters` command. */
export function registerClusterCreateCommands(clusters: Command, ctx: CliContext): void {
  const { io } = ctx;
  clusters
    .command('options')
    .description('show the cluster options you may set with `clusters new -o FIELD=VALUE`')
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const { fields } = await gw.clusterOptions();
      if (opts.json === true) {
        io.out(json(fields));
        return;
      }
      io.out(
        table(
          ['field', 'label', 'default', 'allowed'],
          fields.map((f) => [
            f.field,
            f.label,
            JSON.stringify(f.default),
            f.spec.type === 'select'
              ? f.spec.options.join(' | ')
              : f.spec.type === 'int' || f.spec.type === 'float'
                ? `${f.spec.type} ${String(f.spec.min ?? '-inf')}..${String(f.spec.max ?? 'inf')}`
                : f.spec.type,
          ]),
          'This gateway offers no cluster options.'
        )
      );
    });

  clusters
    .command('new')
    .description('create a cluster and show its start sequence live until it runs')
    .option(
      '-o, --option <field=value>',
      'set a cluster option (repeatable); a mapping option such as environment variables takes ' +
        'one NAME=VALUE per -o (-o environment_vars=NAME=value) or a JSON object',
      optionPair,
      [] as OptionPair[]
    )
    .option(
      '--workers <n>',
      'scale to n workers once running, and wait until they are connected',
      nonNegativeInt
    )
    .option(
      '--wait',
      'return once the cluster is RUNNING (and its --workers connected): the default'
    )
    .option('--no-wait', 'return as soon as the cluster is created')
    .addOption(
      new Option('--timeout <seconds>', 'give up waiting after this long')
        .default(600)
        .argParser(positiveSeconds)
    )
    .option('-q, --quiet', 'no progress on standard error')
    .option('--json', 'print the cluster as JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await createCluster(gw, io, opts);
    });
}

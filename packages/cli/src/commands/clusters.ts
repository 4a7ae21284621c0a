/**
 * `gatehouse clusters list|options|new|show|scale|adapt|stop|logs|events`: the user's own
 * clusters, through the SDK.
 * @module
 */
import { Option, type Command } from '@commander-js/extra-typings';
import {
  CLUSTER_STATUSES,
  EventsUnavailable,
  type ClusterEvent,
  type Gateway,
  type ScaleResult,
} from '@gatehouse/sdk';
import { connect, type CliContext } from '../client/context.js';
import { CliError, EXIT } from '../client/exit-codes.js';
import {
  age,
  clusterForScripts,
  details,
  eventLine,
  json,
  table,
  time,
  type Output,
} from '../client/output.js';
import { nonNegativeInt, parseStatusList, positiveSeconds } from './arguments.js';

/** Parses `-o field=value`: the value as JSON when it parses (numbers, booleans), else text. */
function optionPair(text: string, previous: Record<string, unknown>): Record<string, unknown> {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new CliError(
      `-o expects FIELD=VALUE, got ${JSON.stringify(text)}`,
      EXIT.usage,
      'For example: -o worker_cores=2 -o "profile=Medium Worker".'
    );
  }
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: the text itself.
  }
  return { ...previous, [text.slice(0, eq)]: value };
}

/** Prints a scale or adapt answer: the gateway's message when a limit clamped the request. */
function printScale(io: Output, asJson: boolean, result: ScaleResult, what: string): void {
  if (asJson) io.out(json(result));
  else if (result.ok) io.out(`${what}\n`);
  else io.err(`warning: ${result.msg ?? 'the request was clamped'}\n`);
}

/** Progress printer for events: prints each event once, even across replays. */
function progress(io: Output, quiet: boolean): (e: ClusterEvent) => void {
  let last = -1;
  return (e) => {
    if (quiet || e.id <= last) return;
    last = e.id;
    io.err(`  ${eventLine(e)}\n`);
  };
}

/** A signal that aborts after `seconds` (if given) or on Ctrl-C. */
function waitSignal(seconds: number | undefined): { signal: AbortSignal; timedOut: () => boolean } {
  const ctl = new AbortController();
  let timedOut = false;
  const timer =
    seconds === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          ctl.abort(new Error('timed out'));
        }, seconds * 1000);
  timer?.unref();
  process.once('SIGINT', () => {
    ctl.abort(new Error('interrupted'));
  });
  return { signal: ctl.signal, timedOut: () => timedOut };
}

async function createCluster(
  gw: Gateway,
  io: Output,
  opts: {
    option: Record<string, unknown>;
    wait: boolean;
    workers?: number | undefined;
    timeout: number;
    json?: true | undefined;
    quiet?: true | undefined;
  }
): Promise<void> {
  const options = await gw.clusterOptions();
  for (const [k, v] of Object.entries(opts.option)) options.set(k, v);
  const name = await gw.newCluster(options);
  const quiet = opts.quiet === true;
  if (!quiet) io.err(`Created cluster ${name}\n`);
  if (!opts.wait) {
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

/** Registers `clusters …` on `program`. */
export function registerClusterCommands(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  const clusters = program.command('clusters').description('your Dask clusters');

  clusters
    .command('list')
    .description('list your clusters (the active ones unless --status says otherwise)')
    .option(
      '--status <list>',
      `comma-separated statuses (${CLUSTER_STATUSES.join(',')})`,
      parseStatusList
    )
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const list = await gw.listClusters(opts.status === undefined ? {} : { status: opts.status });
      if (opts.json === true) {
        io.out(json(list.map((c) => clusterForScripts(c, gw.dashboardUrl(c)))));
        return;
      }
      const now = Date.now();
      io.out(
        table(
          ['name', 'status', 'age', 'dashboard'],
          list.map((c) => [
            c.name,
            c.status,
            age(((c.stop_time ?? now) - c.start_time) / 1000),
            gw.dashboardUrl(c),
          ]),
          'No clusters. Start one with `gatehouse clusters new`.'
        )
      );
    });

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
    .option('-o, --option <field=value>', 'set a cluster option (repeatable)', optionPair, {})
    .option('--workers <n>', 'scale to n workers once running, and wait for them', nonNegativeInt)
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

  clusters
    .command('show')
    .description('show one cluster')
    .argument('<name>', 'cluster name')
    .option('--json', 'print JSON for scripts')
    .action(async (name, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const c = await gw.getCluster(name);
      if (opts.json === true) {
        io.out(json(clusterForScripts(c, gw.dashboardUrl(c))));
        return;
      }
      io.out(
        details([
          ['name', c.name],
          ['status', c.status],
          ['started', time(c.start_time)],
          ['stopped', time(c.stop_time)],
          ['dashboard', gw.dashboardUrl(c)],
          ...Object.entries(c.options).map(([k, v]) => [`option ${k}`, JSON.stringify(v)] as const),
        ])
      );
    });

  clusters
    .command('scale')
    .description('ask for n workers')
    .argument('<name>', 'cluster name')
    .argument('<n>', 'number of workers', nonNegativeInt)
    .option('--json', 'print JSON for scripts')
    .action(async (name, n, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      printScale(
        io,
        opts.json === true,
        await gw.scale(name, n),
        `Scaling ${name} to ${String(n)} workers`
      );
    });

  clusters
    .command('adapt')
    .description('scale adaptively between --minimum and --maximum workers (or stop with --off)')
    .argument('<name>', 'cluster name')
    .option('--minimum <n>', 'fewest workers (default 0)', nonNegativeInt)
    .option(
      '--maximum <n>',
      'most workers (default: no limit beyond the gateway limits)',
      nonNegativeInt
    )
    .option('--off', 'turn adaptive scaling off')
    .option('--json', 'print JSON for scripts')
    .action(async (name, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const r = await gw.adapt(name, {
        minimum: opts.minimum ?? 0,
        maximum: opts.maximum ?? null,
        active: opts.off !== true,
      });
      printScale(
        io,
        opts.json === true,
        r,
        opts.off === true ? `Adaptive scaling of ${name} is off` : `Adapting ${name}`
      );
    });

  clusters
    .command('stop')
    .description('stop a cluster')
    .argument('<name>', 'cluster name')
    .action(async (name, _opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await gw.getCluster(name);
      await gw.stopCluster(name);
      io.err(`Stopping ${name}\n`);
    });

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

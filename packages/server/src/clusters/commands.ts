/**
 * The manager's commands: create a cluster, ask it to stop, and forward scale and adapt
 * requests to its scheduler (clamped to its limits, recorded as events, refusals included).
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ScaleResult } from '@gatehouse/api';
import type { ClusterConfig } from '../cluster-options/cluster-config.js';
import { clampAdapt, clampScale } from '../cluster-options/limits.js';
import { GatewayError, withRefusal } from '../errors.js';
import { Job, publicStatus, type ClusterRecord } from './model.js';
import { sendSchedulerCommand, type SchedulerCommand } from './scheduler-api.js';
import { enqueueCluster, fail, type ManagerState } from './manager-state.js';
import type { AdaptRequest } from './manager-deps.js';

/**
 * Creates a cluster record and queues its start; `onListed` runs as soon as the record is in
 * the cluster list.
 */
export async function createCluster(
  s: ManagerState,
  username: string,
  options: Record<string, unknown>,
  config: ClusterConfig,
  onListed?: () => void
): Promise<ClusterRecord> {
  const id = randomUUID().replaceAll('-', '');
  const name = s.backend.clusterName?.(id) ?? id;
  const tls = await s.deps.createTls(name);
  const c: ClusterRecord = {
    name,
    username,
    options,
    config,
    status: Job.CREATED,
    target: Job.RUNNING,
    count: 0,
    state: {},
    token: randomBytes(16).toString('hex'),
    tlsCert: tls.cert,
    tlsKey: tls.key,
    schedulerAddress: '',
    dashboardAddress: '',
    apiAddress: '',
    startTime: s.clock.now(),
    stopTime: null,
    stopReason: null,
    failures: 0,
    failure: null,
    lastHeartbeat: 0,
    workers: new Map(),
  };
  await s.store.insertCluster(c);
  s.clusters.set(name, c);
  onListed?.();
  s.faults.reach('create.record_inserted');
  s.events.emit(c, 'cluster.created', 'Cluster created', { options }, username);
  s.log.info({ cluster: name, user: username }, 'cluster created');
  enqueueCluster(s, c);
  return c;
}

function joinMessages(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  return b === null ? a : `${a} ${b}`;
}

/**
 * Records a scale or adapt that was answered but cut down by a limit. That is an outcome, not
 * an error (refusals that are errors are recorded by the API's error handler).
 */
function refused(
  s: ManagerState,
  c: ClusterRecord,
  actor: string,
  action: string,
  reason: string,
  data: Record<string, unknown> = {}
): void {
  s.events.emit(
    c,
    'request.refused',
    `${action} refused: ${reason}`,
    { action, reason, ...data },
    actor
  );
}

function assertRunning(c: ClusterRecord): void {
  if (c.status !== Job.RUNNING || c.target !== Job.RUNNING) {
    throw new GatewayError('cluster_not_running', `cluster ${c.name} is not running`);
  }
}

/**
 * `assertRunning`, its error saying who was refused `action` on which cluster (the API's error
 * handler records it as the cluster's `request.refused` event).
 */
function assertRunningFor(c: ClusterRecord, action: string, actor: string): void {
  try {
    assertRunning(c);
  } catch (err) {
    const cluster = { name: c.name, owner: c.username };
    throw withRefusal(err, {
      user: actor,
      action,
      cluster,
      reason: `cluster is ${publicStatus(c)}`,
    });
  }
}

/** Sends `cmd` to the scheduler; a scheduler that does not answer fails its cluster. */
async function command(s: ManagerState, c: ClusterRecord, cmd: SchedulerCommand): Promise<void> {
  assertRunning(c);
  try {
    await sendSchedulerCommand(c.apiAddress, c.token, cmd, s.timing.schedulerApiRetries);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    await fail(s, c, `the scheduler's API stopped answering: ${reason}`);
    throw new GatewayError('cluster_not_running', `cluster ${c.name} is not running`);
  }
}

/** `command`, recording the failed request when the scheduler does not answer. */
async function recordedCommand(
  s: ManagerState,
  c: ClusterRecord,
  cmd: SchedulerCommand,
  actor: string,
  outcome: Record<string, unknown>
): Promise<void> {
  try {
    await command(s, c, cmd);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    s.events.emit(
      c,
      `cluster.${cmd.op}`,
      `${cmd.op} failed: ${msg}`,
      { ...outcome, ok: false, msg },
      actor
    );
    throw err;
  }
}

/** Forwards a scale request to the scheduler, clamped to the cluster's limits. */
export async function scaleCluster(
  s: ManagerState,
  c: ClusterRecord,
  count: number,
  actor: string
): Promise<ScaleResult> {
  assertRunningFor(c, 'scale', actor);
  await s.policy.refreshUsage?.();
  assertRunningFor(c, 'scale', actor);
  const own = clampScale(count, c.config);
  const limited = s.policy.limitWorkers(c, own.count, 'reserve');
  const msg = joinMessages(own.msg, limited.msg);
  const outcome = { requested: count, granted: limited.count };
  // Recorded before the command goes out: the workers it starts come after it in the stream.
  s.events.emit(
    c,
    'cluster.scale',
    `Scale to ${String(count)} requested; ${String(limited.count)} granted`,
    { ...outcome, ok: msg === null, msg },
    actor
  );
  s.faults.reach('scale.before_command');
  // With the pool's queue the scheduler wants all it asked for; its heartbeats get the grants.
  const told = limited.wanted ?? limited.count;
  await recordedCommand(s, c, { op: 'scale', count: told }, actor, outcome);
  c.adaptive = null; // the scheduler turns adaptive scaling off on a scale (spec §5.5)
  s.faults.reach('scale.after_command');
  if (told > limited.count) {
    const waiting = { ...outcome, waiting: told - limited.count, msg };
    s.events.emit(c, 'scale.queued', msg ?? 'Waiting for machines', waiting, actor);
  } else if (msg !== null) {
    // Granted in part: an outcome of the scale, not a refusal of it.
    s.events.emit(c, 'scale.clamped', msg, { ...outcome, reason: msg, msg }, actor);
  }
  return { ok: msg === null, msg };
}

/** Forwards an adapt request to the scheduler, clamped to the cluster's limits. */
export async function adaptCluster(
  s: ManagerState,
  c: ClusterRecord,
  req: AdaptRequest,
  actor: string
): Promise<ScaleResult> {
  assertRunningFor(c, 'adapt', actor);
  const clamped = clampAdapt({ minimum: req.minimum, maximum: req.maximum }, c.config);
  let { minimum, maximum } = clamped;
  let extra: string | null = null;
  if (maximum !== null) {
    const limited = s.policy.limitWorkers(c, maximum, 'check');
    if (limited.count < maximum) {
      extra = `Adaptive maximum lowered to ${String(limited.count)}: ${limited.msg ?? ''}`;
      maximum = limited.count;
      if (minimum !== null) minimum = Math.min(minimum, maximum);
    }
  }
  const outcome = { minimum, maximum, active: req.active };
  const msg = joinMessages(clamped.msg, extra);
  const range = `${String(minimum ?? 0)}..${maximum === null ? 'unlimited' : String(maximum)}`;
  s.events.emit(
    c,
    'cluster.adapt',
    req.active ? `Adaptive scaling ${range} requested` : 'Adaptive scaling turned off',
    { ...outcome, ok: msg === null, msg },
    actor
  );
  s.faults.reach('adapt.before_command');
  await recordedCommand(s, c, { op: 'adapt', ...outcome }, actor, outcome);
  c.adaptive = req.active ? { minimum: minimum ?? 0, maximum } : null;
  s.faults.reach('adapt.after_command');
  if (msg !== null) refused(s, c, actor, 'adapt', msg, outcome);
  return { ok: msg === null, msg };
}

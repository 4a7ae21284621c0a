/**
 * `FakeBackend`: an in-process stand-in for a backend, for the reconciler's unit tests. Its
 * "processes" are records in a map (pid, start ticks, alive); its schedulers answer scale and
 * adapt commands on one in-process HTTP server and build the heartbeats a real scheduler's
 * preload would send. Nothing is spawned.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Heartbeat } from '@gatehouse/api';
import type {
  Backend,
  BackendNotify,
  Observation,
  OwnedItem,
  SchedulerLaunch,
} from '../../backends/backend.js';
import { sealState, stateFields } from '../../backends/backend-state.js';
import type { BackendState, ClusterRecord, WorkerRecord } from '../model.js';

/** One fake scheduler or worker process. */
export interface FakeProcess {
  readonly clusterName: string;
  /** null for a scheduler. */
  readonly workerName: string | null;
  readonly pid: number;
  readonly startTicks: number;
  alive: boolean;
  /** How it ended, once it did on its own. */
  how?: string;
}

/** A backend whose processes live in memory; see the module comment. */
export class FakeBackend implements Backend {
  readonly kind = 'fake';
  /** Every process ever started, by pid. */
  readonly procs = new Map<number, FakeProcess>();
  /** Worker count each cluster's scheduler was last told to keep (scale commands). */
  readonly wanted = new Map<string, number>();
  /** Commands the fake schedulers received, in order. */
  readonly commands: { cluster: string; body: unknown }[] = [];
  /** Told when a process ends on its own (`exit`); the gateway wires the manager here. */
  notify: BackendNotify = () => undefined;
  /** When set, `exit` records the end but sends no notice (a lost notification). */
  dropNotices = false;
  /** What `logs.tail` and `logs.full` answer. */
  tail = '';
  /** When set, `startCluster` fails with this message. */
  failSchedulerStart: string | null = null;
  /** The host a scheduler must announce (`schedulerHost`); null: the backend cannot tell. */
  expectedHost: string | null = null;

  /** The host cluster `c`'s scheduler must announce, as an isolating backend knows it. */
  schedulerHost(_c: ClusterRecord): string | null {
    return this.expectedHost;
  }
  private nextPid = 1000;
  private server: Server | null = null;
  private apiBase = '';

  /** Starts the schedulers' command API (port 0). */
  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const cluster = (req.url ?? '').split('/')[2] ?? '';
        const cmd = JSON.parse(body) as { op: string; count?: number };
        this.commands.push({ cluster, body: cmd });
        if (cmd.op === 'scale' && cmd.count !== undefined) this.wanted.set(cluster, cmd.count);
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.apiBase = `http://127.0.0.1:${String((this.server.address() as AddressInfo).port)}`;
  }

  /** Stops the command API. */
  async close(): Promise<void> {
    this.server?.closeAllConnections();
    const server = this.server;
    if (server === null) return;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  /** Starts a fake process (also usable by a test to plant one no record claims). */
  spawn(clusterName: string, workerName: string | null): FakeProcess {
    const p = { clusterName, workerName, pid: this.nextPid++, startTicks: 7, alive: true };
    this.procs.set(p.pid, p);
    return p;
  }

  /** Every live process. */
  live(): FakeProcess[] {
    return [...this.procs.values()].filter((p) => p.alive);
  }

  /** The live scheduler of cluster `name`, if any. */
  scheduler(name: string): FakeProcess | undefined {
    return this.live().find((p) => p.clusterName === name && p.workerName === null);
  }

  /** The live workers of cluster `name`. */
  workers(name: string): FakeProcess[] {
    return this.live().filter((p) => p.clusterName === name && p.workerName !== null);
  }

  /** Ends process `p` on its own, and notifies as a backend would (unless `dropNotices`). */
  exit(p: FakeProcess, how = 'exit code 1'): void {
    p.alive = false;
    p.how = how;
    if (!this.dropNotices) this.notify({ clusterName: p.clusterName, workerName: p.workerName });
  }

  /**
   * The heartbeat cluster `name`'s scheduler sends now: its addresses, the scaled count, live
   * workers as active. Workers beyond the count are retired (reported closing and ended), and
   * workers that ended are reported closed.
   */
  heartbeat(name: string): Heartbeat {
    const count = this.wanted.get(name) ?? 0;
    const live = this.workers(name);
    const retiring = live.slice(count);
    for (const p of retiring) p.alive = false;
    const dead = [...this.procs.values()].filter(
      (p) => p.clusterName === name && p.workerName !== null && !p.alive && !retiring.includes(p)
    );
    const names = (ps: FakeProcess[]) => ps.map((p) => p.workerName ?? '');
    return {
      scheduler_address: `tls://fake/${name}`,
      dashboard_address: `http://fake/${name}`,
      api_address: `${this.apiBase}/c/${name}`,
      count,
      active_workers: names(live.slice(0, count)),
      closing_workers: names(retiring),
      closed_workers: names(dead),
    };
  }

  /** The fake's own blob: version 1, the pid and start ticks of its process. */
  private stateOf(p: FakeProcess): BackendState {
    return sealState(1, { pid: p.pid, startTicks: p.startTicks });
  }

  /** The process a recorded blob names, if it is still known. */
  processOf(state: BackendState): FakeProcess | undefined {
    const o = stateFields(state);
    const p = typeof o?.['pid'] === 'number' ? this.procs.get(o['pid']) : undefined;
    return p !== undefined && o?.['startTicks'] === p.startTicks ? p : undefined;
  }

  private kill(p: FakeProcess | undefined): void {
    if (p !== undefined) p.alive = false;
  }

  startCluster(c: ClusterRecord, _launch: SchedulerLaunch): Promise<BackendState> {
    if (this.failSchedulerStart !== null) {
      return Promise.reject(new Error(this.failSchedulerStart));
    }
    this.wanted.delete(c.name);
    return Promise.resolve(this.stateOf(this.spawn(c.name, null)));
  }

  stopCluster(c: ClusterRecord): Promise<void> {
    this.kill(this.processOf(c.state));
    for (const p of this.live()) if (p.clusterName === c.name) p.alive = false;
    return Promise.resolve();
  }

  startWorker(c: ClusterRecord, w: WorkerRecord): Promise<BackendState> {
    return Promise.resolve(this.stateOf(this.spawn(c.name, w.name)));
  }

  stopWorker(_c: ClusterRecord, w: WorkerRecord): Promise<void> {
    this.kill(this.processOf(w.state));
    return Promise.resolve();
  }

  observe(c: ClusterRecord, w: WorkerRecord | null): Observation {
    const p = this.processOf((w ?? c).state);
    if (p === undefined) return { phase: 'absent' };
    if (p.alive) return { phase: 'running', since: null };
    return p.how === undefined ? { phase: 'absent' } : { phase: 'exited', how: p.how };
  }

  /** Whether the process recorded for the scheduler (`w` null) or worker `w` runs. */
  isAlive(c: ClusterRecord, w: WorkerRecord | null = null): boolean {
    return this.observe(c, w).phase === 'running';
  }

  listOwned(): Promise<readonly OwnedItem[]> {
    return Promise.resolve(
      this.live().map((p) => ({
        clusterName: p.clusterName,
        workerName: p.workerName,
        key: String(p.pid),
        details: { pid: p.pid },
      }))
    );
  }

  claims(item: OwnedItem, state: BackendState): boolean {
    return this.processOf(state)?.pid === Number(item.key);
  }

  deleteOwned(item: OwnedItem): Promise<boolean> {
    this.kill(this.procs.get(Number(item.key)));
    return Promise.resolve(true);
  }

  /** Its logs: every process's output is `tail`. */
  readonly logs = {
    tail: (): string => this.tail,
    full: (): Promise<string> => Promise.resolve(this.tail),
  };
}

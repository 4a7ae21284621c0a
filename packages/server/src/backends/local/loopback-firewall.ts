/**
 * The loopback firewall: keeps this gateway's nftables table (rendered by `nft-ruleset.ts`)
 * equal to the clusters that run, so a cluster's uid reaches only its own loopback address and
 * the gateway API, and nobody but root and that uid reaches a cluster's address.
 *
 * Every change runs `nft -f -` asynchronously, one at a time and in call order. Single
 * clusters are added and removed element by element; `sync` (start and periodic resync)
 * replaces the whole table in one transaction. A failed element update falls back to a sync
 * from what this module knows is wanted.
 * @module
 */
import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import type { ClusterIdentity } from './cluster-identity.js';
import {
  renderAllow,
  renderApi,
  renderDelete,
  renderRemove,
  renderTable,
  type Endpoint,
  type RulesetSpec,
} from './nft-ruleset.js';

/** What the firewall is built from. */
export interface LoopbackFirewallDeps {
  readonly spec: RulesetSpec;
  readonly log: Logger;
  /** Delete the table in `close()` even while it lists clusters (none outlives the gateway). */
  readonly deleteOnClose: boolean;
  /** The command that runs nft (default `['nft']`; tests prefix `nsenter` into a namespace). */
  readonly nft?: readonly string[];
  /** Whether this process may change nftables (default: it runs as root). */
  readonly isRoot?: boolean;
}

/** Whether the firewall can run, and why not. */
export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** The loopback firewall of one gateway instance. */
export interface LoopbackFirewall {
  /** The table's name. */
  readonly table: string;
  /** Whether the firewall can run here: root, nft present, the kernel takes the table. */
  available(): Promise<Availability>;
  /** Makes the table's sets exactly `identities` (creating or repairing the table). */
  sync(identities: readonly ClusterIdentity[]): Promise<void>;
  /** Rewrites the table from the clusters allowed so far (the periodic, level-triggered pass). */
  resync(): Promise<void>;
  /**
   * Sets the gateway API endpoints clusters may reach (known once the gateway listens): only
   * the API sets change when the table exists, so a restarted gateway's clusters keep their
   * rules until its adoption `sync`.
   */
  setApi(api: readonly Endpoint[]): Promise<void>;
  /** Lets one cluster's uid reach its address. */
  allow(identity: ClusterIdentity): Promise<void>;
  /** Takes one cluster's rules away. */
  remove(identity: ClusterIdentity): Promise<void>;
  /**
   * Waits for pending changes, then deletes the table when it lists no cluster or when
   * configured to; otherwise the rules stay for the clusters that outlive the gateway.
   */
  close(): Promise<void>;
}

/** Runs `argv` with `script` on standard input; rejects with nft's message on failure. */
export function runNft(argv: readonly string[], script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    if (cmd === undefined) {
      reject(new Error('no nft command'));
      return;
    }
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 4096) stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${argv.join(' ')} failed (${code ?? signal}): ${stderr.trim()}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(script);
  });
}

const keyOf = (i: ClusterIdentity) => `${i.address}/${i.uid}`;

/** The firewall: what is wanted, and a queue that applies changes one at a time. */
class NftLoopbackFirewall implements LoopbackFirewall {
  readonly table: string;
  readonly #deps: LoopbackFirewallDeps;
  readonly #nft: readonly string[];
  readonly #wanted = new Map<string, ClusterIdentity>();
  #spec: RulesetSpec;
  #queue: Promise<void> = Promise.resolve();

  constructor(deps: LoopbackFirewallDeps) {
    this.#deps = deps;
    this.#spec = deps.spec;
    this.table = deps.spec.table;
    this.#nft = deps.nft ?? ['nft'];
  }

  async available(): Promise<Availability> {
    if (!(this.#deps.isRoot ?? process.getuid?.() === 0)) {
      return { ok: false, reason: 'the gateway does not run as root' };
    }
    const nft = this.#nft;
    try {
      await runNft([...nft, '--check', '-f', '-'], renderTable(this.#spec, []));
      return { ok: true };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const reason = e.code === 'ENOENT' ? `${nft[0] ?? 'nft'} is not installed` : e.message;
      return { ok: false, reason };
    }
  }

  sync(identities: readonly ClusterIdentity[]): Promise<void> {
    return this.#enqueue(async () => {
      this.#wanted.clear();
      for (const i of identities) this.#wanted.set(keyOf(i), i);
      await this.#replaceTable();
      this.#deps.log.debug(
        { table: this.table, clusters: this.#wanted.size },
        'loopback firewall synced'
      );
    });
  }

  resync(): Promise<void> {
    return this.#enqueue(() => this.#replaceTable());
  }

  setApi(api: readonly Endpoint[]): Promise<void> {
    return this.#enqueue(async () => {
      this.#spec = { ...this.#spec, api };
      try {
        await runNft([...this.#nft, 'list', 'table', 'inet', this.table], '');
      } catch {
        await this.#replaceTable();
        return;
      }
      await this.#change(renderApi(this.#spec), 'API update');
    });
  }

  allow(identity: ClusterIdentity): Promise<void> {
    return this.#enqueue(async () => {
      this.#wanted.set(keyOf(identity), identity);
      await this.#change(renderAllow(this.table, identity), 'allow');
    });
  }

  remove(identity: ClusterIdentity): Promise<void> {
    return this.#enqueue(async () => {
      this.#wanted.delete(keyOf(identity));
      const others = [...this.#wanted.values()];
      const stillUsed = {
        uid: others.some((i) => i.uid === identity.uid),
        address: others.some((i) => i.address === identity.address),
      };
      await this.#change(renderRemove(this.table, identity, stillUsed), 'remove');
    });
  }

  close(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#deps.deleteOnClose || this.#wanted.size === 0) {
        await runNft([...this.#nft, '-f', '-'], renderDelete(this.table));
      }
    });
  }

  /** Runs `step` after every earlier change; the queue survives its failure. */
  #enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(step);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Replaces the whole table with what is wanted, in one transaction. */
  #replaceTable(): Promise<void> {
    return runNft([...this.#nft, '-f', '-'], renderTable(this.#spec, [...this.#wanted.values()]));
  }

  /** Applies an element change, repairing the whole table if that fails. */
  async #change(script: string, what: string): Promise<void> {
    try {
      await runNft([...this.#nft, '-f', '-'], script);
    } catch (err) {
      this.#deps.log.warn(
        { err, table: this.table },
        `nftables ${what} failed; rewriting the table`
      );
      await this.#replaceTable();
    }
  }
}

/** Creates the loopback firewall for one gateway instance. */
export function createLoopbackFirewall(deps: LoopbackFirewallDeps): LoopbackFirewall {
  return new NftLoopbackFirewall(deps);
}

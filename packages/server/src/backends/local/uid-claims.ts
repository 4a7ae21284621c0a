/**
 * Host-wide claims on cluster uids. Every gateway on a host that isolates clusters (two
 * checkouts, a test run beside a developer's gateway, concurrent test gateways) claims a uid in
 * one shared directory before it gives it to a cluster, with an exclusive create. Without it two
 * gateways could pick the same free uid in the moment before either cluster runs a process, and
 * one gateway's stop (which kills every process of the uid) would kill the other's cluster.
 * A claim names its holder by pid and a per-instance token; a holder that is no longer alive
 * has left a stale claim, which the next claimant takes over.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Where gateways on this host claim cluster uids (root-owned, so clusters cannot forge one). */
export const DEFAULT_CLAIMS_DIRECTORY = '/run/gatehouse/uid-claims';

/** Whether process `pid` is alive (a process of another user counts: EPERM). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One gateway's claims in the shared directory. */
export class UidClaims {
  readonly #dir: string;
  readonly #me: string;

  /** `dir` is created (mode 0700) when missing. */
  constructor(dir: string = DEFAULT_CLAIMS_DIRECTORY) {
    this.#dir = dir;
    this.#me = `${String(process.pid)} ${randomBytes(8).toString('hex')}`;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  #file(uid: number): string {
    return path.join(this.#dir, String(uid));
  }

  /** The claim's holder line, or null when there is none. */
  #holder(uid: number): string | null {
    try {
      return readFileSync(this.#file(uid), 'utf8').trim();
    } catch {
      return null;
    }
  }

  /** Whether a claim line names this instance, or a holder that is gone. */
  #ours(line: string): boolean {
    return line.startsWith(this.#me) || !alive(Number(line.split(' ')[0]));
  }

  /** Writes this instance's claim on `uid` with an exclusive create; false when it exists. */
  #create(uid: number, cluster: string): boolean {
    let fd: number;
    try {
      fd = openSync(this.#file(uid), 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    try {
      writeSync(fd, `${this.#me} ${cluster}\n`);
    } finally {
      closeSync(fd);
    }
    return true;
  }

  /**
   * Claims `uid` for `cluster`; false when another live gateway holds it. A stale claim (its
   * holder is gone) or one of this instance is replaced.
   */
  claim(uid: number, cluster: string): boolean {
    if (this.#create(uid, cluster)) return true;
    const line = this.#holder(uid);
    if (line !== null && !this.#ours(line)) return false;
    // Stale or ours: remove and create again; a racing claimant's exclusive create wins once.
    rmSync(this.#file(uid), { force: true });
    return this.#create(uid, cluster);
  }

  /** Claims `uid` whoever holds it (adoption: the store says this gateway's cluster runs it). */
  take(uid: number, cluster: string): void {
    rmSync(this.#file(uid), { force: true });
    this.#create(uid, cluster);
  }

  /** Whether a live gateway other than this instance holds `uid`. */
  heldElsewhere(uid: number): boolean {
    const line = this.#holder(uid);
    return line !== null && !this.#ours(line);
  }

  /** Drops this instance's claim on `uid` (another's is left alone). */
  release(uid: number): void {
    const line = this.#holder(uid);
    if (line?.startsWith(this.#me) === true) rmSync(this.#file(uid), { force: true });
  }
}

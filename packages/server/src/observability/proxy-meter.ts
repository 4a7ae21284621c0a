/**
 * Proxy traffic metrics: open and total proxied connections by kind (scheduler TLS splices,
 * dashboard requests and WebSockets) and the bytes they move, metered from each socket's
 * counters when it closes and at every scrape.
 * @module
 */
import type net from 'node:net';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Kinds of proxied connection. */
export type ProxyKind = 'scheduler' | 'dashboard';

/** Counts proxied connections and their bytes. */
export interface ProxyMeter {
  /** Counts `socket` as an open connection of `kind` until it closes; its bytes are metered. */
  track(kind: ProxyKind, socket: net.Socket): void;
  /** A proxied request (not a socket of its own): open until `done` is called. */
  request(kind: ProxyKind): { bytes(direction: 'in' | 'out', n: number): void; done(): void };
}

/** The proxy families, registered in the order they are exposed. */
class ProxyTraffic implements ProxyMeter {
  readonly #open: Gauge;
  readonly #total: Counter;
  readonly #bytes: Counter;
  readonly #tracked = new Map<net.Socket, { kind: ProxyKind; read: number; written: number }>();

  constructor(registers: Registry[]) {
    this.#open = new Gauge({
      name: 'gatehouse_proxy_connections',
      help: 'Open proxied connections: scheduler TLS splices and dashboard requests and WebSockets.',
      labelNames: ['kind'],
      registers,
    });
    this.#total = new Counter({
      name: 'gatehouse_proxy_connections_total',
      help: 'Proxied connections opened, by kind.',
      labelNames: ['kind'],
      registers,
    });
    const tracked = this.#tracked;
    const meter = (s: net.Socket) => {
      this.#meter(s);
    };
    this.#bytes = new Counter({
      name: 'gatehouse_proxy_bytes_total',
      help: 'Bytes through the proxy, by kind and direction (in: from clients, out: to clients).',
      labelNames: ['kind', 'direction'],
      registers,
      collect() {
        for (const s of tracked.keys()) meter(s);
      },
    });
    for (const kind of ['scheduler', 'dashboard'] as const) {
      this.#open.set({ kind }, 0);
      this.#total.inc({ kind }, 0);
      for (const direction of ['in', 'out']) this.#bytes.inc({ kind, direction }, 0);
    }
  }

  track(kind: ProxyKind, socket: net.Socket): void {
    if (this.#tracked.has(socket)) return;
    this.#tracked.set(socket, { kind, read: 0, written: 0 });
    this.#open.inc({ kind });
    this.#total.inc({ kind });
    socket.once('close', () => {
      this.#meter(socket);
      this.#tracked.delete(socket);
      this.#open.dec({ kind });
    });
  }

  request(kind: ProxyKind): ReturnType<ProxyMeter['request']> {
    this.#open.inc({ kind });
    this.#total.inc({ kind });
    let open = true;
    const bytes = this.#bytes;
    const gauge = this.#open;
    return {
      bytes(direction, n) {
        bytes.inc({ kind, direction }, n);
      },
      done() {
        if (open) gauge.dec({ kind });
        open = false;
      },
    };
  }

  /** Adds what `socket` moved since it was last metered. */
  #meter(socket: net.Socket): void {
    const t = this.#tracked.get(socket);
    if (t === undefined) return;
    const read = socket.bytesRead;
    const written = socket.bytesWritten;
    if (read > t.read) this.#bytes.inc({ kind: t.kind, direction: 'in' }, read - t.read);
    if (written > t.written) {
      this.#bytes.inc({ kind: t.kind, direction: 'out' }, written - t.written);
    }
    t.read = read;
    t.written = written;
  }
}

/** Registers the proxy families on `registers` and returns the meter that feeds them. */
export function createProxyMeter(registers: Registry[]): ProxyMeter {
  return new ProxyTraffic(registers);
}

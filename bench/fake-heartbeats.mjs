#!/usr/bin/env node
// Fake scheduler heartbeat load generator of the control-plane benchmark (bench/run.py,
// measure "scale"). One process speaks the scheduler side of the gateway protocol (spec §5.4,
// §5.5) for many fake schedulers at once, so a gateway can hold hundreds of clusters that look
// like real ones without a dask process each.
//
// Usage: node bench/fake-heartbeats.mjs <spool dir>
// Each fake scheduler (bench/fake-scheduler.sh) drops "<name> <token> <api url> <period> <pid>"
// into the spool directory. From then on this process sends that cluster's heartbeats as the
// dask_gateway preload does: the first 0.25 s after start, then every period, with backoff
// (0.5 s doubling, capped at the period) after a failure, each on a fresh connection
// (the preload's Tornado client does not keep connections alive). It serves the scheduler API
// (POST /api/comm with the cluster token; GET /api/health) for scale and adapt commands, and
// stops heartbeating a cluster once its fake scheduler process is gone.
//
// Commands on stdin, one per line; each answer is one JSON line on stdout:
//   stats  -> {"registered","alive","ok","failed","n","p50_ms","p99_ms","max_ms"} since the last stats
//   quit   -> exits
import http from 'node:http';
import net from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { setTimeout, setInterval, clearTimeout, clearInterval } from 'node:timers';

const spool = process.argv[2];
if (spool === undefined) {
  console.error('usage: fake-heartbeats.mjs <spool dir>');
  process.exit(2);
}

/** @type {Map<string, {name: string, token: string, apiUrl: URL, period: number, pid: number, host: string, count: number, timer: NodeJS.Timeout | null, backoff: number}>} */
const clusters = new Map();
const byToken = new Map();
let latencies = [];
let ok = 0;
let failed = 0;

// Addresses the fake schedulers report: a TCP listener stands in for the TLS scheduler port. Both
// listeners take every address, so each cluster can report its own host (all of 127/8 is local).
const tlsStandIn = net.createServer((s) => s.destroy());
await new Promise((resolve) => tlsStandIn.listen(0, '0.0.0.0', resolve));
const tlsPort = tlsStandIn.address().port;

const api = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/api/health') {
    res.writeHead(200).end();
    return;
  }
  const auth = req.headers.authorization ?? '';
  const c = auth.startsWith('token ') ? byToken.get(auth.slice(6)) : undefined;
  if (req.method !== 'POST' || req.url !== '/api/comm' || c === undefined) {
    res.writeHead(c === undefined ? 403 : 404).end();
    return;
  }
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    let msg;
    try {
      msg = JSON.parse(body);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (msg.op === 'scale') {
      const count = Number(msg.count ?? 0);
      res.writeHead(200).end();
      if (count !== c.count) {
        c.count = count;
        schedule(c, 0);
      }
    } else if (msg.op === 'adapt') {
      res.writeHead(200).end();
    } else {
      res.writeHead(422).end();
    }
  });
});
await new Promise((resolve) => api.listen(0, '0.0.0.0', resolve));
const apiPort = api.address().port;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function schedule(c, ms) {
  if (c.timer !== null) clearTimeout(c.timer);
  c.timer = setTimeout(() => {
    c.timer = null;
    beat(c);
  }, ms);
}

function beat(c) {
  if (!alive(c.pid)) {
    clusters.delete(c.name);
    byToken.delete(c.token);
    return;
  }
  const body = JSON.stringify({
    scheduler_address: `tls://${c.host}:${tlsPort}`,
    dashboard_address: '',
    api_address: `http://${c.host}:${apiPort}`,
    count: c.count,
    active_workers: [],
    closing_workers: [],
    closed_workers: [],
  });
  const t0 = performance.now();
  const done = (success) => {
    if (success) {
      latencies.push(performance.now() - t0);
      ok++;
      c.backoff = 0.5;
      schedule(c, c.period * 1000);
    } else {
      failed++;
      const delay = Math.min(c.backoff, c.period);
      c.backoff *= 2;
      schedule(c, delay * 1000);
    }
  };
  const base = c.apiUrl.pathname.replace(/\/+$/, '');
  const req = http.request(
    {
      host: c.apiUrl.hostname,
      port: c.apiUrl.port,
      path: `${base}/v1/clusters/${c.name}/heartbeat`,
      method: 'POST',
      agent: false,
      timeout: 20_000,
      headers: {
        Authorization: `token ${c.token}`,
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        Connection: 'close',
      },
    },
    (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode >= 200 && res.statusCode < 300));
    }
  );
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => done(false));
  req.end(body);
}

function scanSpool() {
  for (const file of readdirSync(spool)) {
    if (file.startsWith('.') || clusters.has(file)) continue;
    const [name, rawToken, apiUrl, period, pid, host] = readFileSync(path.join(spool, file), 'utf8')
      .trim()
      .split(' ');
    // The preload reads a token containing '/' as a file path (spec §2.6).
    const token = rawToken.includes('/') ? readFileSync(rawToken, 'utf8').trim() : rawToken;
    const c = {
      name,
      token,
      apiUrl: new URL(apiUrl),
      period: Number(period) > 0 ? Number(period) : 3600,
      pid: Number(pid),
      host: host ?? '127.0.0.1',
      count: 0,
      timer: null,
      backoff: 0.5,
    };
    clusters.set(name, c);
    byToken.set(token, c);
    schedule(c, 250);
  }
}
const scanner = setInterval(scanSpool, 100);

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'stats') {
    scanSpool();
    const sorted = latencies.sort((a, b) => a - b);
    let live = 0;
    for (const c of clusters.values()) if (alive(c.pid)) live++;
    process.stdout.write(
      `${JSON.stringify({
        registered: clusters.size,
        alive: live,
        ok,
        failed,
        n: sorted.length,
        p50_ms: percentile(sorted, 50),
        p99_ms: percentile(sorted, 99),
        max_ms: sorted.length === 0 ? null : sorted[sorted.length - 1],
      })}\n`
    );
    latencies = [];
    ok = 0;
    failed = 0;
  } else if (cmd === 'quit') {
    clearInterval(scanner);
    for (const c of clusters.values()) if (c.timer !== null) clearTimeout(c.timer);
    api.close();
    tlsStandIn.close();
    rl.close();
    process.exit(0);
  }
});
rl.on('close', () => process.exit(0));

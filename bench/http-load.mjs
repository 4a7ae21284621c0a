#!/usr/bin/env node
// HTTP load generator of the API benchmark (bench/run.py, measure "api").
//
// Usage: node bench/http-load.mjs '<json>' where the JSON holds
//   { "url": "http://127.0.0.1:8000/api/v1/options", "user": "bench", "password": "",
//     "concurrency": 16, "seconds": 3, "warmupSeconds": 0.5 }
// It logs in once as the real client does (401 challenge, then Basic credentials, then the
// session cookie), then keeps `concurrency` keep-alive connections busy for `seconds`, each
// sending the next request as soon as the previous answer has been read. Prints one JSON line:
//   { "requests", "errors", "statuses", "rps", "p50_ms", "p99_ms", "mean_bytes", "cookie" }
import http from 'node:http';
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';

const spec = JSON.parse(process.argv[2] ?? '{}');
const target = new URL(spec.url);
const concurrency = spec.concurrency ?? 1;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function request(headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: 'GET',
        headers,
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk) => {
          bytes += chunk.length;
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, bytes, setCookie: res.headers['set-cookie'] });
        });
        res.on('error', reject);
      }
    );
    req.on('error', reject);
    req.end();
  });
}

/** The headers every later request carries: the session cookie, else Basic credentials. */
async function login() {
  const basic = `Basic ${Buffer.from(`${spec.user ?? 'bench'}:${spec.password ?? ''}`).toString('base64')}`;
  const first = await request({});
  if (first.status !== 401) return { headers: {}, cookie: false };
  const second = await request({ Authorization: basic });
  if (second.status >= 400) throw new Error(`login failed with ${second.status}`);
  const cookie = (second.setCookie ?? []).map((c) => c.split(';')[0]).join('; ');
  return cookie === ''
    ? { headers: { Authorization: basic }, cookie: false }
    : { headers: { Cookie: cookie }, cookie: true };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

async function main() {
  const { headers, cookie } = await login();
  const latencies = [];
  const statuses = {};
  let errors = 0;
  let bytes = 0;
  const warmupEnd = performance.now() + (spec.warmupSeconds ?? 0.5) * 1000;
  const end = warmupEnd + (spec.seconds ?? 3) * 1000;
  let measuredStart = null;
  const loop = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      let status;
      try {
        const r = await request(headers);
        status = r.status;
        if (t0 >= warmupEnd) bytes += r.bytes;
      } catch {
        status = 0;
      }
      if (t0 < warmupEnd) continue;
      measuredStart ??= t0;
      latencies.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status < 200 || status >= 300) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - (measuredStart ?? warmupEnd)) / 1000;
  latencies.sort((a, b) => a - b);
  agent.destroy();
  process.stdout.write(
    `${JSON.stringify({
      requests: latencies.length,
      errors,
      statuses,
      rps: latencies.length / elapsed,
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
      mean_bytes: latencies.length === 0 ? 0 : bytes / latencies.length,
      cookie,
    })}\n`
  );
}

main().catch((err) => {
  console.error(String(err?.stack ?? err));
  process.exit(1);
});

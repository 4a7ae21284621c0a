"""Measures 6 and 3: restart to serving, and API throughput, with finished records stored.

Restart: the server is stopped (SIGTERM) and started again; the time from spawning the process
until an authenticated list of finished clusters answers with every stored record.

API: ``bench/http-load.mjs`` keeps 1, 16 and 64 keep-alive connections busy on one endpoint at a
time, logged in with the session cookie as the real client is: the options, the default list
(active clusters: none), the list of finished clusters (every record) and one finished cluster.
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import time

import clients
from servers import BENCH


async def measure_restart(servers, results, reps: int, records: int, user: str, log) -> None:
    m = results.metric("restart", f"process start → serving the list of {records} finished records",
                       "s", "lower")

    def listed() -> bool:
        # Until it serves, a server may refuse connections or (upstream's proxy, before it has
        # its routes) answer 404.
        code, body = server.get("/api/v1/clusters/?status=STOPPED,FAILED", user=user)
        return code == 200 and len(json.loads(body)) >= records

    for rep in range(reps):
        for server in clients.alternate(servers, rep):
            server.stop()
            t0 = server.spawn()
            await asyncio.to_thread(server.wait_http, listed, 120, "serve its records", 0.005)
            secs = time.monotonic() - t0
            m.add(server.kind, secs)
            log(f"restart rep {rep}: {server.label} {secs:.2f} s")


def _load(url: str, user: str, concurrency: int, seconds: float) -> dict:
    spec = {"url": url, "user": user, "concurrency": concurrency, "seconds": seconds,
            "warmupSeconds": min(0.5, seconds / 2)}
    out = subprocess.run(["node", str(BENCH / "http-load.mjs"), json.dumps(spec)],
                         capture_output=True, text=True, timeout=seconds + 120)
    if out.returncode != 0:
        raise RuntimeError(f"http-load failed: {out.stderr[-500:]}")
    return json.loads(out.stdout)


async def measure_api(servers, results, reps: int, concurrencies, seconds: float, user: str,
                      records: int, log) -> None:
    finished = {s.kind: s.list_clusters(user, "STOPPED,FAILED") for s in servers}
    endpoints = [
        ("options", lambda s: "/api/v1/options"),
        ("list (active: none)", lambda s: "/api/v1/clusters/"),
        (f"list finished ({records} records)", lambda s: "/api/v1/clusters/?status=STOPPED,FAILED"),
        ("get one finished cluster", lambda s: f"/api/v1/clusters/{next(iter(finished[s.kind]))}"),
    ]
    for label, path in endpoints:
        for c in concurrencies:
            rps = results.metric("api", f"{label}, concurrency {c}: throughput", "req/s", "higher")
            p50 = results.metric("api", f"{label}, concurrency {c}: p50", "ms", "lower")
            p99 = results.metric("api", f"{label}, concurrency {c}: p99", "ms", "lower")
            for rep in range(reps):
                for server in clients.alternate(servers, rep):
                    r = await asyncio.to_thread(_load, server.url + path(server), user, c, seconds)
                    if r["errors"]:
                        results.note("api", f"{server.label} {label} c={c}: {r['errors']} of "
                                     f"{r['requests']} answers were not 2xx ({r['statuses']})")
                    if not r["cookie"]:
                        results.note("api", f"{server.label} set no session cookie")
                    rps.add(server.kind, r["rps"])
                    p50.add(server.kind, r["p50_ms"])
                    p99.add(server.kind, r["p99_ms"])
                    log(f"api {label} c={c} rep {rep}: {server.label} {r['rps']:.0f} req/s, "
                        f"p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms")

"""Measure 5: control-plane scale with a fake scheduler heartbeat load.

The server runs ``bench/fake-scheduler.sh`` as its scheduler command, and one
``bench/fake-heartbeats.mjs`` process sends every cluster's heartbeats and answers its scheduler
API, as the dask_gateway preload would. For each level (0, 100, 1,000 clusters) the clusters
are created through the real client, the harness waits until the server lists all of them
RUNNING, lets one heartbeat period pass, then samples a window: the gateway processes' CPU
share (of one core), their resident memory, and heartbeat latency p50/p99 as the fake
schedulers saw it. At the end every cluster is stopped through the API, which leaves the
finished records the restart and API measures use.
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path

import clients
import procstat
from servers import BENCH


class FakeHeartbeats:
    """The fake heartbeat generator process, driven over its stdin/stdout."""

    def __init__(self, spool: Path):
        self.proc = subprocess.Popen(
            ["node", str(BENCH / "fake-heartbeats.mjs"), str(spool)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )

    def stats(self) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the fake heartbeat generator exited")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()


async def _bounded(n: int, limit: int, fn):
    sem = asyncio.Semaphore(limit)

    async def one(i):
        async with sem:
            return await fn(i)

    return await asyncio.gather(*(one(i) for i in range(n)))


async def _wait_running(server, user: str, count: int, fake: FakeHeartbeats, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        running = len(server.list_clusters(user, "RUNNING")) if count else 0
        if running >= count:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{server.label}: {running}/{count} clusters RUNNING after {timeout} s "
                               f"(fake: {fake.stats()})")
        await asyncio.sleep(1)


async def measure_scale(server, spool: Path, results, levels, window: float, period: float,
                        user: str, log) -> list[str]:
    """Runs the levels on ``server`` (started with the fake scheduler); returns cluster names."""
    gw = clients.gateway(server, user)
    fake = FakeHeartbeats(spool)
    names: list[str] = []
    try:
        for level in levels:
            t0 = time.monotonic()
            new = await _bounded(level - len(names), 16, lambda _i: gw.submit())
            names.extend(new)
            await _wait_running(server, user, level, fake, 120 + level * 0.5)
            up = time.monotonic() - t0
            if level:
                results.metric("scale", f"{level} clusters: time to create all and see them RUNNING "
                               "(from the previous level)", "s", "lower").add(server.kind, up)
            await asyncio.sleep(period)
            fake.stats()
            pids = server.gateway_pids()
            cpu0 = sum(procstat.cpu_seconds(p) for p in pids)
            w0 = time.monotonic()
            await asyncio.sleep(window)
            cpu1 = sum(procstat.cpu_seconds(p) for p in pids)
            elapsed = time.monotonic() - w0
            rss = sum(procstat.rss_bytes(p) for p in pids) / 2**20
            hb = fake.stats()
            cpu = (cpu1 - cpu0) / elapsed * 100
            results.metric("scale", f"{level} clusters: gateway CPU", "% of a core", "lower").add(
                server.kind, cpu)
            results.metric("scale", f"{level} clusters: gateway resident memory", "MiB",
                           "lower").add(server.kind, rss)
            if level:
                results.metric("scale", f"{level} clusters: heartbeat latency p50", "ms",
                               "lower").add(server.kind, hb["p50_ms"])
                results.metric("scale", f"{level} clusters: heartbeat latency p99", "ms",
                               "lower").add(server.kind, hb["p99_ms"])
                results.metric("scale", f"{level} clusters: failed heartbeats in the window",
                               "count", "lower").add(server.kind, hb["failed"])
            log(f"scale {server.label} {level}: up in {up:.1f} s, CPU {cpu:.1f} %, RSS {rss:.0f} MiB, "
                f"heartbeats {hb['n']} p99 {hb['p99_ms']} ms, failed {hb['failed']}")
        t0 = time.monotonic()
        await _bounded(len(names), 16, lambda i: gw.stop_cluster(names[i]))
        deadline = time.monotonic() + 300
        while len(server.list_clusters(user, "STOPPED,FAILED")) < len(names):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{server.label}: clusters did not stop within 300 s")
            await asyncio.sleep(1)
        results.metric("scale", f"stop all {len(names)} clusters", "s", "lower").add(
            server.kind, time.monotonic() - t0)
    finally:
        fake.close()
        await gw.close()
    return names

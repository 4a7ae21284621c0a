"""Measures 1 and 2: cluster start, and a crowd of users starting clusters at the same moment.

Start: ``new_cluster()`` until it returns (RUNNING, client connected to the scheduler through the
proxy), then ``scale(4)`` until the scheduler reports 4 workers. The floor is the same work
without a gateway: a bare ``dask scheduler`` process until it listens, then 4 bare workers until
a client sees them.

Crowd: N users (each with its own client) call ``new_cluster()`` at the same moment and then
``scale(1)``; the time until every cluster runs with its worker connected, and the users whose
calls raised.
"""
from __future__ import annotations

import asyncio
import subprocess
import tempfile
import time
from pathlib import Path

from distributed import Client

import clients
from servers import PYTHON, WORKER_CMD


async def _one_start(server, user: str, workers: int, timeout: float) -> tuple[float, float]:
    gw = clients.gateway(server, user)
    try:
        t0 = time.monotonic()
        cluster = await gw.new_cluster()
        t1 = time.monotonic()
        await cluster.scale(workers)
        await clients.wait_workers(cluster, workers, timeout)
        t2 = time.monotonic()
        await cluster.shutdown()
    finally:
        await gw.close()
    await clients.wait_no_processes(server)
    return t1 - t0, t2 - t1


async def _wait_text(path, needle: str, proc: subprocess.Popen, timeout: float) -> str:
    """Polls the log file ``path`` until a line contains ``needle``; returns that line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in path.read_text(errors="replace").splitlines():
            if needle in line:
                return line
        if proc.poll() is not None:
            break
        await asyncio.sleep(0.01)
    raise RuntimeError(f"bare scheduler did not print {needle!r}:\n{path.read_text()[-2000:]}")


async def _floor(workers: int, timeout: float) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        return await _floor_in(Path(tmp), workers, timeout)


async def _floor_in(tmp: Path, workers: int, timeout: float) -> tuple[float, float]:
    out = tmp / "scheduler.log"
    t0 = time.monotonic()
    with open(out, "wb") as f:
        sched = subprocess.Popen(
            [PYTHON, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
             "--dashboard-address", "127.0.0.1:0"],
            stdout=f, stderr=subprocess.STDOUT, cwd=tmp,
        )
    procs = [sched]
    try:
        line = await _wait_text(out, "Scheduler at:", sched, timeout)
        t1 = time.monotonic()
        address = line.split("Scheduler at:", 1)[1].strip()
        t2 = time.monotonic()
        for _ in range(workers):
            procs.append(subprocess.Popen(
                [*WORKER_CMD, address, "--nthreads", "1", "--memory-limit", "2GiB",
                 "--dashboard-address", "127.0.0.1:0"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp,
            ))
        async with Client(address, asynchronous=True) as client:
            await client.wait_for_workers(workers, timeout=timeout)
        t3 = time.monotonic()
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
    return t1 - t0, t3 - t2


async def measure_start(servers, results, reps: int, workers: int, log) -> None:
    new = results.metric("start", "new_cluster() until RUNNING", "s", "lower")
    scale = results.metric("start", f"scale({workers}) until {workers} workers connected", "s", "lower")
    for rep in range(reps):
        a, b = await _floor(workers, 120)
        new.floor.append(a)
        scale.floor.append(b)
        for server in clients.alternate(servers, rep):
            t_new, t_scale = await _one_start(server, "bench", workers, 180)
            new.add(server.kind, t_new)
            scale.add(server.kind, t_scale)
            log(f"start rep {rep}: {server.label} new_cluster {t_new:.2f} s, scale {t_scale:.2f} s")
    results.note("start", "The floor runs a bare `dask scheduler` (no TLS, no preload) until it "
                 f"prints its address, then {workers} bare workers until a client sees them.")


async def _crowd_user(server, user: str, t0: float, timeout: float):
    """(seconds to RUNNING, seconds to a connected worker, error) of one user, from ``t0``."""
    gw = clients.gateway(server, user)
    cluster = None
    running = None
    try:
        cluster = await gw.new_cluster()
        running = time.monotonic() - t0
        await cluster.scale(1)
        await clients.wait_workers(cluster, 1, timeout)
        return running, time.monotonic() - t0, ""
    except Exception as e:  # noqa: BLE001 - every failure of a user counts
        return running, None, f"{type(e).__name__}: {e}"[:200]
    finally:
        try:
            if cluster is not None:
                await cluster.shutdown()
        except Exception:  # noqa: BLE001
            pass
        await gw.close()


async def measure_crowd(servers, results, reps: int, users: int, log) -> None:
    all_running = results.metric("crowd", f"{users} users: all clusters RUNNING", "s", "lower")
    all_up = results.metric("crowd", f"{users} users: all RUNNING with a worker", "s", "lower")
    median = results.metric("crowd", "per-user time, median", "s", "lower")
    failed = results.metric("crowd", "users whose calls failed", "count", "lower")
    for rep in range(reps):
        for server in clients.alternate(servers, rep):
            t0 = time.monotonic()
            outcomes = await asyncio.gather(
                *(_crowd_user(server, f"crowd{i:02d}", t0, 300) for i in range(users))
            )
            times = [t for _, t, _ in outcomes if t is not None]
            errors = [e for _, t, e in outcomes if t is None]
            runs = [r for r, _, _ in outcomes if r is not None]
            all_running.add(server.kind, max(runs) if len(runs) == users else None)
            all_up.add(server.kind, max(times) if times and not errors else None)
            if times:
                median.add(server.kind, sorted(times)[len(times) // 2])
            failed.add(server.kind, len(errors))
            log(f"crowd rep {rep}: {server.label} {len(times)}/{users} up, last at "
                f"{max(times) if times else float('nan'):.1f} s, {len(errors)} failed")
            for e in sorted(set(errors)):
                results.note("crowd", f"{server.label}, repetition {rep}: {e}")
            await clients.wait_no_processes(server, 300)

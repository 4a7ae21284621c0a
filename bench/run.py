"""Benchmarks Gatehouse side by side with the upstream dask-gateway server, in one run.

    .venv/bin/python bench/run.py            # full run (< 30 min), writes docs/benchmarks.md
    .venv/bin/python bench/run.py --smoke    # every measure at tiny sizes (< 3 min), for CI

It installs the upstream server into bench/.venv-upstream (first run only), starts both servers
configured equivalently (bench/servers.py), and runs the six measures of issue 9 with the
unmodified dask-gateway client, alternating the order of the two servers on every repetition:

  1 start    new_cluster() and scale(4), with a bare-scheduler floor   (measure_start.py)
  2 crowd    N users creating clusters at the same moment               (measure_start.py)
  4 proxy    throughput, echo round trips and dashboard loads           (measure_proxy.py)
  5 scale    fake heartbeat load at 0/100/1,000 clusters                 (measure_scale.py)
  6 restart  process start to serving the 1,000 finished records         (measure_api.py)
  3 api      list/get/options at concurrency 1/16/64                     (measure_api.py)

Measures 1, 2 and 4 run real schedulers and workers from .venv; 5, 6 and 3 run on fresh
servers whose schedulers are fakes, and whose 1,000 finished records are the clusters the scale
measure created and stopped (the same way on both servers, through the API).

Raw samples go to bench/.work/results.json. A full run rewrites the generated part of
docs/benchmarks.md; a smoke run writes bench/.work/smoke.md and fails if any metric lacks a
sample for either server.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import subprocess
import tempfile
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure_api  # noqa: E402
import measure_proxy  # noqa: E402
import measure_scale  # noqa: E402
import measure_start  # noqa: E402
import procstat  # noqa: E402
import servers as srv  # noqa: E402
from results import Results  # noqa: E402

MEASURES = ("start", "crowd", "proxy", "scale", "restart", "api")
TITLES = {
    "start": "1. Cluster start",
    "crowd": "2. A crowd of users starting clusters at once",
    "api": "3. API throughput and latency with finished records stored",
    "proxy": "4. Proxy: scheduler traffic and dashboards",
    "scale": "5. Control-plane scale (fake scheduler heartbeats)",
    "restart": "6. Restart to serving with the records in the store",
}


@dataclass(frozen=True)
class Sizes:
    start_reps: int
    start_workers: int
    crowd_reps: int
    crowd_users: int
    proxy_reps: int
    proxy_mib: int
    echoes: int
    page_loads: int
    scale_levels: tuple[int, ...]
    scale_window: float
    scale_period: int
    restart_reps: int
    api_reps: int
    api_concurrency: tuple[int, ...]
    api_seconds: float


FULL = Sizes(4, 4, 2, 30, 3, 256, 200, 3, (0, 100, 1000), 15, 5, 5, 3, (1, 16, 64), 1.5)
SMOKE = Sizes(1, 1, 1, 2, 1, 4, 20, 1, (0, 3), 1, 1, 1, 1, (1, 4), 0.3)

WORK = srv.BENCH / ".work"
DOC = srv.ROOT / "docs" / "benchmarks.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _out(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except OSError:
        return "?"


def machine() -> dict:
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) / 2**20
    py = str(srv.VENV / "bin" / "python")
    versions = _out([py, "-c", "import dask, distributed, dask_gateway, bokeh; print("
                     "f'dask {dask.__version__}, distributed {distributed.__version__}, "
                     "dask-gateway (client) {dask_gateway.__version__}, bokeh {bokeh.__version__}')"])
    up = _out([str(srv.UPSTREAM_VENV / "bin" / "python"), "-c",
               "import dask_gateway_server, aiohttp, sqlalchemy; print("
               "f'dask-gateway-server {dask_gateway_server.__version__} (aiohttp "
               "{aiohttp.__version__}, SQLAlchemy {sqlalchemy.__version__}, Python "
               "' + __import__('platform').python_version() + ')')"])
    return {
        "cpu": f"{os.cpu_count()} × {cpu}",
        "memory": f"{mem:.1f} GiB",
        "kernel": platform.release(),
        "node": _out(["node", "--version"]),
        "python": platform.python_version(),
        "client side": versions,
        "upstream": up,
        "gatehouse commit": _out(["git", "-C", str(srv.ROOT), "rev-parse", "--short", "HEAD"]),
    }


async def phase_real(sizes: Sizes, only: set[str], results: Results, base: Path) -> None:
    """Measures 1, 2 and 4 on servers running real schedulers and workers."""
    if not only & {"start", "crowd", "proxy"}:
        return
    pair = [cls(srv.reset_dir(base / cls.kind), srv.Settings()) for cls in srv.SERVERS.values()]
    try:
        for s in pair:
            log(f"{s.label} serving on {s.url} after {s.start():.2f} s")
        if "start" in only:
            await measure_start.measure_start(pair, results, sizes.start_reps, sizes.start_workers, log)
        if "crowd" in only:
            await measure_start.measure_crowd(pair, results, sizes.crowd_reps, sizes.crowd_users, log)
        if "proxy" in only:
            await measure_proxy.measure_proxy(pair, results, sizes.proxy_reps, sizes.proxy_mib,
                                              sizes.echoes, sizes.page_loads, log)
    finally:
        for s in pair:
            s.stop()
            s.cleanup()


async def phase_fake(sizes: Sizes, only: set[str], results: Results, base: Path) -> None:
    """Measures 5, 6 and 3 on fresh servers whose schedulers are fakes."""
    if not only & {"scale", "restart", "api"}:
        return
    user = "bench"
    pair = []
    try:
        for cls in srv.SERVERS.values():
            work = srv.reset_dir(base / cls.kind)
            # Isolated clusters run under uids of their own: the fake scheduler and its spool
            # live where those uids may reach them (not under a checkout that may be private).
            reachable = Path(tempfile.mkdtemp(prefix=f"gatehouse-bench-{cls.kind}-"))
            reachable.chmod(0o755)
            spool = reachable / "spool"
            spool.mkdir()
            spool.chmod(0o1777)
            fake = reachable / "fake-scheduler.sh"
            shutil.copy(srv.FAKE_SCHEDULER, fake)
            fake.chmod(0o755)
            settings = srv.Settings(
                heartbeat_period=sizes.scale_period,
                scheduler_cmd=("/bin/sh", str(fake), str(spool)),
            )
            s = cls(work, settings)
            pair.append(s)
            log(f"{s.label} (fake schedulers) serving on {s.url} after {s.start():.2f} s")
            names = await measure_scale.measure_scale(
                s, spool, results, sizes.scale_levels, sizes.scale_window, sizes.scale_period,
                user, log)
        records = len(names)
        results.note("scale", f"Heartbeat period {sizes.scale_period} s on both servers; one fake "
                     f"generator process sends every cluster's heartbeats on fresh connections; "
                     f"window {sizes.scale_window:g} s per level. CPU and memory count the gateway "
                     "processes only (upstream: the Python server and its Go proxy; Gatehouse: "
                     "its one Node process), not the (fake) schedulers.")
        if "restart" in only:
            await measure_api.measure_restart(pair, results, sizes.restart_reps, records, user, log)
        if "api" in only:
            await measure_api.measure_api(pair, results, sizes.api_reps, sizes.api_concurrency,
                                          sizes.api_seconds, user, records, log)
    finally:
        for s in pair:
            s.stop()
            s.cleanup()


def render(results: Results, info: dict, sizes: Sizes, command: str, load: tuple[str, str],
           elapsed: float) -> str:
    lines = [
        f"Generated by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"in {elapsed / 60:.1f} min.",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {k} | {v} |" for k, v in info.items()),
        f"| load average (1, 5, 15 min) at start / end | {load[0]} / {load[1]} |",
        "",
        f"Sizes: `{sizes}`.",
        "",
        "Each cell is the median with the range (min–max) over the repetitions; the ratio is "
        "Gatehouse's median over upstream's.",
    ]
    for key in ("start", "crowd", "api", "proxy", "scale", "restart"):
        if key not in results.measures:
            continue
        lines += ["", f"### {TITLES[key]}", "", results.table(key)]
        for n in results.notes.get(key, []):
            lines += ["", f"- {n}"]
    return "\n".join(lines) + "\n"


def write_doc(text: str, target: Path) -> None:
    if target == DOC and DOC.exists():
        doc = DOC.read_text()
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
        text = pattern.sub(lambda _m: f"{START}\n\n{text}\n{END}", doc)
    target.write_text(text)
    prettier = srv.ROOT / "node_modules" / ".bin" / "prettier"
    if prettier.exists():
        subprocess.run([str(prettier), "--write", "--log-level=warn", str(target)], check=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="every measure at tiny sizes (CI)")
    ap.add_argument("--only", default=",".join(MEASURES), help="comma-separated measures")
    args = ap.parse_args()
    only = set(args.only.split(","))
    if only - set(MEASURES):
        ap.error(f"unknown measures: {sorted(only - set(MEASURES))}; choose from {MEASURES}")
    srv.check_gatehouse_built()
    sizes = SMOKE if args.smoke else FULL
    t0 = time.monotonic()
    srv.ensure_upstream_venv(log)
    load0 = procstat.load_average()
    base = srv.reset_dir(WORK / ("smoke" if args.smoke else "full"))
    results = Results()
    failed = None
    try:
        asyncio.run(phase_real(sizes, only, results, base / "real"))
        asyncio.run(phase_fake(sizes, only, results, base / "fake"))
    except Exception:  # noqa: BLE001 - report what was measured, then fail
        failed = traceback.format_exc()
        log(f"benchmark failed:\n{failed}")
    elapsed = time.monotonic() - t0
    (WORK / "results.json").write_text(json.dumps(results.to_json(), indent=1))
    command = ".venv/bin/python bench/run.py" + (" --smoke" if args.smoke else "")
    text = render(results, machine(), sizes, command, (load0, procstat.load_average()), elapsed)
    target = WORK / "smoke.md" if args.smoke else DOC
    write_doc(text, target)
    log(f"wrote {target.relative_to(srv.ROOT)} after {elapsed:.0f} s")
    missing = results.incomplete()
    if missing:
        log("metrics without a sample for both servers:\n  " + "\n  ".join(missing))
    return 1 if failed or missing else 0


if __name__ == "__main__":
    sys.exit(main())

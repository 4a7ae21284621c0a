"""The client side of the benchmarks: the unmodified dask-gateway client from .venv.

Helpers to make an asynchronous ``Gateway`` for one user of a server, wait until a cluster's
scheduler reports workers (through the client's own worker-status subscription, which crosses
the proxy), and wait until a server has no cluster processes left.
"""
from __future__ import annotations

import asyncio
import logging
import time

from dask_gateway import BasicAuth, Gateway

# The client and distributed log connection churn at INFO; the benchmarks print their own lines.
for name in ("distributed", "dask_gateway", "asyncio"):
    logging.getLogger(name).setLevel(logging.ERROR)


#: The user the single-user measures run as (and authenticate dashboards as).
USER = "bench"


def gateway(server, user: str = USER) -> Gateway:
    return Gateway(
        server.url, proxy_address=server.proxy_address, auth=BasicAuth(user, ""), asynchronous=True
    )


async def wait_workers(cluster, n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(cluster.scheduler_info.get("workers", {})) < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{n} workers did not connect within {timeout} s")
        await asyncio.sleep(0.02)


async def wait_no_processes(server, timeout: float = 120) -> float:
    """Waits until every scheduler and worker of ``server`` has exited; returns the seconds."""
    t0 = time.monotonic()
    while server.cluster_processes():
        if time.monotonic() - t0 > timeout:
            raise TimeoutError(f"{server.label}: cluster processes still running after {timeout} s")
        await asyncio.sleep(0.1)
    return time.monotonic() - t0


def alternate(servers: list, rep: int) -> list:
    """A/B order for repetition ``rep``: A, B on even repetitions and B, A on odd ones."""
    return servers if rep % 2 == 0 else list(reversed(servers))

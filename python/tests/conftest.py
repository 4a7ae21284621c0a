"""Shared fixtures: real Gatehouse servers and clients of the unmodified dask-gateway package."""
from __future__ import annotations

import contextlib
import gc
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from dask_gateway import Gateway, GatewayCluster

from gatehouse_fixture import Gatehouse, drop_postgres_store, wait_until


def pytest_configure(config):
    """Turns off the automatic garbage collector for the test process; ``collect_garbage_last``
    collects on the main thread after every test instead.

    The client's ``Gateway.__del__`` closes itself through its event-loop thread and waits for
    that. When an automatic collection runs *on* the loop thread and finalizes an unclosed
    ``Gateway`` (a failed ``new_cluster()`` leaves one behind, inside the cluster object), the
    loop thread waits for itself forever: seen in CI as a kubernetes suite hung in the teardown
    of ``test_scheduler_that_cannot_start_fails_with_its_output_in_the_logs`` (``py-spy``: the
    "IO loop" thread in ``Gateway.__del__`` -> ``Gateway.sync`` under ``ClientSession.close``).
    Collections only on the main thread cannot deadlock that way."""
    gc.disable()


@pytest.fixture(autouse=True)
def collect_garbage_last():
    """Torn down last: closed sync Gateways get their ``__del__`` disarmed (it raises on a
    stopped loop, an upstream client bug) so nothing is reported outside the test."""
    yield
    gc.collect()
    for o in gc.get_objects():
        if isinstance(o, Gateway) and not o.asynchronous and hasattr(o, "_loop_runner"):
            loop = o._loop_runner._loop
            if loop is None or not loop.asyncio_loop.is_running():
                del o._loop_runner


@pytest.fixture(autouse=True)
def close_lingering_clusters(collect_garbage_last, gatehouse):
    """Closes sync clusters a test left open, before its gateways are stopped."""
    yield
    for c in list(GatewayCluster._instances):
        if not c.asynchronous:
            with contextlib.suppress(Exception):
                c.close()


@pytest.fixture
def gatehouse(tmp_path):
    """Factory: ``gatehouse(config=None, port=0)`` starts a gateway; all are stopped at teardown.

    Teardown fails the test if any scheduler or worker process of those gateways survived.
    """
    started: list[Gatehouse] = []

    def start(config: dict | None = None, port: int = 0, name: str = "gw") -> Gatehouse:
        g = Gatehouse(tmp_path / f"{name}{len(started)}", config, port)
        started.append(g)
        return g

    yield start
    leftovers = {}
    for g in started:
        g.stop()
        try:
            wait_until(lambda: not g.leftover_processes(), 60, "cluster processes to exit")
        except AssertionError:
            leftovers[g.url] = g.leftover_processes()
            g.kill_leftovers()
        g.delete_firewall()
        drop_postgres_store(g.config)
    assert not leftovers, f"processes left behind: {leftovers}"


@pytest.fixture
def searchable_tmp():
    """A temporary directory every uid may traverse (``tmp_path`` lies under pytest's 0700 base
    directory), for files isolated cluster uids must reach, such as a Python environment."""
    d = Path(tempfile.mkdtemp(prefix="gatehouse-test-"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def gateway_client():
    """Factory for sync ``Gateway`` clients of a Gatehouse; closed at teardown."""
    clients: list[Gateway] = []

    def make(g: Gatehouse, **kwargs) -> Gateway:
        kwargs.setdefault("address", g.address)
        kwargs.setdefault("proxy_address", g.proxy_address)
        gw = Gateway(**kwargs)
        clients.append(gw)
        return gw

    yield make
    for gw in clients:
        gw.close()


def wait_for_workers(cluster, atleast=None, exact=None, timeout=60):
    """Waits until the scheduler reports the wanted number of workers (as upstream's tests do)."""
    deadline = time.monotonic() + timeout
    while True:
        n = len(cluster.scheduler_info["workers"])
        if (atleast is not None and n >= atleast) or (exact is not None and n == exact):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {atleast or exact} workers, have {n}")
        time.sleep(0.2)

"""The numbers Gatehouse shows for a real cluster are true (issue 16, "Numbers that are not true").

The cluster view of the API (``GET /api/v1/me/clusters/{name}``) and the CLI's ``--json`` report
workers running, starting and wanted, and the cores and memory the cluster's processes hold.
They are compared with what the scheduler itself says (``client.scheduler_info()["workers"]``)
and with the scheduler and worker processes found from outside the gateway (``/proc``, by the
cluster's name in their environment): while the workers start, once they run, after a scale the
quota clamps, and after a stop. Every state is awaited; nothing sleeps for one.
"""
from __future__ import annotations

import json
import os
import subprocess
import time
import warnings

import pytest
from dask_gateway import BasicAuth, GatewayWarning

from cluster_processes import cluster_processes
from gatehouse_fixture import CLI, wait_until

TIMEOUT = 120
GIB = 2**30

CONFIG = {
    "cluster": {
        "worker_threads": 1,
        "worker_cores": 1,
        "worker_memory": "1 G",
        "scheduler_cores": 1,
        "scheduler_memory": "1 G",
    },
    # The quota is smaller than the request of the clamp step.
    "quotas": {"users": {"alice": {"max_workers": 2}}},
}

pytestmark = pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <function Gateway\.__del__:pytest.PytestUnraisableExceptionWarning"
)


def view(g, name: str) -> dict:
    status, body = g.get_json(f"/api/v1/me/clusters/{name}", user="alice")
    assert status == 200, body
    return body


def cli_view(g, name: str) -> dict:
    env = {**os.environ, "GATEHOUSE_ADDRESS": g.address, "GATEHOUSE_USER": "alice",
           "GATEHOUSE_PASSWORD": ""}
    r = subprocess.run(["node", str(CLI), "clusters", "show", name, "--json"],
                       capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def connected(client) -> int:
    return len(client.scheduler_info()["workers"])


def numbers(v: dict) -> tuple:
    return (v["workers_running"], v["workers_starting"], v["workers_target"], v["cores"],
            v["memory"])


def held(schedulers: int, workers: int) -> tuple[int, int]:
    """Cores and memory of ``schedulers`` schedulers and ``workers`` workers (1 core, 1 GiB each)."""
    return schedulers + workers, (schedulers + workers) * GIB


def assert_settled(g, cluster, client, want: int) -> None:
    """Once ``want`` workers are connected and reported, every source agrees."""
    wait_until(lambda: connected(client) == want, TIMEOUT, f"{want} workers to connect")
    v = wait_until(
        lambda: (lambda v: v if v["workers_running"] == want and v["workers_starting"] == 0
                 else None)(view(g, cluster.name)),
        TIMEOUT, f"the view to report {want} running workers")
    procs = cluster_processes(cluster.name)
    assert len(procs["scheduler"]) == 1, procs
    assert len(procs["workers"]) == want, procs
    assert connected(client) == want
    assert numbers(v) == (want, 0, want, *held(1, want)), v
    assert (v["workers"], v["requested_workers"]) == (want, want), v
    assert numbers(cli_view(g, cluster.name)) == numbers(v)


def test_cluster_numbers_match_the_scheduler_and_the_processes(gatehouse, gateway_client):
    g = gatehouse(config=CONFIG)
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    cluster = gw.new_cluster()
    client = cluster.get_client()

    # No workers asked for: only the scheduler runs.
    assert_settled(g, cluster, client, 0)

    # Starting: until the scheduler reports a worker connected, it is not "running".
    cluster.scale(1)
    samples = []
    while True:
        v = view(g, cluster.name)
        live = connected(client)  # read after the view: connections only grow meanwhile
        samples.append((v["workers_running"], v["workers_starting"], live))
        assert v["workers_running"] <= live, (v, live)
        assert v["workers_running"] + v["workers_starting"] <= max(v["workers_target"], 1), v
        if v["workers_running"] == 1:
            break
        time.sleep(0.1)  # poll interval of the loop, which awaits the state above
    assert any(live == 0 for _, _, live in samples), f"the start was never observed: {samples}"
    assert_settled(g, cluster, client, 1)

    # A scale beyond the quota is clamped: the target is what was granted, not what was asked.
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        cluster.scale(5)
    msgs = [str(w.message) for w in seen if issubclass(w.category, GatewayWarning)]
    assert len(msgs) == 1 and "Scaling to 2 instead" in msgs[0], msgs
    assert_settled(g, cluster, client, 2)
    status, body = g.get_json(f"/api/v1/clusters/{cluster.name}/events", user="alice")
    assert status == 200
    types = [e["type"] for e in body["events"]]
    clamped = [e for e in body["events"] if e["type"] == "scale.clamped"]
    assert len(clamped) == 1, types
    assert (clamped[0]["data"]["requested"], clamped[0]["data"]["granted"]) == (5, 2), clamped
    assert "request.refused" not in types, types

    # Stopped: nothing runs, nothing is held.
    name = cluster.name
    client.close()
    cluster.shutdown()
    wait_until(lambda: cluster_processes(name) == {"scheduler": [], "workers": []}, TIMEOUT,
               "every process of the cluster to exit")
    v = wait_until(lambda: (lambda v: v if v["status"] == "STOPPED" else None)(view(g, name)),
                   TIMEOUT, "the cluster to be STOPPED")
    assert numbers(v) == (0, 0, 0, 0, 0), v
    assert numbers(cli_view(g, name)) == (0, 0, 0, 0, 0)

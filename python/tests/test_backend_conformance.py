"""Backend conformance: the same scenarios, with the same assertions, for every backend in
``backends.BACKENDS`` (the local processes, Slurm jobs and Kubernetes pods). The seed workflow through a bare
``Gateway()``, nothing left running after shutdown, the pool's clamp message, and failures
caused from outside (a killed worker is replaced, a killed scheduler fails its cluster, a
scheduler that cannot start leaves its output in the logs route)."""
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from dask_gateway import BasicAuth, GatewayClusterError, GatewayWarning

from backends import BACKENDS, worker_nodes
from conftest import wait_for_workers
from gatehouse_fixture import CLI, free_port, wait_until

HERE = Path(__file__).parent
TIMEOUT = 120

PROFILES = {
    "options": [{
        "type": "select", "field": "profile", "apply": "merge",
        "options": [
            {"key": "Small Worker", "value": {"worker_cores": 2, "worker_memory": "8 G"}},
            {"key": "Medium Worker", "value": {"worker_cores": 4, "worker_memory": "16 G"}},
        ],
    }],
    "cluster": {"worker_threads": 1},
}

pytestmark = pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <function Gateway\.__del__:pytest.PytestUnraisableExceptionWarning"
)


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    b = request.param
    if not hasattr(b, "for_test"):
        yield b
        return
    # A backend with per-test resources (a Kubernetes namespace) binds them here.
    bound = b.for_test(tmp_path)
    yield bound
    bound.close()


def get_json(g, path, user="admin"):
    status, body = g.get_json(path, user, timeout=TIMEOUT)
    assert status == 200, f"GET {path}: {status} {body}"
    return body


def admin_view(g, name):
    [c] = [c for c in get_json(g, "/api/v1/admin/clusters?status=PENDING,RUNNING,STOPPING,STOPPED,FAILED")
           if c["name"] == name]
    return c


def nothing_left(backend, name):
    return backend.jobs(name) == {"scheduler": [], "workers": []}


def test_seed_workflow(backend, gatehouse, tmp_path):
    port = free_port()
    g = gatehouse(config=backend.config(), port=port)
    out = subprocess.run(["node", str(CLI), "client-config", "-c", str(g.config_file)],
                         check=True, capture_output=True, text=True).stdout
    dask_dir = tmp_path / "dask-config"
    dask_dir.mkdir()
    (dask_dir / "gateway.yaml").write_text(out)
    run = subprocess.run([sys.executable, str(HERE / "seed_workflow.py")],
                         env={**os.environ, "DASK_CONFIG": str(dask_dir)},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["total"] == 2000 * 2000
    assert len(seen["workers"]) == 2
    assert seen["listed"] == [seen["name"]]
    assert seen["dashboard_link"] == f"{g.address}/clusters/{seen['name']}/status"
    if backend.name == "local":
        assert g.address == f"http://127.0.0.1:{port}"
    assert seen["after"] == []
    # Every scheduler and worker (process or Slurm job) is gone once the user shut down.
    wait_until(lambda: nothing_left(backend, seen["name"]), 60, "every job to end")
    if backend.name == "local":
        # And no process the gateway started for any cluster keeps running, while it still serves.
        wait_until(lambda: not g.leftover_processes(), 30, "scheduler and workers to exit")


CLAMP = ("Scale to 4 workers clamped to 3: the shared pool is full (3 of 3 machines in use "
         "by 1 user, 3 of them yours).")


def test_request_beyond_the_pool_is_clamped_alike(backend, gatehouse, gateway_client):
    clamp = {**PROFILES, "pool": {"when_full": "clamp"}}  # the queue is test_fair_queue.py's
    g = gatehouse(config=backend.config(clamp, pool_nodes=3))
    pool = get_json(g, "/api/v1/pool")
    assert (pool["machines_total"], pool["machines_free"]) == (3, 3)
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    cluster = gw.new_cluster(profile="Medium Worker")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        cluster.scale(4)
    msgs = [str(w.message) for w in seen if issubclass(w.category, GatewayWarning)]
    assert msgs == [CLAMP]
    wait_for_workers(cluster, exact=3, timeout=TIMEOUT)
    if backend.name == "slurm":
        # Medium workers (4 CPUs / 16 GiB) take a whole node each, as Slurm placed them.
        wait_until(lambda: len(worker_nodes(cluster.name)) == 3, TIMEOUT, "3 running worker jobs")
        assert len(set(worker_nodes(cluster.name))) == 3, worker_nodes(cluster.name)
    cluster.shutdown()
    wait_until(lambda: nothing_left(backend, cluster.name), 60, "every job to end")


def test_worker_killed_from_outside_is_replaced(backend, gatehouse, gateway_client):
    g = gatehouse(config=backend.config({"backend": {"heartbeat_period": 1}}))
    cluster = gateway_client(g).new_cluster()
    cluster.scale(1)
    wait_for_workers(cluster, exact=1, timeout=TIMEOUT)
    [first] = [w["name"] for w in cluster.scheduler_info["workers"].values()]
    backend.kill_worker(cluster.name)

    def replaced():
        names = [w["name"] for w in cluster.scheduler_info["workers"].values()]
        return len(names) == 1 and names[0] != first
    wait_until(replaced, TIMEOUT, "a replacement worker")
    cluster.shutdown()


def test_scheduler_killed_from_outside_fails_the_cluster(backend, gatehouse, gateway_client):
    g = gatehouse(config=backend.config({"access": {"admin_users": ["admin"]}}))
    gw = gateway_client(g)
    cluster = gw.new_cluster()
    cluster.scale(1)
    wait_for_workers(cluster, exact=1, timeout=TIMEOUT)
    name = cluster.name
    backend.kill_scheduler(name)
    wait_until(lambda: gw.get_cluster(name).status.name == "FAILED", TIMEOUT, "the cluster to fail")
    reason = admin_view(g, name)["stop_reason"]
    assert reason.startswith("scheduler exited ("), reason
    wait_until(lambda: nothing_left(backend, name), 60, "the orphaned worker to be stopped")


def test_scheduler_that_cannot_start_fails_with_its_output_in_the_logs(backend, gatehouse,
                                                                        gateway_client):
    bad = "/nonexistent/gatehouse/bin/python3"
    g = gatehouse(config=backend.config({
        "access": {"admin_users": ["admin"]},
        "cluster": {"scheduler_cmd": [bad, "-m", "distributed.cli.dask_scheduler"]},
    }))
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    with pytest.raises(GatewayClusterError, match="failed to start"):
        gw.new_cluster()
    [failed] = gw.list_clusters(status=["FAILED"])
    assert admin_view(g, failed.name)["stop_reason"].startswith("scheduler")
    logs = get_json(g, f"/api/v1/clusters/{failed.name}/logs?process=scheduler", user="alice")
    assert bad in logs["processes"][0]["text"], logs

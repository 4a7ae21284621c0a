"""Logs outlive their cluster and explain failures: the logs route returns scheduler and worker
output, and a scheduler that cannot start leaves its cause there."""

import pytest
from dask_gateway import BasicAuth, GatewayClusterError

from conftest import wait_for_workers


def get_json(g, path, user="alice"):
    return g.get_json(path, user)


def test_logs_of_a_running_and_stopped_cluster(gatehouse, gateway_client):
    g = gatehouse()
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    cluster = gw.new_cluster()
    cluster.scale(1)
    wait_for_workers(cluster, exact=1)
    status, logs = get_json(g, f"/api/v1/clusters/{cluster.name}/logs")
    assert status == 200
    kinds = sorted(p["kind"] for p in logs["processes"])
    assert kinds == ["scheduler", "worker"]
    scheduler = next(p for p in logs["processes"] if p["kind"] == "scheduler")
    assert "Scheduler at:" in scheduler["text"] and "dask_gateway.scheduler_preload" in scheduler["text"]
    cluster.shutdown()
    # Still there after the cluster (and its working directory) is gone.
    status, logs = get_json(g, f"/api/v1/clusters/{cluster.name}/logs?process=scheduler&tail=5")
    assert status == 200 and len(logs["processes"]) == 1
    assert len(logs["processes"][0]["text"].splitlines()) <= 6
    assert get_json(g, f"/api/v1/clusters/{cluster.name}/logs", user="bob")[0] == 403
    assert get_json(g, "/api/v1/clusters/nope/logs")[0] == 404


def test_a_scheduler_that_cannot_start_fails_with_its_output_in_the_logs(gatehouse, gateway_client):
    broken = "import sys; print('ImportError: no module named frobnitz', file=sys.stderr); sys.exit(3)"
    g = gatehouse(config={"cluster": {"scheduler_cmd": ["python", "-c", broken]}})
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    with pytest.raises(GatewayClusterError, match="failed to start"):
        gw.new_cluster()
    failed = gw.list_clusters(status=["FAILED"])
    assert len(failed) == 1
    status, logs = get_json(g, f"/api/v1/clusters/{failed[0].name}/logs?process=scheduler")
    assert status == 200
    assert "no module named frobnitz" in logs["processes"][0]["text"]

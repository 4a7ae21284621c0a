"""Restart and failure handling with real processes: a SIGKILLed gateway re-adopts its clusters
on the same address; a dead scheduler fails its cluster; a dead worker is replaced."""
import os
import signal

import dask.array as da
import pytest
from dask_gateway import GatewayClusterError
from distributed import Client

from cluster_processes import cluster_processes
from conftest import wait_for_workers
from gatehouse_fixture import free_port, wait_until

FAST_FAILURE = {"backend": {"heartbeat_period": 1, "heartbeat_timeout": 20}}


def status_of(gateway, name):
    return gateway.get_cluster(name).status.name


def test_restart_readopts_running_cluster(gatehouse, gateway_client):
    port = free_port()
    g = gatehouse(config={"stop_clusters_on_shutdown": False}, port=port)
    gw = gateway_client(g)
    cluster = gw.new_cluster()
    cluster.scale(2)
    wait_for_workers(cluster, exact=2)
    name = cluster.name
    before = cluster_processes(name)
    assert len(before["scheduler"]) == 1 and len(before["workers"]) == 2
    cluster.close(shutdown=False)

    g.kill()
    # The processes outlive the gateway...
    assert cluster_processes(name) == before
    g.start()

    # ...and the restarted gateway lists, connects to and scales the same cluster.
    gw2 = gateway_client(g)
    assert [c.name for c in gw2.list_clusters()] == [name]
    again = gw2.connect(name)
    with Client(again, set_as_default=False) as client:
        assert client.submit(lambda x: x + 1, 41).result(timeout=60) == 42
        again.scale(3)
        wait_for_workers(again, exact=3)
        assert float(client.compute(da.ones((100, 100), chunks=50).sum()).result()) == 10000.0
    after = cluster_processes(name)
    assert after["scheduler"] == before["scheduler"]
    assert set(before["workers"]) <= set(after["workers"]) and len(after["workers"]) == 3
    again.shutdown()
    wait_until(lambda: cluster_processes(name) == {"scheduler": [], "workers": []}, 30, "processes to exit")


def test_restart_fails_cluster_whose_scheduler_died_meanwhile(gatehouse, gateway_client):
    port = free_port()
    g = gatehouse(config={"stop_clusters_on_shutdown": False}, port=port)
    gw = gateway_client(g)
    cluster = gw.new_cluster()
    cluster.scale(1)
    wait_for_workers(cluster, exact=1)
    name = cluster.name
    procs = cluster_processes(name)
    cluster.close(shutdown=False)
    g.kill()
    os.killpg(procs["scheduler"][0], signal.SIGKILL)
    g.start()
    gw2 = gateway_client(g)
    wait_until(lambda: status_of(gw2, name) == "FAILED", 30, "the cluster to be FAILED")
    assert gw2.list_clusters() == []
    wait_until(lambda: cluster_processes(name)["workers"] == [], 30, "the orphaned worker to be stopped")


def test_killed_scheduler_fails_cluster_and_reaps_workers(gatehouse, gateway_client):
    g = gatehouse(config=FAST_FAILURE)
    gw = gateway_client(g)
    cluster = gw.new_cluster()
    cluster.scale(2)
    wait_for_workers(cluster, exact=2)
    name = cluster.name
    procs = cluster_processes(name)
    os.killpg(procs["scheduler"][0], signal.SIGKILL)
    # FAILED within the heartbeat timeout (20 s here), with the workers reaped.
    wait_until(lambda: status_of(gw, name) == "FAILED", 20, "the cluster to be FAILED")
    wait_until(lambda: cluster_processes(name)["workers"] == [], 20, "workers to be reaped")
    with pytest.raises(GatewayClusterError, match="failed to start"):
        gateway_client(g).connect(name)
    cluster.close(shutdown=False)


def test_killed_worker_is_replaced(gatehouse, gateway_client):
    g = gatehouse(config=FAST_FAILURE)
    gw = gateway_client(g)
    cluster = gw.new_cluster()
    cluster.scale(2)
    wait_for_workers(cluster, exact=2)
    name = cluster.name
    with Client(cluster, set_as_default=False) as client:
        names_before = {w["name"] for w in client.scheduler_info()["workers"].values()}
        victim = cluster_processes(name)["workers"][0]
        os.killpg(victim, signal.SIGKILL)

        def replaced():
            names = {w["name"] for w in client.scheduler_info()["workers"].values()}
            return len(names) == 2 and names != names_before

        wait_until(replaced, 60, "a replacement worker to join")
        assert client.submit(lambda: 7).result(timeout=60) == 7
    assert status_of(gw, name) == "RUNNING"
    cluster.shutdown()


def test_sigterm_finishes_a_stop_already_asked_for(gatehouse, gateway_client):
    """A stop requested just before the gateway gets SIGTERM is carried out before it exits (and
    the record says STOPPED), instead of leaving the cluster CLOSING with its scheduler running
    until the next start."""
    port = free_port()
    g = gatehouse(config={"stop_clusters_on_shutdown": False}, port=port)
    gw = gateway_client(g)
    cluster = gw.new_cluster()
    cluster.scale(2)
    wait_for_workers(cluster, exact=2)
    name = cluster.name
    cluster.close(shutdown=False)
    gw.stop_cluster(name)
    g.stop()
    assert cluster_processes(name) == {"scheduler": [], "workers": []}
    g.start()
    gw2 = gateway_client(g)
    assert [c.name for c in gw2.list_clusters()] == []
    assert status_of(gw2, name) == "STOPPED"

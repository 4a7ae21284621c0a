"""Named clusters (issue 22) with the unmodified dask-gateway client.

With ``cluster_names.enabled`` the options carry a ``cluster_name`` String field ("Name"). A
user names a cluster through ``cluster_options()``, a fresh ``Gateway`` finds it with
``connect("<name>")`` and keeps ``cluster.name == "<name>"``, so every call through that object
(scale, shutdown) names the cluster by its given name: the gateway resolves it among the caller's
own clusters. Names are unique per user and never reused while the stopped cluster is kept in
the history; another user's same name is a different cluster. The older pinned clients run the
same steps from their own environments (``named_workflow.py``).
"""
from __future__ import annotations

import base64
import http.client
import json
import urllib.parse
import urllib.error
import urllib.request

import pytest
from dask_gateway import BasicAuth, GatewayClusterError
from dask_gateway.client import ClusterStatus
from distributed import Client

from conftest import wait_for_workers
from gatehouse_fixture import ROOT, free_port, wait_until
from test_old_clients import ENVS, env_python, run_script

# A closed sync GatewayCluster stops its Gateway's loop; the Gateway's own __del__ later trips
# over that inside the client (as in test_client_contract.py).
pytestmark = pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <function Gateway\.__del__:pytest.PytestUnraisableExceptionWarning"
)
NAMES = {"cluster_names": {"enabled": True}}


def get_json(g, path: str, user: str):
    req = urllib.request.Request(
        g.address + path,
        headers={"Authorization": "Basic " + base64.b64encode(f"{user}:".encode()).decode()},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def redirect_of(g, path: str, user: str):
    """(status, Location) of one GET with Basic credentials, redirects not followed."""
    conn = http.client.HTTPConnection(urllib.parse.urlsplit(g.address).netloc, timeout=30)
    try:
        conn.request("GET", path, headers={
            "Authorization": "Basic " + base64.b64encode(f"{user}:".encode()).decode()})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Location")
    finally:
        conn.close()


def named_options(gateway, name: str):
    opts = gateway.cluster_options()
    opts.cluster_name = name
    return opts


def test_name_option_is_offered_only_when_enabled(gatehouse, gateway_client):
    off = gateway_client(gatehouse())
    assert "cluster_name" not in off.cluster_options()
    on = gateway_client(gatehouse(NAMES))
    opts = on.cluster_options()
    assert opts.cluster_name == ""
    assert opts._fields["cluster_name"].label == "Name"


def test_connect_by_name_scale_and_shutdown(gatehouse, gateway_client):
    g = gatehouse(NAMES)
    alice = gateway_client(g, auth=BasicAuth("alice"))
    bob = gateway_client(g, auth=BasicAuth("bob"))

    first = alice.new_cluster(named_options(alice, "my-analysis"))
    cluster_id = first.name
    assert cluster_id != "my-analysis"
    assert alice.get_cluster("my-analysis").name == cluster_id
    assert alice.get_cluster(cluster_id).options["cluster_name"] == "my-analysis"

    # A bad name is refused with the rule; a taken one says so, and nothing is created.
    # (submit, not new_cluster: a GatewayCluster that failed to start can deadlock the client's
    # loop when garbage-collected there, an upstream client bug.)
    with pytest.raises(ValueError, match="not a valid cluster name: use at most 63 lower-case"):
        alice.submit(named_options(alice, "My_Analysis"))
    with pytest.raises(ValueError, match="'my-analysis' is taken: alice already has a cluster"):
        alice.submit(named_options(alice, "my-analysis"))
    assert [c.name for c in alice.list_clusters()] == [cluster_id]

    # Bob's cluster of the same name is his own, and a different cluster.
    theirs = bob.new_cluster(named_options(bob, "my-analysis"))
    assert theirs.name != cluster_id
    assert bob.get_cluster("my-analysis").name == theirs.name
    assert alice.get_cluster("my-analysis").name == cluster_id

    # A fresh client connects by name and keeps the name; scale through it acts on alice's.
    fresh = gateway_client(g, auth=BasicAuth("alice"))
    named = fresh.connect("my-analysis")
    assert named.name == "my-analysis"
    assert named.dashboard_link.endswith(f"/clusters/{cluster_id}/status")
    named.scale(1)
    wait_for_workers(named, exact=1)
    # (The scheduler streams worker changes to its latest subscriber only, so the creator's
    # object is asked through a dask client of its own.)
    with Client(first) as client:
        client.wait_for_workers(1, timeout=60)
        assert client.submit(lambda x: x + 1, 1).result(timeout=60) == 2
    with Client(theirs) as client:
        assert client.scheduler_info()["workers"] == {}

    # A dashboard path by name leads each user to their own cluster's dashboard.
    for user, cid in [("alice", cluster_id), ("bob", theirs.name)]:
        assert redirect_of(g, "/clusters/my-analysis/status?x=1", user) == (
            302, f"/clusters/{cid}/status?x=1")
    assert redirect_of(g, "/clusters/no-such-name/status", "alice")[0] == 404

    # The REST routes resolve the caller's names only: events and the view by name.
    status, events = get_json(g, "/api/v1/clusters/my-analysis/events", "alice")
    assert status == 200 and {e["cluster"] for e in events["events"]} == {cluster_id}, events
    status, view = get_json(g, "/api/v1/me/clusters/my-analysis", "alice")
    assert status == 200 and (view["name"], view["cluster_name"]) == (cluster_id, "my-analysis")
    status, body = get_json(g, f"/api/v1/clusters/{cluster_id}", "bob")
    assert status == 403, body

    # Shutdown through the named object stops alice's cluster, not bob's.
    named.shutdown()
    wait_until(lambda: alice.get_cluster(cluster_id).status == ClusterStatus.STOPPED, 60,
               "alice's cluster to stop")
    assert bob.get_cluster(theirs.name).status == ClusterStatus.RUNNING

    # The stopped name is kept: connecting says it stopped, and it cannot be taken again.
    with pytest.raises(GatewayClusterError, match="already stopped"):
        fresh.connect("my-analysis")
    with pytest.raises(ValueError, match="'my-analysis' was the name of a cluster of alice that "
                                         "has stopped: names are not reused"):
        alice.submit(named_options(alice, "my-analysis"))
    # So the old object's shutdown can only ever name the stopped cluster.
    fresh.stop_cluster("my-analysis")
    assert bob.get_cluster("my-analysis").status == ClusterStatus.RUNNING
    theirs.shutdown()
    first.close()


@pytest.mark.parametrize("env", ENVS)
def test_connect_by_name_with_old_client(env, gatehouse, tmp_path):
    python = env_python(env)
    g = gatehouse(config={**NAMES, "backend": {"python_env": str(ROOT / ".venvs" / env)}},
                  port=free_port())
    run = run_script(python, g, tmp_path, "named_workflow.py", "my-analysis")
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["connected_name"] == "my-analysis"
    assert seen["id"] != "my-analysis"
    assert seen["resolved_id"] == seen["id"]
    assert seen["workers_seen_by_creator"] == 1
    assert seen["status_after"] == "STOPPED"
    assert "is taken" in seen["duplicate_error"]
    assert "names are not reused" in seen["reuse_error"]
    wait_until(lambda: not g.leftover_processes(), 30, "scheduler and workers to exit")

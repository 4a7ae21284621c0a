"""No forgotten clusters: the no-client timeout, the maximum lifetime and the idle timeout each
stop a cluster and record why (reasons are on the admin API, never in ClusterJSON)."""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from base64 import b64encode

from dask_gateway import BasicAuth

from gatehouse_fixture import wait_until

ADMIN = {"access": {"admin_users": ["admin"]}}


def stop_reason(g, name):
    creds = b64encode(b"admin:").decode()
    req = urllib.request.Request(
        g.address + "/api/v1/admin/clusters?status=STOPPED,FAILED",
        headers={"Authorization": f"Basic {creds}"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        rows = json.loads(resp.read())
    reason = next((r["stop_reason"] for r in rows if r["name"] == name), None)
    # The cluster's events say the same (docs/events.md): its last event is cluster.stopped.
    req = urllib.request.Request(
        g.address + f"/api/v1/clusters/{name}/events",
        headers={"Authorization": f"Basic {creds}"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        events = json.loads(resp.read())["events"]
    assert events[-1]["type"] == "cluster.stopped", events[-1]
    stopping = next(e for e in events if e["type"] == "cluster.stopping")
    assert events[-1]["data"]["reason"] == stopping["data"]["reason"] == reason, events[-1]
    return reason


CLIENT_SCRIPT = """
import sys, time
from dask_gateway import Gateway
from distributed import Client
gw = Gateway(sys.argv[1], proxy_address=sys.argv[2])
cluster = gw.new_cluster()
client = Client(cluster)
assert client.scheduler_info()["type"] == "Scheduler"  # connected through the proxy
print(cluster.name, flush=True)
time.sleep(600)
"""


def test_no_client_timeout_stops_a_cluster_whose_client_was_killed(gatehouse, gateway_client):
    timeout = 6
    g = gatehouse(config={**ADMIN, "cluster": {"no_client_timeout": timeout}})
    proc = subprocess.Popen(
        [sys.executable, "-c", CLIENT_SCRIPT, g.address, g.proxy_address],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        name = proc.stdout.readline().strip()
        assert name, "the client script did not create a cluster"
        # A connected client keeps the cluster up well past the timeout.
        time.sleep(timeout + 3)
        gw = gateway_client(g, auth=BasicAuth(username=os.environ.get("USER", "root")))
        assert gw.get_cluster(name).status.name == "RUNNING"
        killed = time.monotonic()
        proc.send_signal(signal.SIGKILL)  # no cleanup code runs
        proc.wait(10)
        wait_until(lambda: gw.get_cluster(name).status.name == "STOPPED", timeout + 30, "the cluster to stop")
        # Within the timeout plus one check period (with slack for a loaded CI machine).
        assert time.monotonic() - killed < timeout + 20
        assert stop_reason(g, name) == "no client"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_max_lifetime_stops_a_cluster(gatehouse, gateway_client):
    g = gatehouse(config={**ADMIN, "cluster": {"max_lifetime": 15}})
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    cluster = gw.new_cluster()
    name = cluster.name
    wait_until(lambda: gw.get_cluster(name).status.name == "STOPPED", 60, "the cluster to reach its lifetime")
    assert stop_reason(g, name) == "lifetime"
    cluster.close(shutdown=False)


def test_idle_timeout_stops_a_cluster_with_reason_idle(gatehouse, gateway_client):
    g = gatehouse(config={**ADMIN, "cluster": {"idle_timeout": 3}})
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    cluster = gw.new_cluster()
    name = cluster.name
    wait_until(lambda: gw.get_cluster(name).status.name == "STOPPED", 60, "the idle cluster to stop")
    assert stop_reason(g, name) == "idle"
    cluster.close(shutdown=False)

"""Network isolation between clusters on one machine (issue 14, "The network, too").

Alice and bob each run a real cluster with one worker. From a Dask task in bob's cluster, bob
fetches alice's dashboard page and its Prometheus route directly from her scheduler's dashboard
port, bypassing the gateway's authenticated proxy, and opens a TCP connection to her worker's
HTTP port; a local user who runs no cluster (uid 65534) tries the same. With the loopback
firewall (``backend.network_isolation``, nftables, as root) every attempt is refused. Positive controls: the same task reaches its own cluster's dashboard and
worker ports; the gateway's proxy still serves alice her dashboard; and a control gateway with
``network_isolation: none`` shows every probe succeeding.
"""
from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from base64 import b64encode

import cloudpickle
import pytest
from dask_gateway import BasicAuth
from distributed import Client

from conftest import wait_for_workers

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("nft") is None, reason="the loopback firewall needs root and nft"
)

# The probe runs inside bob's worker, which cannot import this module: ship it by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def by_value(f):
    """``f`` as a task that workers can run without importing this module."""
    blob = cloudpickle.dumps(f)
    return lambda *args: __import__("cloudpickle").loads(blob)(*args)


def reach(targets: dict[str, str]) -> dict[str, str]:
    """For each name: GET the http:// URL ('fetched:<status>') or open the tcp://host:port
    ('connected'); otherwise the error (runs in a worker)."""
    import socket
    import urllib.error
    import urllib.request

    out = {}
    for name, target in targets.items():
        try:
            if target.startswith("tcp://"):
                host, port = target[len("tcp://"):].rsplit(":", 1)
                socket.create_connection((host, int(port)), timeout=10).close()
                out[name] = "connected"
            else:
                with urllib.request.urlopen(target, timeout=10) as r:
                    out[name] = f"fetched:{r.status}"
        except urllib.error.HTTPError as e:
            out[name] = f"fetched:{e.code}"
        except (OSError, urllib.error.URLError) as e:
            out[name] = f"{type(e).__name__}:{getattr(e, 'reason', e)}"
    return out


def reach_as_nobody(targets: dict[str, str]) -> dict[str, str]:
    """``reach`` run by a local user who runs no cluster (uid 65534, Debian's python)."""
    code = inspect.getsource(reach) + f"\nimport json\nprint(json.dumps(reach({targets!r})))\n"
    out = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", code],
        capture_output=True, text=True, timeout=60, check=True,
    )
    return json.loads(out.stdout)


def ports_of(cluster, client) -> dict[str, str]:
    """The cluster's dashboard page, Prometheus route and worker HTTP port, as seen by root."""
    info = client.scheduler_info()
    host = info["address"].split("://", 1)[1].rsplit(":", 1)[0]
    base = f"http://{host}:{info['services']['dashboard']}/clusters/{cluster.name}"
    addr, worker = next(iter(info["workers"].items()))
    worker_host = addr.split("://", 1)[1].rsplit(":", 1)[0]
    return {
        "dashboard": f"{base}/status",
        "prometheus": f"{base}/metrics",
        "worker_http": f"tcp://{worker_host}:{worker['services']['dashboard']}",
    }


def start_cluster(gateway_client, g, user: str):
    cluster = gateway_client(g, auth=BasicAuth(user)).new_cluster()
    cluster.scale(1)
    wait_for_workers(cluster, exact=1, timeout=180)
    return cluster, Client(cluster, set_as_default=False)


def probe(g, gateway_client) -> dict:
    """Runs bob's probes at alice's ports and at his own from a task in bob's cluster."""
    alice, alice_client = start_cluster(gateway_client, g, "alice")
    bob, bob_client = start_cluster(gateway_client, g, "bob")
    targets = {f"alice_{k}": v for k, v in ports_of(alice, alice_client).items()}
    targets |= {f"own_{k}": v for k, v in ports_of(bob, bob_client).items()}
    found = bob_client.submit(by_value(reach), targets, pure=False).result(timeout=120)
    nobody = reach_as_nobody({k: v for k, v in targets.items() if k.startswith("alice_")})
    print(json.dumps({"targets": targets, "found": found, "nobody": nobody}, indent=1))
    return {"found": found, "nobody": nobody, "alice": alice, "bob": bob, "clients": [alice_client, bob_client]}


def proxied_dashboard(cluster, user: str) -> int:
    """Fetches ``cluster.dashboard_link`` through the gateway as ``user``: the status code."""
    creds = b64encode(f"{user}:".encode()).decode()
    req = urllib.request.Request(cluster.dashboard_link, headers={"Authorization": f"Basic {creds}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        assert b"Dask" in r.read()
        return r.status


def finish(p) -> None:
    for c in p["clients"]:
        c.close()
    p["alice"].shutdown()
    p["bob"].shutdown()


def test_bob_cannot_reach_alice_ports(gatehouse, gateway_client):
    g = gatehouse()
    p = probe(g, gateway_client)
    f = p["found"]
    # Positive controls: bob reaches his own dashboard, Prometheus route and worker port.
    assert f["own_dashboard"] == "fetched:200", f
    assert f["own_prometheus"] == "fetched:200", f
    assert f["own_worker_http"] == "connected", f
    # Every direct attempt at alice's ports is refused.
    for k in ("alice_dashboard", "alice_prometheus", "alice_worker_http"):
        assert "Connection refused" in f[k] or "ConnectionRefused" in f[k], (k, f[k])
        # So is a local user who runs no cluster.
        assert "Connection refused" in p["nobody"][k], (k, p["nobody"])
    # The gateway's authenticated proxy still serves alice her dashboard.
    assert proxied_dashboard(p["alice"], "alice") == 200
    finish(p)


def test_control_without_network_isolation_the_ports_leak(gatehouse, gateway_client):
    g = gatehouse(config={"backend": {"network_isolation": "none"}})
    p = probe(g, gateway_client)
    f = p["found"]
    assert f["alice_dashboard"] == "fetched:200", f
    assert f["alice_prometheus"] == "fetched:200", f
    assert f["alice_worker_http"] == "connected", f
    assert f["own_dashboard"] == "fetched:200", f
    assert p["nobody"] == {"alice_dashboard": "fetched:200", "alice_prometheus": "fetched:200",
                           "alice_worker_http": "connected"}, p["nobody"]
    finish(p)

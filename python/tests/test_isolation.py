"""Isolation between users on the local backend (issue 14, finding 1), probed from user code.

Alice and bob each run a real cluster with a worker. From a Dask task in bob's cluster, bob tries
to read the gateway's key and database, alice's certificate, key, token and logs, and her
processes' ``/proc/<pid>/environ``; to signal her processes; and to connect to her scheduler with
anything he can read. With isolation on (the default as root) every attempt fails, while the
same task reads its own cluster's credentials (positive control), and a control gateway with
``backend.isolation: none`` shows the same probes succeeding. Bob's own cluster keeps working:
its dashboard through the gateway, restart adoption, and the seed workflow.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from base64 import b64encode
from pathlib import Path

import cloudpickle
import pytest
from dask_gateway import BasicAuth, GatewayClusterError
from distributed import Client

from cluster_processes import cluster_processes
from conftest import wait_for_workers
from gatehouse_fixture import CLI, ROOT, free_port, wait_until

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="isolation needs the gateway to run as root")

# The probes run inside bob's workers, which cannot import this module: ship them by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def by_value(f):
    """``f`` as a task that workers can run without importing this module."""
    blob = cloudpickle.dumps(f)
    return lambda *args: __import__("cloudpickle").loads(blob)(*args)

HERE = Path(__file__).parent


def try_read(paths: list[str]) -> dict[str, str]:
    """For each path: 'read:<n bytes>' or the error's name (runs in a worker)."""
    out = {}
    for p in paths:
        try:
            with open(p, "rb") as f:
                out[p] = f"read:{len(f.read())}"
        except OSError as e:
            out[p] = type(e).__name__
    return out


def try_signal(pids: list[int]) -> dict[int, str]:
    """Signal 0, then SIGSTOP and SIGCONT at once (so a success does not break alice)."""
    out = {}
    for pid in pids:
        try:
            os.kill(pid, 0)
            os.kill(pid, signal.SIGSTOP)
            os.kill(pid, signal.SIGCONT)
            out[pid] = "signalled"
        except OSError as e:
            out[pid] = type(e).__name__
    return out


def try_connect(address: str, cert: str, key: str) -> str:
    """Runs a Dask client against ``address`` with ``cert``/``key``: 'connected' or the error."""
    from distributed import Client
    from distributed.security import Security

    sec = Security(tls_ca_file=cert, tls_client_cert=cert, tls_client_key=key, require_encryption=True)
    try:
        with Client(address, security=sec, timeout=10, set_as_default=False) as c:
            return f"connected:{c.run_on_scheduler(os.getpid)}"
    except Exception as e:  # noqa: BLE001 - the probe reports whatever stopped it
        return type(e).__name__


def try_fetch(url: str) -> str:
    """A plain HTTP GET of ``url``: 'fetched:<status>' or the error's name."""
    import urllib.error

    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return f"fetched:{r.status}"
    except urllib.error.HTTPError as e:
        return f"fetched:{e.code}"
    except OSError as e:
        return type(e).__name__


def own_credentials() -> dict[str, str]:
    """The worker's own TLS files and token (a path under isolation), and its own environ."""
    env = os.environ
    files = [env["DASK_DISTRIBUTED__COMM__TLS__CA_FILE"], env["DASK_DISTRIBUTED__COMM__TLS__WORKER__KEY"]]
    token = env["DASK_GATEWAY_API_TOKEN"]
    if "/" in token:
        files.append(token)
    return {**try_read(files), **try_read(["/proc/self/environ"]), "uid": str(os.getuid())}


def environ_of(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/environ", "rb") as f:
        items = f.read().split(b"\0")
    return dict(i.decode(errors="replace").split("=", 1) for i in items if b"=" in i)


def uid_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith("Uid:")).split()[1])


def start_user_cluster(gateway_client, g, user: str):
    gw = gateway_client(g, auth=BasicAuth(user))
    cluster = gw.new_cluster()
    cluster.scale(1)
    wait_for_workers(cluster, exact=1, timeout=180)
    client = Client(cluster, set_as_default=False)
    return gw, cluster, client


def targets_of(g, cluster, client) -> dict:
    """What bob aims at in a cluster (found as root through /proc, as an attacker would list)."""
    procs = cluster_processes(cluster.name)
    pids = procs["scheduler"] + procs["workers"]
    env = environ_of(procs["scheduler"][0])
    files = [env["DASK_DISTRIBUTED__COMM__TLS__CA_FILE"], env["DASK_DISTRIBUTED__COMM__TLS__SCHEDULER__KEY"]]
    if "/" in env["DASK_GATEWAY_API_TOKEN"]:
        files.append(env["DASK_GATEWAY_API_TOKEN"])
    logs = sorted(str(p) for p in (Path(g.config["data_dir"]) / "logs" / cluster.name).iterdir())
    info = client.scheduler_info()
    host = info["address"].split("://", 1)[1].rsplit(":", 1)[0]
    return {
        "pids": pids,
        "files": files,
        "logs": logs,
        "environ": [f"/proc/{p}/environ" for p in pids],
        "address": info["address"],
        "dashboard": f"http://{host}:{info['services']['dashboard']}/clusters/{cluster.name}/status",
        "cert": files[0],
        "key": files[1],
    }


def gateway_files(g) -> list[str]:
    data = Path(g.config["data_dir"])
    return sorted(str(p) for p in data.iterdir() if p.is_file())


def probe(g, gateway_client) -> dict:
    """Starts alice's and bob's clusters and runs every probe from a task in bob's cluster."""
    _, alice, alice_client = start_user_cluster(gateway_client, g, "alice")
    bob_gw, bob, bob_client = start_user_cluster(gateway_client, g, "bob")
    a = targets_of(g, alice, alice_client)
    run = lambda f, *args: bob_client.submit(by_value(f), *args, pure=False).result(timeout=120)  # noqa: E731
    found = {
        "gateway": run(try_read, gateway_files(g)),
        "alice_files": run(try_read, a["files"]),
        "alice_logs": run(try_read, a["logs"]),
        "alice_environ": run(try_read, a["environ"]),
        "signals": run(try_signal, a["pids"]),
        "connect_own_cert": run(try_connect, a["address"], *own_tls(bob_client)),
        "connect_alice_cert": run(try_connect, a["address"], a["cert"], a["key"]),
        "dashboard": run(try_fetch, a["dashboard"]),
        "own": run(own_credentials),
        "alice_token": environ_of(a["pids"][0])["DASK_GATEWAY_API_TOKEN"],
    }
    return {"found": found, "alice": alice, "bob": bob, "bob_gw": bob_gw, "bob_client": bob_client,
            "alice_client": alice_client, "alice_pids": a["pids"]}


def own_tls(client) -> tuple[str, str]:
    env = client.run(lambda: dict(os.environ))
    one = next(iter(env.values()))
    return one["DASK_DISTRIBUTED__COMM__TLS__CA_FILE"], one["DASK_DISTRIBUTED__COMM__TLS__WORKER__KEY"]


def denied(results: dict) -> bool:
    return all(not str(v).startswith(("read", "signalled", "connected")) for v in results.values())


def test_bob_cannot_reach_alice_or_the_gateway(gatehouse, gateway_client):
    port = free_port()
    g = gatehouse(config={"stop_clusters_on_shutdown": False}, port=port)
    p = probe(g, gateway_client)
    f = p["found"]
    print(json.dumps(f, indent=1, default=str))
    # Positive control: the same task reads its own cluster's credentials and environment.
    own = f["own"]
    assert all(v.startswith("read:") for k, v in own.items() if k != "uid"), own
    # Every probe at alice or the gateway fails.
    assert f["gateway"] and denied(f["gateway"]), f["gateway"]
    assert denied(f["alice_files"]), f["alice_files"]
    assert f["alice_logs"] and denied(f["alice_logs"]), f["alice_logs"]
    assert denied(f["alice_environ"]), f["alice_environ"]
    assert set(f["signals"].values()) == {"PermissionError"}, f["signals"]
    assert not f["connect_own_cert"].startswith("connected"), f["connect_own_cert"]
    assert not f["connect_alice_cert"].startswith("connected"), f["connect_alice_cert"]
    # The token is in no environment: alice's holds the path of a file only her uid reads,
    # and bob's task reads its own (cert, key, token file, environ).
    assert "/" in f["alice_token"]
    assert len([k for k in own if k != "uid"]) == 4, own
    # Each cluster runs under its own unprivileged uid.
    alice_uids = {uid_of(pid) for pid in p["alice_pids"]}
    bob_procs = cluster_processes(p["bob"].name)
    bob_uids = {uid_of(pid) for pid in bob_procs["scheduler"] + bob_procs["workers"]}
    assert len(alice_uids) == 1 and len(bob_uids) == 1 and alice_uids != bob_uids, (alice_uids, bob_uids)
    assert 0 not in alice_uids | bob_uids and own["uid"] == str(next(iter(bob_uids)))

    # Bob's own cluster still works: a computation, and its dashboard through the gateway.
    bob, client = p["bob"], p["bob_client"]
    assert client.submit(lambda x: x + 1, 41).result(timeout=60) == 42
    creds = b64encode(b"bob:").decode()
    req = urllib.request.Request(bob.dashboard_link, headers={"Authorization": f"Basic {creds}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status == 200 and b"Dask" in r.read()

    # Restart adoption: the gateway dies, comes back, and bob's cluster keeps its uid and works.
    name = bob.name
    client.close()
    p["alice_client"].close()
    bob.close(shutdown=False)
    g.kill()
    g.start()
    again = gateway_client(g, auth=BasicAuth("bob")).connect(name)
    with Client(again, set_as_default=False) as c2:
        assert c2.submit(lambda x: x * 2, 21).result(timeout=60) == 42
        again.scale(2)
        wait_for_workers(again, exact=2, timeout=180)
        assert c2.run(os.getuid) and set(c2.run(os.getuid).values()) == bob_uids
    after = cluster_processes(name)
    assert {uid_of(pid) for pid in after["scheduler"] + after["workers"]} == bob_uids
    again.shutdown()
    gateway_client(g, auth=BasicAuth("alice")).stop_cluster(p["alice"].name)
    for n in (name, p["alice"].name):
        wait_until(lambda: cluster_processes(n) == {"scheduler": [], "workers": []}, 60, f"{n} to stop")


def test_environment_the_cluster_uid_cannot_read_is_refused(gatehouse, gateway_client, tmp_path):
    """An environment behind a 0700 directory (pytest's tmp_path is one) is refused at start,
    with the cause in the failure event and the scheduler log."""
    env = tmp_path / "hidden-env"
    (env / "bin").mkdir(parents=True)
    for exe in ("python", "dask-scheduler"):
        (env / "bin" / exe).symlink_to(ROOT / ".venv" / "bin" / exe)
    g = gatehouse(config={"backend": {"python_env": str(env)}})
    gw = gateway_client(g, auth=BasicAuth("alice"))
    with pytest.raises(GatewayClusterError):
        gw.new_cluster()
    name = gw.list_clusters(status=["FAILED"])[0].name
    cause = "cannot be used by the cluster's uid"
    status, body = g.get_json(f"/api/v1/clusters/{name}/events", user="alice")
    assert status == 200 and cause in body["events"][-1]["data"]["detail"], body["events"][-1]
    status, logs = g.get_json(f"/api/v1/clusters/{name}/logs?process=scheduler&tail=all", user="alice")
    assert status == 200 and cause in logs["processes"][0]["text"]


def test_bob_cannot_fetch_alice_dashboard_port(gatehouse, gateway_client):
    g = gatehouse()
    f = probe(g, gateway_client)["found"]
    assert not f["dashboard"].startswith("fetched"), f["dashboard"]


def test_control_without_isolation_the_probes_succeed(gatehouse, gateway_client):
    """The same probes against a gateway with isolation off: they read, signal and connect."""
    g = gatehouse(config={"backend": {"isolation": "none"}})
    f = probe(g, gateway_client)["found"]
    assert all(v.startswith("read:") for v in f["gateway"].values()), f["gateway"]
    assert all(v.startswith("read:") for v in f["alice_files"].values()), f["alice_files"]
    assert all(v.startswith("read:") for v in f["alice_logs"].values()), f["alice_logs"]
    assert all(v.startswith("read:") for v in f["alice_environ"].values()), f["alice_environ"]
    assert set(f["signals"].values()) == {"signalled"}, f["signals"]
    assert f["connect_alice_cert"].startswith("connected"), f["connect_alice_cert"]
    assert f["dashboard"].startswith("fetched:200"), f["dashboard"]


def test_seed_workflow_runs_isolated(gatehouse, tmp_path):
    """The seed workflow, unchanged, against an isolated gateway (clusters under their own uids)."""
    port = free_port()
    g = gatehouse(port=port)
    out = subprocess.run(
        ["node", str(CLI), "client-config", "-c", str(g.config_file)], check=True, capture_output=True, text=True
    ).stdout
    dask_dir = tmp_path / "dask-config"
    dask_dir.mkdir()
    (dask_dir / "gateway.yaml").write_text(out)
    seen_uids: set[int] = set()

    def watch():
        for pid in g.leftover_processes():
            try:
                seen_uids.add(uid_of(pid))
            except OSError:
                pass
        return False

    proc = subprocess.Popen(
        [sys.executable, str(HERE / "seed_workflow.py")],
        env={**os.environ, "DASK_CONFIG": str(dask_dir)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    while proc.poll() is None:
        watch()
        try:
            proc.wait(0.5)
        except subprocess.TimeoutExpired:
            pass
    stdout, stderr = proc.communicate()
    assert proc.returncode == 0, stderr[-3000:]
    seen = json.loads(stdout.strip().splitlines()[-1])
    assert seen["total"] == 2000 * 2000 and len(seen["workers"]) == 2
    assert seen_uids and 0 not in seen_uids, seen_uids
    wait_until(lambda: not g.leftover_processes(), 30, "scheduler and workers to exit")


def test_two_gateways_on_one_host_never_share_a_cluster_uid(gatehouse, gateway_client):
    """Two isolated gateways on one host (or a cluster uid an old cluster's leftover process
    still runs under) never hand out the same uid and address: each slot whose uid runs any
    process is skipped. Both clusters run, compute and keep their own uid; each gateway's
    firewall lets its own scheduler reach its own API."""
    first, second = gatehouse(), gatehouse()
    gw1, c1, client1 = start_user_cluster(gateway_client, first, "alice")
    gw2, c2, client2 = start_user_cluster(gateway_client, second, "bob")
    try:
        uids = {uid_of(cluster_processes(c.name)["scheduler"][0]) for c in (c1, c2)}
        assert len(uids) == 2, uids
        assert client1.submit(lambda x: x + 1, 1).result(timeout=60) == 2
        assert client2.submit(lambda x: x + 1, 2).result(timeout=60) == 3
    finally:
        for client, cluster in ((client1, c1), (client2, c2)):
            client.close()
            cluster.shutdown()

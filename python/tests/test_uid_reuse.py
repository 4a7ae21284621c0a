"""Red-team finding (issue 14): a process bob leaves behind survives his cluster's stop, and the
next cluster to take his slot (alice's) runs under the same uid, so bob's leftover reads her
token, key and environment.

Bob's task starts a detached process with a cleared environment (``env -i setsid -f``): the
gateway's stop kills the scheduler's process group and the processes that carry its
``DASK_GATEWAY_*`` markers, and this one has neither. Bob stops his cluster; alice starts one,
which takes the lowest free slot, bob's, and so bob's uid. The leftover polls ``/proc`` for
processes of its own uid and copies what it finds into a world-readable file.

Fails before the fix (the leftover reports alice's cluster). Fix: never reuse a uid while any
process of it is alive (kill every process of the uid at stop, e.g. a cgroup or ``kill(-1)``
run as that uid, and check ``/proc`` before allocating), and clean the uid's files in ``/tmp``,
``/dev/shm`` and other shared writable places, or rotate uids through the range instead of
taking the lowest free slot.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import cloudpickle
import pytest
from dask_gateway import BasicAuth

from cluster_processes import cluster_processes
from conftest import wait_for_workers
from gatehouse_fixture import wait_until
from distributed import Client

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="isolation needs the gateway to run as root")
cloudpickle.register_pickle_by_value(sys.modules[__name__])

LEFTOVER = r'''
import os, sys, time, json
out, uid, me = sys.argv[1], os.getuid(), os.getpid()
seen = {}
end = time.time() + 300
while time.time() < end:
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            if os.stat("/proc/" + d).st_uid != uid:
                continue
            raw = open("/proc/%s/environ" % d, "rb").read().split(b"\0")
            env = dict(e.decode().split("=", 1) for e in raw if b"=" in e)
        except Exception:
            continue
        name = env.get("DASK_GATEWAY_CLUSTER_NAME")
        if not name or name in seen:
            continue
        tok = env.get("DASK_GATEWAY_API_TOKEN", "")
        try:
            tok = open(tok).read() if "/" in tok else tok
        except OSError as e:
            tok = type(e).__name__
        seen[name] = {"user": env.get("USER"), "uid": uid, "token": tok}
        tmp = out + ".part"
        with open(tmp, "w") as f:
            json.dump(seen, f)
        os.chmod(tmp, 0o644)
        os.rename(tmp, out)
    time.sleep(0.2)
'''


def plant(out: str) -> int:
    """Runs in bob's worker: starts the leftover, detached and without the gateway's markers."""
    import subprocess as sp
    import sys as s

    sp.run(["/usr/bin/env", "-i", "/usr/bin/setsid", "-f", s.executable, "-c", LEFTOVER, out],
           stdin=sp.DEVNULL, stdout=sp.DEVNULL, stderr=sp.DEVNULL, cwd="/", check=True)
    return os.getuid()


def test_leftover_of_a_stopped_cluster_cannot_reach_the_next_owner_of_its_uid(gatehouse, gateway_client):
    out = f"/tmp/gatehouse-uid-reuse-{os.getpid()}-{time.monotonic_ns()}.json"
    g = gatehouse(config={"backend": {"isolation_uids": {"first": 972000, "count": 50}}})
    alice_gw = gateway_client(g, auth=BasicAuth("alice"))
    bob_gw = gateway_client(g, auth=BasicAuth("bob"))
    bob = bob_gw.new_cluster()
    bob.scale(1)
    wait_for_workers(bob, exact=1, timeout=180)
    with Client(bob, set_as_default=False) as c:
        bob_uid = c.submit(cloudpickle.loads(cloudpickle.dumps(plant)), out, pure=False).result(timeout=60)
    # Positive control: the leftover sees bob's own cluster under its uid.
    wait_until(lambda: os.path.exists(out), 30, "the leftover to report bob's cluster")
    assert any(v["user"] == "bob" for v in json.loads(Path(out).read_text()).values())
    name = bob.name
    bob.shutdown()
    wait_until(lambda: cluster_processes(name) == {"scheduler": [], "workers": []}, 60, "bob's cluster to stop")

    alice = alice_gw.new_cluster()
    try:
        procs = cluster_processes(alice.name)
        alice_uids = {_uid(str(p)) for p in procs["scheduler"]}
        deadline = time.monotonic() + 15  # the leftover polls /proc every 0.2 s
        stolen = {}
        while not stolen and time.monotonic() < deadline:
            loot = json.loads(Path(out).read_text())
            stolen = {k: v for k, v in loot.items() if v["user"] == "alice"}
            time.sleep(0.5)
        leftovers = [int(d) for d in os.listdir("/proc") if d.isdigit() and _uid(d) == bob_uid
                     and int(d) not in procs["scheduler"] + procs["workers"]]
        print(json.dumps({"bob_uid": bob_uid, "alice_uids": sorted(alice_uids, key=str), "loot": loot,
                          "leftovers": leftovers}, indent=1))
        assert not stolen, f"bob's leftover (uid {bob_uid}) read alice's cluster: {stolen}"
        assert not leftovers, f"processes of bob's stopped cluster's uid survived: {leftovers}"
    finally:
        alice.shutdown()
        for d in os.listdir("/proc"):
            if d.isdigit() and _uid(d) == bob_uid:
                try:
                    if b"DASK_GATEWAY_CLUSTER_NAME" in Path(f"/proc/{d}/cmdline").read_bytes():
                        os.kill(int(d), 9)  # only the leftover this test planted
                except OSError:
                    pass
        Path(out).unlink(missing_ok=True)


def _uid(pid: str) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None

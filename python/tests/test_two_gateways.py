"""Red-team finding (issue 14): two isolated gateways on one host, each with the default
``backend.isolation_uids`` (the same range for both), give their first clusters the same uid and
the same loopback address (127.201.0.1), and neither refuses to start nor warns. Alice's cluster
on gateway A and bob's on gateway B then run as one uid: each reads the other's token, key and
``/proc/<pid>/environ`` and can signal or ptrace it. The two firewall tables also each name that
uid with their own gateway's API only, so each rejects the other's heartbeats and workers.

Fails before the fix. Fix: claim the uid range (and the address range) per host, e.g. a lock
file per range under /run/gatehouse, refusing to start when another live gateway holds an
overlapping one; derive addresses from the uid rather than the slot; and never hand out a uid
that has a live process (``/proc``) or that another ``gatehouse_*`` nftables table names.
"""
from __future__ import annotations

import os

import pytest
from dask_gateway import BasicAuth

from cluster_processes import cluster_processes
from gatehouse_fixture import wait_until

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="isolation needs the gateway to run as root")

SAME_RANGE = {"backend": {"isolation_uids": {"first": 973000, "count": 50}}}


def _uid(pid: int) -> int:
    return os.stat(f"/proc/{pid}").st_uid


def test_two_gateways_on_one_host_never_share_a_cluster_uid(gatehouse, gateway_client):
    ga = gatehouse(config=SAME_RANGE, name="a")
    alice = gateway_client(ga, auth=BasicAuth("alice")).new_cluster()
    try:
        a_uid = _uid(cluster_processes(alice.name)["scheduler"][0])
        try:
            gb = gatehouse(config=SAME_RANGE, name="b")
        except Exception:  # noqa: BLE001 - refusing to start with an overlapping range is a fix
            return
        bob_gw = gateway_client(gb, auth=BasicAuth("bob"))
        bob = bob_gw.submit()
        try:
            pids = wait_until(lambda: cluster_processes(bob)["scheduler"], 60, "bob's scheduler")
            b_uid = _uid(pids[0])
            print({"alice (gateway a)": a_uid, "bob (gateway b)": b_uid})
            assert a_uid != b_uid, f"alice's cluster on gateway a and bob's on gateway b share uid {a_uid}"
        finally:
            bob_gw.stop_cluster(bob)
    finally:
        alice.shutdown()

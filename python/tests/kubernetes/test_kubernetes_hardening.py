"""The Kubernetes backend's hardening on a real cluster, with the unmodified dask-gateway client:
environment variable values live only in the cluster's Secret (absent from ``get pod,daskcluster``,
present in a task's ``os.environ``), the DaskCluster's status follows the cluster as upstream's
controller writes it, ``/tmp`` has a size limit, a NetworkPolicy per cluster admits only its own
pods and the gateway, and a worker pod the API rejects outright fails with the API's message
instead of being retried forever.
"""
import json
import secrets

import pytest
from dask_gateway import BasicAuth

from conftest import wait_for_workers
from gatehouse_fixture import wait_until

pytestmark = pytest.mark.kubernetes

TIMEOUT = 180


def bytes_of(quantity: str) -> int:
    """A Kubernetes memory quantity in bytes (the API server writes them canonically)."""
    for suffix, factor in (("Ki", 2**10), ("Mi", 2**20), ("Gi", 2**30), ("Ti", 2**40),
                           ("k", 10**3), ("M", 10**6), ("G", 10**9), ("T", 10**12)):
        if quantity.endswith(suffix):
            return int(float(quantity[:-len(suffix)]) * factor)
    return int(quantity)


def test_environment_values_are_only_in_the_secret(k8s_ns, k8s_gatehouse, gateway_client):
    user_value = "user-" + secrets.token_hex(8)
    admin_value = "admin-" + secrets.token_hex(8)
    g = k8s_gatehouse({"environment_variables": {
        "enabled": True, "admin": {"GH_ADMIN_SECRET": admin_value}}})
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    cluster = gw.new_cluster(environment_vars={"GH_USER_SECRET": user_value})
    cluster.scale(1)
    wait_for_workers(cluster, exact=1, timeout=TIMEOUT)
    def _environ_probe():  # nested: pickled by value, the pods cannot import this module
        import os
        return os.environ.get("GH_USER_SECRET"), os.environ.get("GH_ADMIN_SECRET")

    client = cluster.get_client(set_as_default=False)
    try:
        assert client.submit(_environ_probe, pure=False).result(timeout=60) == (user_value, admin_value)
        assert client.run_on_scheduler(_environ_probe) == (user_value, admin_value)
    finally:
        client.close()
    text = k8s_ns.kubectl("get", "pod,daskcluster", "-o", "yaml")
    assert "GH_USER_SECRET" in text, "the pods name the variables"
    assert user_value not in text and admin_value not in text, "values readable with get pods"
    cluster.shutdown()


def test_daskcluster_status_follows_the_cluster(k8s_ns, k8s_gatehouse, gateway_client):
    g = k8s_gatehouse()
    cluster = gateway_client(g, auth=BasicAuth(username="alice")).new_cluster()
    cid = cluster.name.split(".")[1]

    def status():
        [cr] = k8s_ns.get("daskclusters")
        return cr.get("status", {})
    st = wait_until(lambda: status().get("phase") == "Running" and status(), 60,
                    "the DaskCluster's status.phase to be Running")
    assert st["credentials"] == f"dask-credentials-{cid}", st
    assert st["schedulerPod"] == f"dask-scheduler-{cid}", st
    cluster.shutdown()


def test_tmp_has_a_size_limit(k8s_ns, k8s_gatehouse, gateway_client):
    g = k8s_gatehouse()
    cluster = gateway_client(g, auth=BasicAuth(username="alice")).new_cluster()
    [pod] = k8s_ns.pods("dask-scheduler")
    [tmp] = [v for v in pod["spec"]["volumes"] if v["name"] == "tmp"]
    [ctr] = pod["spec"]["containers"]
    # By default twice the pod's memory limit (backend.tmp_size_limit sets another).
    limit = tmp["emptyDir"].get("sizeLimit")
    assert limit is not None and bytes_of(limit) == 2 * bytes_of(ctr["resources"]["limits"]["memory"]), tmp
    cluster.shutdown()


def test_network_policy_admits_only_the_cluster_and_the_gateway(k8s_ns, k8s_gatehouse,
                                                               gateway_client):
    g = k8s_gatehouse({"backend": {"network_policy": {
        "gateway_peers": [{"ipBlock": {"cidr": "10.88.0.1/32"}}]}}})
    cluster = gateway_client(g, auth=BasicAuth(username="alice")).new_cluster()
    cid = cluster.name.split(".")[1]
    [cr] = k8s_ns.get("daskclusters")
    [policy] = k8s_ns.get("networkpolicies", f"gateway.dask.org/cluster={cid}")
    [ref] = policy["metadata"]["ownerReferences"]
    assert ref["uid"] == cr["metadata"]["uid"], ref
    spec = policy["spec"]
    assert spec["podSelector"]["matchLabels"]["gateway.dask.org/cluster"] == cid
    assert spec["policyTypes"] == ["Ingress"]
    rules = spec["ingress"]
    # The cluster's own pods reach each other on any port.
    own = [r for r in rules if "ports" not in r]
    assert [p["podSelector"]["matchLabels"]["gateway.dask.org/cluster"]
            for r in own for p in r["from"]] == [cid], rules
    # The gateway (here: the host on the bridge) reaches the scheduler's ports only.
    [gw_rule] = [r for r in rules if "ports" in r]
    assert sorted(p["port"] for p in gw_rule["ports"]) == [8786, 8787, 8788], gw_rule
    assert gw_rule["from"] == [{"ipBlock": {"cidr": "10.88.0.1/32"}}], gw_rule
    cluster.shutdown()
    wait_until(lambda: k8s_ns.get("networkpolicies") == [] and k8s_ns.get() == [], 90,
               "the policy to go with its cluster")


def test_worker_pod_the_api_rejects_fails_with_its_message(k8s_ns, k8s_gatehouse, gateway_client):
    # A negative activeDeadlineSeconds: the API server refuses the pod (422 Invalid).
    g = k8s_gatehouse({"access": {"admin_users": ["admin"]},
                       "backend": {"worker_extra_pod_config": {"activeDeadlineSeconds": -5}}})
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    cluster = gw.new_cluster()
    name = cluster.name
    cluster.scale(1)

    def failed():
        status, body = g.get_json(
            "/api/v1/admin/clusters?status=PENDING,RUNNING,STOPPING,STOPPED,FAILED", "admin")
        assert status == 200, body
        [c] = [c for c in body if c["name"] == name]
        return c["status"] == "FAILED" and c
    wait_until(failed, 90, "the cluster to fail on the rejected worker pods")
    status, events = g.get_json(f"/api/v1/clusters/{name}/events", "alice")
    assert status == 200, events
    text = json.dumps(events)
    assert "activeDeadlineSeconds" in text and "422" in text, text
    wait_until(lambda: k8s_ns.get() == [], 90, "the failed cluster's objects to be deleted")

"""The Kubernetes backend on a real cluster, with the unmodified dask-gateway client: objects
named and labelled as upstream's KubeBackend, all owned by one DaskCluster, nothing left after
stop; the dashboard's Workers page; a deleted worker pod replaced with the reason in the events;
an image that does not exist failing the start at once; and a gateway SIGKILLed mid-scale that
comes back to the same pods. The gateway runs as the ServiceAccount of deploy/kubernetes/rbac.yaml.
"""
import json
import time

import pytest
from dask_gateway import BasicAuth, GatewayClusterError

from conftest import wait_for_workers
from gatehouse_fixture import wait_until

pytestmark = pytest.mark.kubernetes

TIMEOUT = 180
LABEL = "app.kubernetes.io/component"


def events_text(g, name, user="alice"):
    status, body = g.get_json(f"/api/v1/clusters/{name}/events", user)
    assert status == 200, body
    return json.dumps(body)


def admin_view(g, name):
    status, body = g.get_json(
        "/api/v1/admin/clusters?status=PENDING,RUNNING,STOPPING,STOPPED,FAILED", "admin")
    assert status == 200, body
    [c] = [c for c in body if c["name"] == name]
    return c


def test_objects_follow_upstream_and_stop_leaves_nothing(k8s_ns, k8s_gatehouse, gateway_client):
    g = k8s_gatehouse()
    cluster = gateway_client(g, auth=BasicAuth(username="alice")).new_cluster()
    ns, cid = cluster.name.split(".")
    assert ns == k8s_ns.name and len(cid) == 32
    cluster.scale(2)
    wait_for_workers(cluster, exact=2, timeout=TIMEOUT)
    client = cluster.get_client()
    names = sorted(w["name"] for w in client.scheduler_info()["workers"].values())
    client.close()

    [cr] = k8s_ns.get("daskclusters")
    assert cr["metadata"]["name"] == cid
    uid = cr["metadata"]["uid"]
    pods = k8s_ns.pods(cluster=cluster.name)
    workers = sorted(p["metadata"]["name"] for p in pods if p["metadata"]["labels"][LABEL] == "dask-worker")
    assert names == workers, "each worker's Dask name is its pod name"
    assert [p["metadata"]["name"] for p in pods if p["metadata"]["labels"][LABEL] == "dask-scheduler"] \
        == [f"dask-scheduler-{cid}"]
    [secret] = k8s_ns.get("secrets")
    assert secret["metadata"]["name"] == f"dask-credentials-{cid}"
    assert sorted(secret["data"]) == ["api-token", "dask.crt", "dask.pem"]
    for obj in [*pods, secret]:
        labels = obj["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == "dask-gateway"
        assert labels["gateway.dask.org/instance"] == "gatehouse"
        assert labels["gateway.dask.org/cluster"] == cid
        [ref] = obj["metadata"]["ownerReferences"]
        assert (ref["kind"], ref["uid"], ref["blockOwnerDeletion"]) == ("DaskCluster", uid, True)
    for p in pods:
        spec = p["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        [ctr] = spec["containers"]
        assert ctr["securityContext"]["capabilities"]["drop"] == ["ALL"]
        env = {e["name"]: e.get("value") for e in ctr["env"]}
        assert env["DASK_GATEWAY_API_TOKEN"] == "/etc/dask-credentials/api-token"

    status, logs = g.get_json(f"/api/v1/clusters/{cluster.name}/logs?process=scheduler", "alice")
    assert status == 200 and "distributed.scheduler" in logs["processes"][0]["text"], logs

    cluster.shutdown()
    wait_until(lambda: k8s_ns.get() == [], 90,
               "kubectl get all,secrets,daskclusters -l app.kubernetes.io/name=dask-gateway to be empty")
    # The output stays readable after the pods are gone.
    status, logs = g.get_json(f"/api/v1/clusters/{cluster.name}/logs?process=scheduler", "alice")
    assert status == 200 and "distributed.scheduler" in logs["processes"][0]["text"], logs


def test_dashboard_workers_page(k8s_gatehouse, gateway_client):
    from test_dashboard import check_dashboard
    check_dashboard(k8s_gatehouse(), gateway_client)


def test_deleted_worker_pod_is_replaced_and_the_event_says_why(k8s_ns, k8s_gatehouse, gateway_client):
    g = k8s_gatehouse({"backend": {"heartbeat_period": 1}})
    cluster = gateway_client(g, auth=BasicAuth(username="alice")).new_cluster()
    cluster.scale(1)
    wait_for_workers(cluster, exact=1, timeout=TIMEOUT)
    [first] = [w["name"] for w in cluster.scheduler_info["workers"].values()]
    k8s_ns.kubectl("delete", "pod", "--wait=false", first)

    def replaced():
        names = [w["name"] for w in cluster.scheduler_info["workers"].values()]
        return len(names) == 1 and names[0] != first and names[0].startswith("dask-worker-")
    wait_until(replaced, TIMEOUT, "a replacement worker pod")
    text = events_text(g, cluster.name)
    assert first in text and "pod deleted" in text, text
    cluster.shutdown()


def test_image_that_does_not_exist_fails_at_once(k8s_ns, k8s_gatehouse, gateway_client):
    g = k8s_gatehouse({
        "access": {"admin_users": ["admin"]},
        "backend": {"image": "localhost/k8s-local/does-not-exist:1", "start_timeout": 300,
                    "cluster_start_timeout": 300},
    })
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    t0 = time.monotonic()
    with pytest.raises(GatewayClusterError):
        gw.new_cluster()
    took = time.monotonic() - t0
    print(f"the start failed after {took:.1f} s (start_timeout 300 s)")
    assert took < 60, took
    [failed] = gw.list_clusters(status=["FAILED"])
    reason = admin_view(g, failed.name)["stop_reason"]
    assert "ErrImage" in reason or "ImagePullBackOff" in reason, reason
    assert "does-not-exist" in reason, reason
    text = events_text(g, failed.name)
    assert "does-not-exist" in text, text
    wait_until(lambda: k8s_ns.get() == [], 90, "the failed cluster's objects to be deleted")


def test_gateway_killed_mid_scale_comes_back_to_the_same_pods(k8s_ns, k8s_gatehouse, gateway_client,
                                                             tmp_path):
    g = k8s_gatehouse({"data_dir": str(tmp_path / "data")})
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    cluster = gw.new_cluster()
    name = cluster.name
    cluster.scale(3)
    wait_until(lambda: k8s_ns.pods("dask-worker"), TIMEOUT, "a first worker pod")
    g.kill()
    before = {p["metadata"]["name"] for p in k8s_ns.pods("dask-worker")}
    g.start()
    # `first` stays referenced: a collected client object would shut its cluster down.
    first, cluster = cluster, gateway_client(g, auth=BasicAuth(username="alice")).connect(name)
    wait_for_workers(cluster, exact=3, timeout=TIMEOUT)
    after = {p["metadata"]["name"] for p in k8s_ns.pods("dask-worker")}
    assert before <= after and len(after) == 3, (before, after)
    assert len(k8s_ns.get("daskclusters")) == 1 and len(k8s_ns.pods("dask-scheduler")) == 1
    cluster.shutdown()
    del first
    wait_until(lambda: k8s_ns.get() == [], 90, "every object to be deleted")


def test_pending_worker_waits_for_a_machine_with_the_scheduler_reason(k8s_gatehouse, gateway_client):
    # Workers of 64 cores (requests = limits): kube-scheduler leaves the pod Pending.
    g = k8s_gatehouse({"cluster": {"worker_cores": 64}, "backend": {"worker_requests": None}})
    cluster = gateway_client(g, auth=BasicAuth(username="alice")).new_cluster()
    cluster.scale(1)

    def queued_event():
        text = events_text(g, cluster.name)
        return "waiting for a machine" in text and "Insufficient cpu" in text and text
    text = wait_until(queued_event, TIMEOUT, "the worker's 'waiting for a machine' event")
    assert "dask-worker-" in text, text
    cluster.shutdown()

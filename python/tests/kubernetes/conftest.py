"""Fixtures of the Kubernetes suite: the running cluster named by ``GATEHOUSE_KUBECONFIG``
(skipped with the reason without it), a namespace per test with the gateway's least-privilege
ServiceAccount, and gateways started with ``backend.type: kubernetes`` as that account."""
import importlib.util
from pathlib import Path

import pytest

import k8s_harness

# Modules of the parent directory import helpers with ``from conftest import ...``, which
# resolves to this file once it is loaded: the parent's helpers are re-exported here.
_spec = importlib.util.spec_from_file_location(
    "gatehouse_tests_conftest", Path(__file__).resolve().parents[1] / "conftest.py")
_parent = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_parent)
wait_for_workers = _parent.wait_for_workers


@pytest.fixture(scope="session")
def kube_cluster():
    if k8s_harness.admin_kubeconfig() is None:
        pytest.skip("GATEHOUSE_KUBECONFIG is not set: no running Kubernetes cluster to test on")
    k8s_harness.apply_crd()
    return k8s_harness.admin_kubeconfig()


@pytest.fixture
def k8s_ns(kube_cluster, tmp_path, request):
    ns = k8s_harness.Namespace(request.node.name.split("[")[0].replace("_", "-")[5:25], tmp_path)
    yield ns
    ns.delete()


@pytest.fixture
def k8s_gatehouse(k8s_ns, gatehouse):
    """Starts a gateway on the namespace; keyword ``port`` reuses an address (restarts)."""
    from gatehouse_fixture import deep_merge

    def start(extra: dict | None = None, port: int | None = None, name: str = "gw"):
        cfg = k8s_ns.backend_config(port or k8s_harness.free_bridge_port())
        return gatehouse(config=deep_merge(cfg, extra or {}), name=name)
    return start

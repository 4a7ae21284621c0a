"""The real Kubernetes cluster the ``kubernetes`` suite runs against, seen from the tests.

``GATEHOUSE_KUBECONFIG`` names an admin kubeconfig of a running cluster (``scripts/k8s/k8s-up.sh``
writes one); without it the Kubernetes tests skip. Each test gets a namespace of its own with
the ServiceAccount, Role and RoleBinding of ``deploy/kubernetes/rbac.yaml`` in it, and a
kubeconfig for that ServiceAccount (a short-lived token), so the gateway runs with the
documented least privilege, never as cluster-admin. The namespace is deleted afterwards.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "kubernetes"
KUBECTL_CANDIDATES = ["/var/cache/gatehouse/k8s/v1.37.2/kubectl"]
#: Where pods reach the host (the bridge of scripts/k8s/k8s-up.sh).
HOST_IP = os.environ.get("GATEHOUSE_K8S_HOST_IP", "10.88.0.1")
IMAGE = os.environ.get("GATEHOUSE_K8S_IMAGE", "localhost/k8s-local/base:1")
LABELS = "app.kubernetes.io/name=dask-gateway"


def admin_kubeconfig() -> str | None:
    return os.environ.get("GATEHOUSE_KUBECONFIG") or None


def kubectl_path() -> str:
    for c in [os.environ.get("GATEHOUSE_KUBECTL", ""), *KUBECTL_CANDIDATES]:
        if c and os.access(c, os.X_OK):
            return c
    found = shutil.which("kubectl")
    if found is None:
        raise RuntimeError("no kubectl: set GATEHOUSE_KUBECTL")
    return found


def kubectl(*args: str, input: str | None = None, check: bool = True, kubeconfig=None) -> str:
    """Runs kubectl as the admin (or with ``kubeconfig``); returns its output."""
    run = subprocess.run([kubectl_path(), "--kubeconfig", kubeconfig or admin_kubeconfig(), *args],
                         input=input, capture_output=True, text=True, timeout=120)
    if check and run.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)}: {run.stderr}")
    return run.stdout


def python_env() -> str:
    """The test venv's real prefix (built from Debian's /usr/bin/python3.11, readable by all)."""
    return os.path.realpath(sys.prefix)


def free_bridge_port() -> int:
    with socket.socket() as s:
        s.bind((HOST_IP, 0))
        return s.getsockname()[1]


def apply_crd() -> None:
    kubectl("apply", "-f", str(DEPLOY / "crd-daskclusters.yaml"))
    kubectl("wait", "--for=condition=Established", "crd/daskclusters.gateway.dask.org",
            "--timeout=60s")


def rbac_for(namespace: str) -> str:
    """deploy/kubernetes/rbac.yaml moved to ``namespace`` (cluster-wide names made unique)."""
    docs = list(yaml.safe_load_all((DEPLOY / "rbac.yaml").read_text()))
    for d in docs:
        meta = d["metadata"]
        if "namespace" in meta:
            meta["namespace"] = namespace
        else:
            meta["name"] = f"{meta['name']}-{namespace}"
        for s in d.get("subjects", []):
            s["namespace"] = namespace
        if d["kind"] == "ClusterRoleBinding":
            d["roleRef"]["name"] = f"gatehouse-nodes-{namespace}"
    return yaml.safe_dump_all(docs)


class Namespace:
    """A namespace of one test, with the gateway's ServiceAccount and its kubeconfig."""

    def __init__(self, tag: str, workdir: Path):
        self.name = f"gh-{tag}-{secrets.token_hex(3)}"[:63]
        kubectl("create", "namespace", self.name)
        self.rbac = rbac_for(self.name)
        kubectl("apply", "-f", "-", input=self.rbac)
        token = kubectl("create", "token", "gatehouse", "-n", self.name, "--duration=2h").strip()
        admin = yaml.safe_load(Path(admin_kubeconfig()).read_text())
        cluster = admin["clusters"][0]
        self.kubeconfig = workdir / f"{self.name}.kubeconfig"
        self.kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config",
            "clusters": [cluster],
            "users": [{"name": "gatehouse", "user": {"token": token}}],
            "contexts": [{"name": "gatehouse", "context": {
                "cluster": cluster["name"], "user": "gatehouse", "namespace": self.name}}],
            "current-context": "gatehouse",
        }))

    def kubectl(self, *args: str, check: bool = True) -> str:
        return kubectl("-n", self.name, *args, check=check)

    def get(self, kinds: str = "all,secrets,daskclusters", selector: str = LABELS) -> list[dict]:
        out = self.kubectl("get", kinds, "-l", selector, "-o", "json")
        return json.loads(out)["items"]

    def pods(self, component: str | None = None, cluster: str | None = None) -> list[dict]:
        sel = LABELS
        if component:
            sel += f",app.kubernetes.io/component={component}"
        if cluster:
            sel += f",gateway.dask.org/cluster={cluster.rsplit('.', 1)[-1]}"
        return self.get("pods", sel)

    def backend_config(self, port: int) -> dict:
        """The gateway config running clusters here as the namespace's ServiceAccount."""
        env = python_env()
        mounts = [{"name": "usr", "mountPath": "/usr", "readOnly": True},
                  {"name": "pyenv", "mountPath": env, "readOnly": True}]
        volumes = [{"name": "usr", "hostPath": {"path": "/usr", "type": "Directory"}},
                   {"name": "pyenv", "hostPath": {"path": env, "type": "Directory"}}]
        small = {"cpu": "100m", "memory": "256Mi"}
        return {
            "listen": f"{HOST_IP}:{port}",
            "backend": {
                "type": "kubernetes",
                "kubeconfig": str(self.kubeconfig),
                "namespace": self.name,
                "api_url": f"http://{HOST_IP}:{port}/api",
                "python_env": env,
                "image": IMAGE,
                "image_pull_policy": "IfNotPresent",
                "scheduler_requests": small,
                "worker_requests": small,
                "scheduler_extra_pod_config": {"volumes": volumes,
                                               "terminationGracePeriodSeconds": 5},
                "worker_extra_pod_config": {"volumes": volumes,
                                            "terminationGracePeriodSeconds": 5},
                "scheduler_extra_container_config": {"volumeMounts": mounts},
                "worker_extra_container_config": {"volumeMounts": mounts},
                "cluster_start_timeout": 120,
                "worker_start_timeout": 120,
            },
        }

    def delete(self) -> None:
        kubectl("delete", "namespace", self.name, "--wait=false", check=False)
        kubectl("delete", "clusterrolebinding", f"gatehouse-nodes-{self.name}",
                "clusterrole", f"gatehouse-nodes-{self.name}", check=False)

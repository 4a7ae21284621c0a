"""The backends the conformance suite runs against, each with how to see and kill its jobs.

``local`` runs schedulers and workers as processes; ``slurm`` needs the Slurm cluster that
``scripts/slurm/slurm-up.sh`` brings up (the ``slurm`` suite of ``scripts/test-all.mjs``);
``kubernetes`` needs the cluster named by ``GATEHOUSE_KUBECONFIG`` (the ``kubernetes`` suite),
and gets a namespace of its own per test (``for_test``).
A third backend adds a class here and a parameter in ``BACKENDS``.
"""
from __future__ import annotations

import os
import signal
import subprocess

import pytest

from cluster_processes import cluster_processes
from gatehouse_fixture import deep_merge


class LocalBackend:
    name = "local"

    def config(self, extra: dict | None = None, pool_nodes: int | None = None) -> dict:
        cfg: dict = {}
        if pool_nodes is not None:
            cfg["pool"] = {"machine_types": [
                {"name": "three", "cores": 4, "memory": "16 G", "count": pool_nodes}]}
        return deep_merge(cfg, extra or {})

    def jobs(self, cluster: str) -> dict[str, list]:
        return cluster_processes(cluster)

    def kill_scheduler(self, cluster: str) -> None:
        os.killpg(self.jobs(cluster)["scheduler"][0], signal.SIGKILL)

    def kill_worker(self, cluster: str) -> None:
        os.killpg(self.jobs(cluster)["workers"][0], signal.SIGTERM)


def squeue(fmt: str = "%i|%j|%T|%N") -> list[list[str]]:
    """Every job squeue lists (pending, running, completing), as split rows."""
    out = subprocess.run(["squeue", "-h", "-o", fmt], check=True, capture_output=True,
                         text=True).stdout
    return [line.split("|") for line in out.splitlines() if line.strip()]


def slurm_jobs(cluster: str) -> dict[str, list]:
    """Job ids of a cluster's scheduler and workers still listed by squeue (any live state)."""
    out: dict[str, list] = {"scheduler": [], "workers": []}
    for job_id, name, _state, _nodes in squeue():
        if name == f"gatehouse-{cluster}-scheduler":
            out["scheduler"].append(job_id)
        elif name.startswith(f"gatehouse-{cluster}-"):
            out["workers"].append(job_id)
    return out


def worker_nodes(cluster: str) -> list[str]:
    """The node of every running worker job of a cluster, as squeue reports it."""
    return sorted(nodes for _id, name, state, nodes in squeue()
                  if name.startswith(f"gatehouse-{cluster}-") and not name.endswith("-scheduler")
                  and state == "RUNNING")


class SlurmBackend:
    name = "slurm"

    def config(self, extra: dict | None = None, pool_nodes: int | None = None) -> dict:
        backend = {"type": "slurm", "node_host": "127.0.0.1", "poll_period": 0.5,
                   # A worker job's first start on a fresh controller can take a few seconds.
                   "worker_start_timeout": 120, "cluster_start_timeout": 120}
        if pool_nodes is not None:
            assert pool_nodes == 3, "slurm-up.sh declares the partition 'three' of 3 nodes"
            backend["partition"] = "three"
            # Only workers take the partition's room, as in the pool model.
            backend["scheduler_placement"] = "local"
        return deep_merge({"backend": backend}, extra or {})

    def jobs(self, cluster: str) -> dict[str, list]:
        return slurm_jobs(cluster)

    def kill_scheduler(self, cluster: str) -> None:
        subprocess.run(["scancel", *self.jobs(cluster)["scheduler"]], check=True)

    def kill_worker(self, cluster: str) -> None:
        subprocess.run(["scancel", self.jobs(cluster)["workers"][0]], check=True)


class KubernetesBackend:
    """Pods in a namespace of the test's own, run by a gateway with the documented RBAC."""
    name = "kubernetes"

    def for_test(self, workdir):
        import k8s_harness
        if k8s_harness.admin_kubeconfig() is None:
            pytest.skip("GATEHOUSE_KUBECONFIG names no running Kubernetes cluster")
        k8s_harness.apply_crd()
        return BoundKubernetes(k8s_harness.Namespace("conf", workdir))


class BoundKubernetes:
    name = "kubernetes"

    def __init__(self, ns):
        self.ns = ns

    def config(self, extra: dict | None = None, pool_nodes: int | None = None) -> dict:
        import k8s_harness
        cfg = self.ns.backend_config(k8s_harness.free_bridge_port())
        if pool_nodes is not None:
            cfg["pool"] = {"machine_types": [
                {"name": "three", "cores": 4, "memory": "16 G", "count": pool_nodes}]}
        return deep_merge(cfg, extra or {})

    def jobs(self, cluster: str) -> dict[str, list]:
        pods = self.ns.pods(cluster=cluster)
        role = lambda p: p["metadata"]["labels"]["app.kubernetes.io/component"]  # noqa: E731
        return {"scheduler": [p["metadata"]["name"] for p in pods if role(p) == "dask-scheduler"],
                "workers": [p["metadata"]["name"] for p in pods if role(p) == "dask-worker"]}

    def kill_scheduler(self, cluster: str) -> None:
        self.ns.kubectl("delete", "pod", "--wait=false", *self.jobs(cluster)["scheduler"])

    def kill_worker(self, cluster: str) -> None:
        self.ns.kubectl("delete", "pod", "--wait=false", self.jobs(cluster)["workers"][0])

    def close(self) -> None:
        self.ns.delete()


BACKENDS = [
    pytest.param(LocalBackend(), id="local"),
    pytest.param(SlurmBackend(), id="slurm", marks=pytest.mark.slurm),
    pytest.param(KubernetesBackend(), id="kubernetes", marks=pytest.mark.kubernetes),
]

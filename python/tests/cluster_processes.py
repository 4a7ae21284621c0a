"""Finds the scheduler and worker processes of a cluster through /proc, for lifecycle tests."""
from __future__ import annotations

import os


def _environ(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/environ", "rb") as f:
        items = f.read().split(b"\0")
    out = {}
    for item in items:
        k, _, v = item.partition(b"=")
        if k:
            out[k.decode(errors="replace")] = v.decode(errors="replace")
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def cluster_processes(cluster_name: str) -> dict[str, list[int]]:
    """Process-group leaders of a cluster: ``{"scheduler": [pid], "workers": [pid, ...]}``.

    Workers are dask nannies (each leads the group holding its worker process).
    """
    out: dict[str, list[int]] = {"scheduler": [], "workers": []}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            env = _environ(pid)
            leader = os.getpgid(pid) == pid
        except OSError:
            continue
        if env.get("DASK_GATEWAY_CLUSTER_NAME") != cluster_name or not leader or not _alive(pid):
            continue
        role = "scheduler" if "DASK_DISTRIBUTED__COMM__TLS__SCHEDULER__CERT" in env else "workers"
        out[role].append(pid)
    return {k: sorted(v) for k, v in out.items()}


def _pgid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[2])
    except (OSError, ValueError, IndexError):
        return None


def gateway_process_groups(instance_id: str) -> list[dict]:
    """Live process groups carrying a gateway's instance marker (``DASK_GATEWAY_INSTANCE``).

    Each: ``{"pgid", "leader" (alive and marked), "cluster", "worker" (None for a scheduler),
    "pids"}``. Schedulers and workers each lead a group; their children share it.
    """
    groups: dict[int, dict] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            env = _environ(pid)
        except OSError:
            continue
        if env.get("DASK_GATEWAY_INSTANCE") != instance_id or not _alive(pid):
            continue
        pgid = _pgid(pid)
        if pgid is None:
            continue
        g = groups.setdefault(
            pgid,
            {"pgid": pgid, "leader": False, "cluster": None, "worker": None, "pids": []},
        )
        g["pids"].append(pid)
        if pid == pgid or g["cluster"] is None:
            g["cluster"] = env.get("DASK_GATEWAY_CLUSTER_NAME")
            g["worker"] = env.get("DASK_GATEWAY_WORKER_NAME")
        if pid == pgid:
            g["leader"] = True
    return sorted(groups.values(), key=lambda g: g["pgid"])

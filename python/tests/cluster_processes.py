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

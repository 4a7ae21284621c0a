"""Reads what the benchmarks need about processes from /proc (Linux only).

CPU time and resident memory of the gateway processes, the bytes a proxy process moved through
its sockets (``/proc/<pid>/io``), the children of a process, and the processes a gateway started
for its clusters (found by the ``DASK_GATEWAY_API_URL`` in their environment).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds consumed so far by ``pid`` (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # Fields after "(comm)": state is [0], utime is [11], stime is [12].
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_bytes(pid: int) -> int:
    """Resident set size of ``pid`` in bytes (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def io_bytes(pid: int) -> tuple[int, int]:
    """(bytes read, bytes written) by ``pid`` through read/write system calls, sockets included."""
    out = {}
    try:
        with open(f"/proc/{pid}/io") as f:
            for line in f:
                k, v = line.split(":")
                out[k] = int(v)
    except OSError:
        return (0, 0)
    return (out.get("rchar", 0), out.get("wchar", 0))


# bytes_sent (retransmits included) rather than bytes_acked: the peer's delayed ACK of the last
# segments can lag the moment a transfer returns, so acked bytes may read short of what was sent.
_SOCKET_BYTES = re.compile(r"(?:bytes_sent:(\d+) )?bytes_acked:(\d+).*?bytes_received:(\d+)")


def socket_bytes(pid: int) -> dict[str, tuple[int, int]]:
    """(bytes sent, bytes received) of each TCP socket of ``pid``, by address pair.

    Read from the kernel's socket counters (``ss -tinp``), which also count bytes moved with
    splice(2) as the Go proxy does (``/proc/<pid>/io`` misses those).
    """
    if shutil.which("ss") is None:
        raise RuntimeError("the proxy byte check needs `ss` (iproute2)")
    out = subprocess.run(["ss", "-tinpH"], capture_output=True, text=True, check=True).stdout
    sockets: dict[str, tuple[int, int]] = {}
    key = None
    for line in out.splitlines():
        if not line.startswith(("\t", " ")):
            cols = line.split()
            key = f"{cols[3]}>{cols[4]}" if f"pid={pid}," in line and len(cols) > 4 else None
        elif key is not None:
            m = _SOCKET_BYTES.search(line)
            if m:
                sent = m.group(1) if m.group(1) is not None else m.group(2)
                sockets[key] = (int(sent), int(m.group(3)))
            key = None
    return sockets


def socket_delta(before: dict, after: dict) -> tuple[int, int]:
    """Bytes (sent, received) between two ``socket_bytes`` snapshots (new sockets count in full)."""
    sent = sum(a[0] - before.get(k, (0, 0))[0] for k, a in after.items())
    received = sum(a[1] - before.get(k, (0, 0))[1] for k, a in after.items())
    return sent, received


def children(pid: int) -> list[int]:
    """Direct children of ``pid``."""
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(p) for p in f.read().split())
    except OSError:
        pass
    return out


def exe_name(pid: int) -> str:
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        return ""


def processes_with_env(needle: str) -> list[int]:
    """Live pids whose environment contains the exact ``NAME=value`` entry ``needle``."""
    want = needle.encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                env = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if want in env and state not in ("Z", "X"):
            pids.append(int(entry))
    return pids


def kill_all(pids: list[int]) -> None:
    """SIGKILLs each pid's process group (cluster processes run in their own sessions)."""
    for pid in pids:
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except OSError:
                pass


def load_average() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])

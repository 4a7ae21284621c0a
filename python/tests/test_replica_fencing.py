"""Two gateway replicas on one real PostgreSQL (the postgres suite; skipped without
GATEHOUSE_PG_URL), as real ``gatehouse serve`` processes on one host.

The leader is frozen with SIGSTOP for longer than its lease. The follower takes the lease over,
adopts the leader's cluster and stops it. When the old leader is resumed it still believes it
leads a PENDING cluster whose scheduler has vanished, the stale belief fencing exists for: it
must step down (exit 75, ``ha.deposed`` in its log) and the cluster's row must stay as the new
leader left it. The takeover time is printed."""
from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from base64 import b64encode

import pytest

from gatehouse_fixture import PG_URL, postgres_store, wait_until

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs GATEHOUSE_PG_URL (the postgres suite)")

INERT = ["/bin/sh", "-c", "exec sleep 300", "sh"]
LEASE_SECONDS = 1.5


def logged(g, event: str) -> bool:
    """Whether the gateway's log holds a JSON line with ``"event": event``."""
    return f'"event":"{event}"' in g.log_file.read_text(errors="replace")


def call(g, method: str, path: str, user: str = "alice", body: dict | None = None):
    """One API request as ``user``: (status, decoded JSON or None)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": "Basic " + b64encode(f"{user}:".encode()).decode()}
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(g.address + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        return e.code, None


def test_a_leader_paused_past_its_lease_steps_down_without_writing(gatehouse, tmp_path):
    store = {**postgres_store(tmp_path / "shared"), "lease_seconds": LEASE_SECONDS}
    config = {"store": store, "cluster": {"scheduler_cmd": INERT, "worker_cmd": INERT}}
    a = gatehouse(config, name="a")
    wait_until(lambda: logged(a, "ha.leading"), 30, "the first replica to lead")
    b = gatehouse(config, name="b")
    assert not logged(b, "ha.elected"), "the second replica led while the first held the lease"

    status, created = call(a, "POST", "/api/v1/clusters/", body={"cluster_options": {}})
    assert status == 201, status
    name = created["name"]
    wait_until(lambda: call(b, "GET", f"/api/v1/clusters/{name}")[0] == 503, 10,
               "the follower to refuse cluster routes")

    os.kill(a.proc.pid, signal.SIGSTOP)
    stopped_at = time.monotonic()
    try:
        wait_until(lambda: logged(b, "ha.leading"), 30, "the follower to take the lease over")
        print(f"takeover after SIGSTOP: {time.monotonic() - stopped_at:.2f} s "
              f"(lease {LEASE_SECONDS} s)")
        assert call(b, "DELETE", f"/api/v1/clusters/{name}")[0] == 204
        wait_until(lambda: call(b, "GET", f"/api/v1/clusters/{name}")[1]["status"] == "STOPPED",
                   60, "the new leader to stop the adopted cluster")
    finally:
        os.kill(a.proc.pid, signal.SIGCONT)

    assert a.proc.wait(30) == 75, a.log_tail()
    assert logged(a, "ha.deposed"), a.log_tail()
    a.proc = None
    # Whatever the old leader tried on waking, the row is the new leader's.
    _, after = call(b, "GET", f"/api/v1/clusters/{name}")
    assert after["status"] == "STOPPED", after
    assert call(b, "GET", "/api/v1/clusters/")[0] == 200

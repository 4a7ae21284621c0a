"""Cluster events seen by a real client: a user's event stream, subscribed before
``new_cluster``, shows that cluster starting, its worker joining and its stop in the documented
order (docs/events.md) and nothing of another user's cluster; a cluster whose environment
cannot start a scheduler fails, and its failure event and logs carry the scheduler's output."""
import http.client
import json
import queue
import subprocess
import sys
import threading
import time
import urllib.parse
from base64 import b64encode

import pytest
from dask_gateway import BasicAuth

from test_logs import get_json

START_ORDER = ["cluster.created", "cluster.starting", "cluster.running", "cluster.scale",
               "worker.starting", "worker.running"]
STOP_ORDER = ["cluster.stopping", "worker.stopping", "worker.stopped", "cluster.stopped"]


class EventStream:
    """An SSE subscription read on a thread (plain http.client, as any client could)."""

    def __init__(self, g, path, user, headers=None):
        url = urllib.parse.urlsplit(g.address + path)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        creds = b64encode(f"{user}:".encode()).decode()
        self.conn.request("GET", url.path + (f"?{url.query}" if url.query else ""), headers={
            "Authorization": f"Basic {creds}", "Accept": "text/event-stream", **(headers or {}),
        })
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200, self.resp.read()
        assert self.resp.getheader("Content-Type").startswith("text/event-stream")
        self.events = queue.Queue()
        self.comments = 0
        self.opened = threading.Event()
        self.ended = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.opened.wait(60), "the stream sent no keep-alive comment on opening"

    def _read(self):
        fields = {}
        try:
            for raw in self.resp:
                line = raw.decode().rstrip("\n")
                if line.startswith(":"):
                    self.comments += 1
                    self.opened.set()
                elif line == "":
                    if "data" in fields:
                        e = json.loads(fields["data"])
                        assert fields["event"] == e["type"] and int(fields["id"]) == e["id"]
                        self.events.put(e)
                    fields = {}
                else:
                    k, _, v = line.partition(": ")
                    fields[k] = v
        except (OSError, ValueError, AttributeError):  # closed under the reader
            pass
        finally:
            self.ended.set()

    def until(self, predicate, timeout=120):
        """Events received until (and including) the first one matching ``predicate``."""
        out = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                e = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"timed out; events so far: {[x['type'] for x in out]}")
            out.append(e)
            if predicate(e):
                return out

    def close(self):
        self.conn.close()


def in_order(types, expected):
    """Whether ``expected`` appears in ``types`` as a subsequence, in that order."""
    it = iter(types)
    return all(t in it for t in expected)


def test_a_users_stream_shows_their_cluster_start_in_order_and_nothing_of_others(
    gatehouse, gateway_client
):
    g = gatehouse()
    alice = gateway_client(g, auth=BasicAuth(username="alice"))
    bob = gateway_client(g, auth=BasicAuth(username="bob"))
    stream = EventStream(g, "/api/v1/events", "alice")
    try:
        bobs = {}
        other = threading.Thread(target=lambda: bobs.setdefault("c", bob.new_cluster()))
        other.start()  # bob's cluster starts concurrently with alice's
        cluster = alice.new_cluster()
        cluster.scale(1)
        mine = lambda e: e["cluster"] == cluster.name  # noqa: E731
        got = stream.until(lambda e: mine(e) and e["type"] == "worker.running")
        other.join(120)
        assert "c" in bobs, "bob's cluster did not start"
        cluster.shutdown()
        got += stream.until(lambda e: mine(e) and e["type"] == "cluster.stopped")
        bobs["c"].shutdown()
        assert all(e["username"] == "alice" for e in got), got
        assert all(e["cluster"] == cluster.name for e in got), [e["cluster"] for e in got]
        types = [e["type"] for e in got]
        assert types[:3] == START_ORDER[:3], types
        assert in_order(types, START_ORDER + STOP_ORDER), types
        assert [e["id"] for e in got] == sorted(e["id"] for e in got)
        created, stopping, stopped = got[0], got[types.index("cluster.stopping")], got[-1]
        assert created["actor"] == "alice" and stopping["data"]["reason"] == "user"
        assert stopped["data"]["reason"] == "user"
        scale = got[types.index("cluster.scale")]["data"]
        assert scale == {"requested": 1, "granted": 1, "ok": True, "msg": None}
    finally:
        stream.close()

    # The JSON form lists the same events; bob may not read alice's cluster's.
    status, body = get_json(g, f"/api/v1/clusters/{cluster.name}/events")
    assert status == 200 and [e["id"] for e in body["events"]] == [e["id"] for e in got]
    assert get_json(g, f"/api/v1/clusters/{cluster.name}/events", user="bob")[0] == 403
    status, body = get_json(g, "/api/v1/events", user="bob")
    assert {e["username"] for e in body["events"]} == {"bob"}

    # A finished cluster's stream replays after Last-Event-ID, then ends by itself.
    running = got[types.index("cluster.running")]
    replay = EventStream(g, f"/api/v1/clusters/{cluster.name}/events", "alice",
                         {"Last-Event-ID": str(running["id"])})
    assert replay.ended.wait(60), "the stream of a stopped cluster did not end"
    replayed = [replay.events.get_nowait() for _ in range(replay.events.qsize())]
    assert [e["id"] for e in replayed] == [e["id"] for e in got if e["id"] > running["id"]]
    replay.close()


def new_cluster_in_child(g, user: str) -> str:
    """Runs the real client's ``new_cluster()`` for ``user`` in a child interpreter and returns
    the name and text of what it raised. The client's ``GatewayCluster.__del__`` closes through
    the client's shared event-loop thread; when the garbage collector finalizes a failed cluster
    object on that thread, the client deadlocks (seen as a hung teardown). A child process with
    a time limit keeps that client bug from hanging the suite."""
    script = (
        "import os, sys\n"
        "from dask_gateway import BasicAuth, Gateway\n"
        f"gw = Gateway({g.address!r}, proxy_address={g.proxy_address!r}, auth=BasicAuth({user!r}))\n"
        "try:\n"
        "    gw.new_cluster()\n"
        "    print('no error')\n"
        "except Exception as e:\n"
        "    print(type(e).__name__, e)\n"
        "sys.stdout.flush()\n"
        "os._exit(0)\n"
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180)
    return r.stdout + r.stderr


def incomplete_environment(tmp_path):
    """An environment whose ``python`` runs, but whose scheduler fails on an import."""
    env = tmp_path / "incomplete-env"
    (env / "bin").mkdir(parents=True)
    exe = env / "bin" / "python"
    # The system interpreter: every cluster uid can run it, wherever the checkout lies (a clone
    # under a 0700 directory hides the project's own from them).
    exe.write_text("#!/bin/sh\nexec /usr/bin/python3 -c 'import frobnitz_not_installed'\n")
    exe.chmod(0o755)
    return env


@pytest.mark.parametrize("case", ["interpreter", "import"])
def test_an_environment_that_cannot_start_a_scheduler_fails_with_its_cause(
    gatehouse, gateway_client, searchable_tmp, case
):
    tmp_path = searchable_tmp  # isolated cluster uids must reach the environment
    if case == "interpreter":
        # A moved or deleted environment: its python is a link to an interpreter that is gone.
        env = tmp_path / "moved-env"
        (env / "bin").mkdir(parents=True)
        (env / "bin" / "python").symlink_to("/nonexistent/moved-env/bin/python3")
        cause = "points to /nonexistent/moved-env/bin/python3, which does not exist"
    else:
        env = incomplete_environment(tmp_path)
        cause = "No module named 'frobnitz_not_installed'"
    g = gatehouse(config={"backend": {"python_env": str(env)}})
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    assert "GatewayClusterError" in new_cluster_in_child(g, "alice")
    failed = gw.list_clusters(status=["FAILED"])
    assert len(failed) == 1
    name = failed[0].name

    status, body = get_json(g, f"/api/v1/clusters/{name}/events")
    assert status == 200
    types = [e["type"] for e in body["events"]]
    assert types == ["cluster.created", "cluster.starting", "cluster.stopping", "cluster.failed"]
    fail = body["events"][-1]
    assert fail["data"]["reason"] == "failure"
    assert cause in fail["data"]["log_tail"], fail
    assert cause in fail["data"]["detail"], fail

    status, logs = get_json(g, f"/api/v1/clusters/{name}/logs?process=scheduler&tail=all")
    assert status == 200 and cause in logs["processes"][0]["text"]

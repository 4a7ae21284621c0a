"""Restarts that drop nothing: ``gatehouse proxy`` runs as its own process and owns the public
port; the gateway (``proxy.mode: external``) serves its API on a private address behind it.

While a real client runs a long computation through the proxy, the gateway is SIGTERMed and
restarted, then SIGKILLed and restarted, on the same private address. The computation finishes
on the same scheduler connection (same comm, no reconnect), the dashboard and an open dashboard
WebSocket keep answering, API calls in the gap get a prompt 503 JSON error, and afterwards the
API (list, scale) works and a stopped cluster's routes leave the proxy. Dashboards are behind
login there too (the proxy asks the gateway): the owner passes, a logged-out browser is sent to
login, a script gets 401 and another user 403. The no-client timeout works with the counts the
proxy keeps.
"""
from __future__ import annotations

import asyncio
import getpass
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest
from dask_gateway import BasicAuth, Gateway
from distributed import Event
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from conftest import wait_for_workers
from gatehouse_fixture import GatehouseProxy, free_port, wait_until
from test_dashboard import _read_bokeh_message, basic, bokeh_token, get
from test_limits_on_life import ADMIN, CLIENT_SCRIPT, stop_reason

TOKEN = "test-proxy-token-" + uuid.uuid4().hex
#: The user the client runs as (the client's default Basic username), and their credentials.
OWNER = getpass.getuser()
OWNER_AUTH = basic(OWNER)


@pytest.fixture
def external(gatehouse, tmp_path):
    """Factory: ``external(config)`` starts a proxy and a gateway behind it; returns both."""
    proxies: list[GatehouseProxy] = []

    def start(config: dict | None = None):
        api_port = free_port()
        p = GatehouseProxy(tmp_path / f"proxy{len(proxies)}", TOKEN, api_port)
        proxies.append(p)
        cfg = {
            "proxy": {
                "mode": "external",
                "api_listen": f"127.0.0.1:{api_port}",
                "control_url": p.control_url,
                "token": TOKEN,
                "sync_period": 1,
            },
        }
        for k, v in (config or {}).items():
            cfg[k] = {**cfg.get(k, {}), **v} if isinstance(v, dict) else v
        g = gatehouse(cfg)
        assert g.url == p.url, "the gateway serves at the proxy's public address"
        return p, g

    yield start
    for p in proxies:
        p.stop()


T0 = time.monotonic()


def step(what: str) -> None:
    """Prints progress with elapsed seconds (shown with the log of a failing test)."""
    print(f"[{time.monotonic() - T0:7.1f} s] {what}", flush=True)


def api_get(url: str):
    """A GET through the proxy: (status, decoded JSON, seconds taken)."""
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, json.loads(r.read()), time.monotonic() - t0
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), time.monotonic() - t0


class HeldWebSocket:
    """A dashboard WebSocket opened now and used again later, on its own event loop."""

    def __init__(self, ws_url: str, token: str, origin: str, auth: dict[str, str]):
        self.auth = auth
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.conn = self.run(self._open(ws_url, token, origin))

    def run(self, coro, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _open(self, ws_url, token, origin):
        req = HTTPRequest(ws_url, headers={"Origin": origin, **self.auth}, connect_timeout=60,
                          request_timeout=60)
        conn = await websocket_connect(req, subprotocols=["bokeh", token])
        header, _ = await _read_bokeh_message(conn, 60)
        assert header["msgtype"] == "ACK"
        return conn

    async def _pull(self):
        reqid = uuid.uuid4().hex
        for frame in (json.dumps({"msgid": reqid, "msgtype": "PULL-DOC-REQ"}), "{}", "{}"):
            await self.conn.write_message(frame)
        while True:
            header, content = await _read_bokeh_message(self.conn, 60)
            if header.get("reqid") == reqid:
                return header["msgtype"], content.get("doc")

    def pull_doc(self):
        """Asks for the document over the same socket; (reply type, doc)."""
        return self.run(self._pull())

    def close(self):
        self.loop.call_soon_threadsafe(self.conn.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def check_dashboard_refusals(link: str) -> None:
    """Through the external proxy, only the owner (or an admin) reaches the dashboard."""
    script = get(link, headers={})
    assert script.status == 401 and script.headers["WWW-Authenticate"].startswith("Basic"), script.status
    browser = get(link, headers={"Accept": "text/html"})
    assert browser.status == 302 and "WWW-Authenticate" not in browser.headers
    assert browser.headers["Location"].startswith("/ui/login?next=%2Fclusters%2F"), browser.headers
    other = get(link, headers=basic("someone-else"))
    assert other.status == 403 and "may not view the dashboard" in other.text, other.status


def restart(g, how: str, p: GatehouseProxy, link: str, ws: HeldWebSocket) -> None:
    """Stops the gateway (SIGTERM or SIGKILL), checks the proxy meanwhile, starts it again."""
    step(f"{how} to the gateway")
    if how == "SIGTERM":
        g.stop()
    else:
        g.kill()
    status, body, took = api_get(f"{p.url}/api/v1/clusters/")
    assert status == 503 and body["code"] == "gateway_unavailable", (status, body)
    assert "restarting" in body["error"] and took < 10, (body, took)
    page = get(link, headers=OWNER_AUTH)  # the dashboard answers while the gateway is down...
    assert page.status == 200 and "Dask" in page.text, page.status
    reply, doc = ws.pull_doc()  # ...and so does the socket opened before
    assert reply == "PULL-DOC-REPLY" and doc["roots"]
    step("gateway down: API 503, dashboard and socket answered; starting it again")
    g.start(timeout=180)  # generous: a loaded CI machine starts node slowly
    step("gateway up again")


def test_gateway_restarts_under_a_running_computation(external, gateway_client):
    # Defined here, not at module level: workers cannot import this test module, and cloudpickle
    # sends nested functions by value.
    def slow_step(i):
        import time

        time.sleep(0.5)
        return i


    def finish(parts, event_name):
        # The last task waits until the test has restarted the gateway (set through the client's
        # own scheduler connection), so the computation spans the restarts however fast they are.
        from distributed import Event

        assert Event(event_name).wait(timeout=300), "the test never released the computation"
        return sum(parts)

    p, g = external({"stop_clusters_on_shutdown": False})
    gw = gateway_client(g, address=p.url)
    cluster = gw.new_cluster()
    name = cluster.name
    try:
        step("cluster created")
        cluster.scale(2)
        wait_for_workers(cluster, exact=2, timeout=180)
        step("two workers")
        client = cluster.get_client(set_as_default=False)
        comm = client.scheduler_comm.comm
        link = cluster.dashboard_link
        assert link.startswith(p.url)
        page = get(link, headers=OWNER_AUTH)
        assert page.status == 200, page.status
        check_dashboard_refusals(link)
        ws = HeldWebSocket(
            f"ws://{urlsplit(link).netloc}{urlsplit(link).path}/ws", bokeh_token(page.text), p.url,
            OWNER_AUTH,
        )
        try:
            assert p.control("/clients")["clusters"][name]["open"] >= 1

            event_name = f"restarted-{uuid.uuid4().hex}"
            steps = client.map(slow_step, range(60), pure=False)  # ~15 s of work on two workers
            total = client.submit(finish, steps, event_name)

            done_before = sum(f.done() for f in steps)
            for how in ("SIGTERM", "SIGKILL"):
                restart(g, how, p, link, ws)
                assert not total.done()
            assert sum(f.done() for f in steps) > done_before, "the work went on meanwhile"

            Event(event_name, client=client).set()
            assert total.result(timeout=300) == sum(range(60))
            step("computation finished")
            # The same connection all along: no reconnect happened.
            assert client.scheduler_comm.comm is comm and not comm.closed()
            assert client.status == "running"

            # The restarted gateway's API works: list, scale.
            assert [c.name for c in gw.list_clusters()] == [name]
            cluster.scale(3)
            wait_for_workers(cluster, exact=3, timeout=180)
            step("scaled to three")
            assert client.submit(lambda x: x + 1, 1).result(timeout=60) == 2
            reply, _ = ws.pull_doc()
            assert reply == "PULL-DOC-REPLY"
        finally:
            ws.close()
        client.close()
    finally:
        cluster.shutdown()

    # A stopped cluster's routes leave the proxy.
    def routes_gone():
        routes = p.control("/routes")["routes"]
        return not any(name in json.dumps(r) for r in routes)

    wait_until(routes_gone, 60, "the stopped cluster's routes to leave the proxy", interval=0.25)
    assert get(link, headers=OWNER_AUTH).status == 404


def test_stale_routes_of_a_cluster_stopped_while_the_gateway_was_down(external, gateway_client):
    # Stopped meanwhile: the gateway is killed and the scheduler dies before it comes back.
    p, g = external({"stop_clusters_on_shutdown": False})
    gw = gateway_client(g, address=p.url)
    cluster = gw.new_cluster()
    name = cluster.name
    assert any(r.get("sni") == name for r in p.control("/routes")["routes"])
    from cluster_processes import cluster_processes

    g.kill()
    os.killpg(cluster_processes(name)["scheduler"][0], signal.SIGKILL)
    g.start(timeout=180)
    wait_until(
        lambda: not any(name in json.dumps(r) for r in p.control("/routes")["routes"]),
        60,
        "the dead cluster's routes to leave the proxy",
    )
    # The routes go when the cluster is marked to fail; FAILED follows once its stop (which
    # also kills whatever its uid still runs) has finished.
    wait_until(lambda: gw.get_cluster(name).status.name == "FAILED", 60, "the cluster to be FAILED")
    cluster.close(shutdown=False)


def test_no_client_timeout_with_counts_from_the_proxy(external, gateway_client):
    timeout = 6
    p, g = external({**ADMIN, "cluster": {"no_client_timeout": timeout}})
    proc = subprocess.Popen(
        [sys.executable, "-c", CLIENT_SCRIPT, p.url, "gateway://" + p.url.split("://", 1)[1]],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        name = proc.stdout.readline().strip()
        assert name, "the client script did not create a cluster"
        assert p.control("/clients")["clusters"][name]["open"] >= 1
        time.sleep(timeout + 3)  # a connected client keeps the cluster up past the timeout
        gw = gateway_client(g, address=p.url, auth=BasicAuth(username=os.environ.get("USER", "root")))
        assert gw.get_cluster(name).status.name == "RUNNING"
        killed = time.monotonic()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        wait_until(lambda: gw.get_cluster(name).status.name == "STOPPED", timeout + 30, "the cluster to stop")
        assert time.monotonic() - killed < timeout + 20
        assert stop_reason(g, name) == "no client"
    finally:
        if proc.poll() is None:
            proc.kill()

"""The Dask dashboard, reached the way a browser reaches it: through Gatehouse's public port.

For a cluster created with the unmodified dask-gateway client and scaled to two workers, the
tests load ``cluster.dashboard_link`` through the gateway's in-process proxy and check that it
renders completely:

* the /status page is HTML, and every script, stylesheet and image it references (bokeh's
  JavaScript under ``<route>/static/`` and distributed's ``statics/``) answers 200 through the
  proxy, bokeh.min.js byte for byte as installed;
* bokeh's WebSocket (``<page path>/ws``, subprotocols ``["bokeh", <token from the page>]``, as
  bokeh.min.js opens it) upgrades through the proxy, and the bokeh session then speaks: ACK,
  then the document for PULL-DOC-REQ;
* the workers pages show both workers by the names the gateway gave them: the server-rendered
  ``info/main/workers.html`` and the bokeh document of ``/workers`` (whose table is rendered in
  the browser from that document);
* once the cluster is shut down the route is gone: 404, never 502 or a hang, and the socket
  path no longer upgrades.

The same runs under a gateway configured with ``prefix: /gw``.
"""
from __future__ import annotations

import asyncio
import base64
import http.client
import json
import re
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import bokeh
import pytest
from bokeh.util.token import get_session_id
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from conftest import wait_for_workers
from gatehouse_fixture import wait_until

TIMEOUT = 60  # seconds for any one request: the machine is small and shared
BOKEH_JS = Path(bokeh.__file__).parent / "server" / "static" / "js" / "bokeh.min.js"


# --- HTTP ------------------------------------------------------------------------------------


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


AUTH: dict[str, str] = {}  # the owner's credentials, set by check_dashboard


def basic(username: str, password: str = "") -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def get(url: str, timeout: float = TIMEOUT, headers: dict[str, str] | None = None) -> Response:
    """One GET (with the owner's credentials unless ``headers`` are given), redirects not
    followed (a redirect is not a 200), errors returned not raised."""
    parts = urlsplit(url)
    assert parts.scheme == "http", url
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", target, headers={"Accept": "*/*", **(AUTH if headers is None else headers)})
        r = conn.getresponse()
        return Response(r.status, r.headers, r.read())
    finally:
        conn.close()


class AssetParser(HTMLParser):
    """Collects what a browser fetches to render a page: script src, link href, img src."""

    def __init__(self):
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        ref = {"script": a.get("src"), "link": a.get("href"), "img": a.get("src")}.get(tag)
        if ref:
            self.assets.append(ref)

    handle_startendtag = handle_starttag


def page_assets(page_url: str, html: str) -> list[str]:
    """Absolute URLs of the page's own assets (external and ``javascript:`` links skipped)."""
    p = AssetParser()
    p.feed(html)
    origin = urlsplit(page_url).netloc
    urls = []
    for ref in p.assets:
        if ref.startswith("javascript:"):
            continue
        url = urljoin(page_url, ref)
        if urlsplit(url).netloc != origin:
            continue  # https://cdnjs..., https://dask.org: not served by the gateway
        if url not in urls:
            urls.append(url)
    return urls


def bokeh_token(html: str) -> str:
    """The session token the page's embed script hands to ``Bokeh.embed.embed_items``."""
    m = re.search(r'"token"\s*:\s*"([^"]+)"', html)
    assert m, "no bokeh session token in the page"
    return m.group(1)


# --- bokeh's WebSocket protocol ----------------------------------------------------------------


async def _read_frame(conn, timeout: float):
    frame = await asyncio.wait_for(conn.read_message(), timeout)
    assert frame is not None, f"websocket closed by the far end (code {conn.close_code})"
    return frame


async def _read_bokeh_message(conn, timeout: float) -> tuple[dict, dict]:
    """One bokeh protocol message: header, metadata, content frames, then buffer frame pairs."""
    header = json.loads(await _read_frame(conn, timeout))
    await _read_frame(conn, timeout)  # metadata
    content = json.loads(await _read_frame(conn, timeout))
    for _ in range(2 * header.get("num_buffers", 0)):  # buffer header + binary payload
        await _read_frame(conn, timeout)
    return header, content


async def _bokeh_session(ws_url: str, token: str, origin: str, timeout: float) -> dict:
    """Opens the socket as bokeh.min.js does; returns what the session said and sent."""
    request = HTTPRequest(
        ws_url,
        headers={"Origin": origin, **AUTH},
        connect_timeout=timeout,
        request_timeout=timeout,
    )
    # websocket_connect raises unless the server answers 101 Switching Protocols.
    conn = await websocket_connect(request, subprotocols=["bokeh", token])
    try:
        seen = {
            "subprotocol": conn.selected_subprotocol,
            "upgrade": conn.headers.get("Upgrade", ""),
        }
        header, _ = await _read_bokeh_message(conn, timeout)
        seen["first"] = header["msgtype"]
        reqid = uuid.uuid4().hex
        for frame in (
            json.dumps({"msgid": reqid, "msgtype": "PULL-DOC-REQ"}),
            "{}",
            "{}",
        ):
            await conn.write_message(frame)
        deadline = time.monotonic() + timeout
        while True:
            header, content = await _read_bokeh_message(conn, deadline - time.monotonic())
            if header.get("reqid") == reqid:
                seen["reply"] = header["msgtype"]
                seen["doc"] = content.get("doc")
                return seen
    finally:
        conn.close()


def bokeh_session(ws_url: str, token: str, origin: str, timeout: float = TIMEOUT) -> dict:
    return asyncio.run(_bokeh_session(ws_url, token, origin, timeout))


# --- the scenario --------------------------------------------------------------------------------


def check_dashboard(g, gateway_client, prefix: str = "") -> None:
    gw = gateway_client(g)
    AUTH.clear()
    AUTH.update(basic(gw.auth.username, gw.auth.password or ""))
    cluster = gw.new_cluster()
    name = cluster.name
    route = f"{g.url}{prefix}/clusters/{name}"
    try:
        cluster.scale(2)
        wait_for_workers(cluster, exact=2, timeout=180)
        client = cluster.get_client()
        try:
            names = sorted(w["name"] for w in client.scheduler_info()["workers"].values())
        finally:
            client.close()
        assert len(names) == 2 and all(names), names
        logs = Path(g.config["data_dir"]) / "logs" / name  # the gateway's log per worker it named
        logged = sorted(p.name for p in logs.glob("worker-*.log"))
        assert logged == [f"worker-{n}.log" for n in names], (logged, names)

        # 1. The link the client shows leads to the status page, through the gateway.
        link = cluster.dashboard_link
        assert link == f"{route}/status"
        page = get(link)
        assert page.status == 200, (page.status, page.text[:500])
        assert page.headers.get_content_type() == "text/html"
        assert "<html" in page.text.lower() and "Dask" in page.text
        # Dashboards are behind login: no credentials, or another user's, do not get in.
        r = get(link, headers={})
        assert r.status == 401, (r.status, r.text[:300])
        r = get(link, headers={"Accept": "text/html"})
        assert r.status == 302, (r.status, r.text[:300])
        assert r.headers["Location"].startswith(f"{prefix}/ui/login?next="), r.headers["Location"]
        r = get(link, headers=basic("someone-else"))
        assert r.status == 403, (r.status, r.text[:300])
        if prefix:  # the route exists under the prefix only
            r = get(f"{g.url}/clusters/{name}/status")
            assert r.status == 404, (r.status, r.text[:300])

        # 2. Everything the page loads answers 200 through the gateway.
        assets = page_assets(link, page.text)
        assert assets, "the status page references no assets"
        bokeh_js = [u for u in assets if urlsplit(u).path.endswith("/static/js/bokeh.min.js")]
        assert bokeh_js, assets
        assert all(u.startswith(f"{route}/") for u in assets), assets
        assert any("/statics/" in u for u in assets), assets  # distributed's relative ones
        failed = {}
        for url in assets:
            r = get(url)
            if r.status != 200 or not r.body:
                failed[url] = (r.status, len(r.body))
        assert not failed, f"assets not served through the gateway: {failed}"
        js = get(bokeh_js[0])
        assert "javascript" in js.headers.get("Content-Type", "")
        assert js.body == BOKEH_JS.read_bytes(), "bokeh.min.js altered on its way through"

        # 3. bokeh's WebSocket: <page path>/ws with the page's token, as bokeh.min.js opens it.
        origin = g.url
        token = bokeh_token(page.text)
        ws_url = f"ws://{urlsplit(link).netloc}{urlsplit(link).path}/ws"
        assert ws_url == f"ws://{urlsplit(g.url).netloc}{prefix}/clusters/{name}/status/ws"
        session = bokeh_session(ws_url, token, origin)
        assert session["subprotocol"] == "bokeh"
        assert session["upgrade"].lower() == "websocket"
        assert session["first"] == "ACK"
        assert session["reply"] == "PULL-DOC-REPLY"
        assert session["doc"]["roots"], "the status document has no roots"

        # 4. The workers, by the names the gateway gave them.
        info = get(f"{route}/info/main/workers.html")  # rendered by the server
        assert info.status == 200, (info.status, info.text[:500])
        for n in names:
            assert n in info.text, f"worker {n} missing from info/main/workers.html"
        workers = get(f"{route}/workers")  # its table is filled in the browser, from the doc
        assert workers.status == 200, (workers.status, workers.text[:500])
        wtoken = bokeh_token(workers.text)
        assert get_session_id(wtoken) != get_session_id(token)
        wsession = bokeh_session(f"{ws_url[: -len('/status/ws')]}/workers/ws", wtoken, origin)
        assert wsession["reply"] == "PULL-DOC-REPLY"
        doc = json.dumps(wsession["doc"])
        for n in names:
            assert n in doc, f"worker {n} missing from the /workers document"
        identity = get(f"{route}/json/identity.json")
        assert identity.status == 200, identity.status
        assert sorted(w["name"] for w in json.loads(identity.body)["workers"].values()) == names
    except BaseException:
        cluster.shutdown()
        raise

    # 5. Shut down: the route goes away (404 from the gateway), never a 502 or a hang.
    cluster.shutdown()
    statuses = []

    def gone():
        r = get(link)
        statuses.append(r.status)
        return r if r.status != 200 else None  # the dashboard serves until the scheduler stops

    r = wait_until(gone, 120, "the dashboard route to be removed", interval=0.25)
    assert r.status == 404, (r.status, r.text[:300], statuses)
    wait_until(lambda: not gw.list_clusters(), 120, "the cluster to be stopped", interval=0.5)
    for url in (link, bokeh_js[0], f"{route}/info/main/workers.html"):
        r = get(url)
        assert r.status == 404, (url, r.status, r.text[:300])
    assert set(statuses) <= {200, 404}, statuses
    # Nor does the socket path still upgrade (the server drops such upgrades: no 101, no hang).
    with pytest.raises(HTTPClientError):
        bokeh_session(ws_url, token, origin)


def run_checks(g, gateway_client, prefix: str = "") -> None:
    try:
        check_dashboard(g, gateway_client, prefix)
    except BaseException:
        print(f"--- gatehouse log ({g.log_file}) ---\n{g.log_tail(80)}")
        raise


# The shared test configuration heartbeats every 2 s, so a cluster fails after 4 s without one;
# on a small shared machine a scheduler can miss that, and the cluster (and its dashboard route)
# would be stopped in the middle of these checks. What is tested here is the proxy, not that.
PATIENT = {"backend": {"heartbeat_timeout": 60}}


def test_dashboard_through_gateway(gatehouse, gateway_client):
    run_checks(gatehouse(PATIENT), gateway_client)


def test_dashboard_under_prefix(gatehouse, gateway_client):
    g = gatehouse({**PATIENT, "prefix": "/gw"})
    assert g.address == g.url + "/gw"
    run_checks(g, gateway_client, prefix="/gw")


def test_scheduler_never_sees_viewer_credentials(gatehouse, gateway_client):
    """Issue 14, finding 2: the viewer's credentials stop at the gateway. The owner's scheduler
    serves a recorder on its dashboard port; the owner fetches the link (and opens a WebSocket
    upgrade on it) with Basic credentials, gateway cookies, X-Gatehouse-* and
    Proxy-Authorization. The recorder saw none of them, but did see X-Probe (the control), and
    its Set-Cookie did not come back; the answer is sandboxed (no script of it runs in a browser).
    """

    def _record_requests(dask_scheduler) -> int:
        """Runs in the scheduler (any owner may; nested, so it is pickled by value): replaces
        the Bokeh server on the dashboard port by one recording every request's headers."""
        import http.server
        import threading

        seen = dask_scheduler._gatehouse_seen = []
        host, port = dask_scheduler.http_server.address, dask_scheduler.http_server.port
        dask_scheduler.http_server.stop()

        class Recorder(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                seen.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(200)
                self.send_header("Set-Cookie", "planted=1; Path=/")
                self.send_header("Content-Length", "8")
                self.end_headers()
                self.wfile.write(b"recorded")

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer((host or "127.0.0.1", port), Recorder)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return port

    g = gatehouse(PATIENT)
    gw = gateway_client(g)
    cluster = gw.new_cluster()
    try:
        client = cluster.get_client()
        client.run_on_scheduler(_record_requests)
        credentials = {
            **basic(gw.auth.username, gw.auth.password or ""),
            "Cookie": "gatehouse-csrf=c1; dask-gateway-session=s1; gatehouse-dashboard=d1",
            "X-Gatehouse-CSRF": "c1",
            "Proxy-Authorization": "Basic eDp5",
            "X-Probe": "kept",
        }
        link = cluster.dashboard_link
        r = get(link, headers=credentials)
        assert (r.status, r.text) == (200, "recorded"), (r.status, r.text[:300])
        assert r.headers.get("Set-Cookie") is None, r.headers
        assert r.headers.get("Content-Security-Policy") == "sandbox", r.headers
        upgrade = {
            **credentials,
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version": "13",
        }
        r = get(f"{link}/ws", headers=upgrade)
        assert r.headers.get("Set-Cookie") is None, r.headers
        seen = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler._gatehouse_seen)
        client.close()
    finally:
        cluster.shutdown()
    assert len(seen) == 2, seen
    assert seen[1].get("upgrade") == "websocket", seen[1]
    for headers in seen:
        assert headers.get("x-probe") == "kept", headers  # control: headers are recorded
        leaked = [h for h in headers if h in ("authorization", "cookie", "proxy-authorization")]
        leaked += [h for h in headers if h.startswith("x-gatehouse-")]
        assert not leaked, headers

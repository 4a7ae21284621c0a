"""Raw HTTP checks of the gateway's REST API (spec §1, §3.2), without the dask-gateway client.

Requests go through ``http.client`` so nothing is hidden from the test: redirects are never
followed, headers and bodies are seen exactly as the server sent them, and every JSON body is
checked for ``Content-Type: application/json`` (spec §1.1) before it is parsed.
"""
from __future__ import annotations

import base64
import http.client
import json
import re
import time
from urllib.parse import urlsplit


from gatehouse_fixture import wait_until

CLUSTER_KEYS = {"name", "dashboard_route", "status", "start_time", "stop_time", "options",
                "tls_cert", "tls_key"}
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
TIMEOUT = 60


class Response:
    def __init__(self, status: int, headers, body: bytes, elapsed: float):
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed

    def json(self):
        ctype = self.headers.get("Content-Type", "")
        assert ctype.split(";")[0].strip().lower() == "application/json", (
            f"status {self.status}: Content-Type {ctype!r}, body {self.body[:200]!r}")
        return json.loads(self.body)

    def error(self) -> str:
        body = self.json()
        assert isinstance(body, dict) and isinstance(body.get("error"), str), body
        return body["error"]

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


def basic(user: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("latin1")).decode()


def request(g, method: str, path: str, body=None, *, user: str | None = "alice",
            headers: dict | None = None, raw: bytes | None = None) -> Response:
    """One request to the gateway at ``g``; ``user`` sends Basic credentials (None: none)."""
    url = urlsplit(g.address)
    hdrs = dict(headers or {})
    if user is not None:
        hdrs.setdefault("Authorization", basic(user))
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=TIMEOUT)
    try:
        start = time.monotonic()
        conn.request(method, url.path + path, body=data, headers=hdrs)
        resp = conn.getresponse()
        payload = resp.read()
        return Response(resp.status, resp.headers, payload, time.monotonic() - start)
    finally:
        conn.close()


def create(g, user="alice", path="/api/v1/clusters/") -> str:
    r = request(g, "POST", path, {"cluster_options": {}}, user=user)
    assert r.status == 201, r
    body = r.json()
    assert set(body) >= {"name"}, body
    name = body["name"]
    assert isinstance(name, str) and NAME_RE.match(name) and "/" not in name, name
    return name


def get(g, name, query="", user="alice") -> Response:
    return request(g, "GET", f"/api/v1/clusters/{name}{query}", user=user)


def report(g, name, query="", user="alice") -> dict:
    r = get(g, name, query, user)
    assert r.status == 200, r
    return check_cluster_json(r.json(), name)


def check_cluster_json(c: dict, name: str) -> dict:
    """The exact ClusterJSON shape the client can parse (spec §3.2)."""
    assert set(c) == CLUSTER_KEYS, sorted(c)
    assert c["name"] == name
    assert c["status"] in {"PENDING", "RUNNING", "STOPPING", "STOPPED", "FAILED"}, c["status"]
    assert isinstance(c["start_time"], int) and not isinstance(c["start_time"], bool)
    assert c["stop_time"] is None or isinstance(c["stop_time"], int)
    assert isinstance(c["options"], dict)
    if c["status"] == "RUNNING":
        assert c["tls_cert"].startswith("-----BEGIN CERTIFICATE-----"), c["tls_cert"][:40]
        assert "PRIVATE KEY-----" in c["tls_key"], "tls_key is not a PEM private key"
        assert c["stop_time"] is None
    else:
        assert c["tls_cert"] is None and c["tls_key"] is None, c["status"]
        assert c["dashboard_route"] is None, c
    return c


def wait_status(g, name, *wanted: str) -> dict:
    def poll():
        c = report(g, name)
        return c if c["status"] in wanted else None
    return wait_until(poll, TIMEOUT, f"cluster {name} to reach {wanted}", interval=0.2)


def history(g, user="alice") -> dict:
    r = request(g, "GET", "/api/v1/clusters/?status=STOPPED,FAILED", user=user)
    assert r.status == 200, r
    return r.json()


def stop(g, name, user="alice"):
    r = request(g, "DELETE", f"/api/v1/clusters/{name}", user=user)
    assert r.status == 204, r
    assert r.body == b""


# --------------------------------------------------------------------------------------------


def test_health_and_version_need_no_auth(gatehouse):
    g = gatehouse()
    r = request(g, "GET", "/api/health", user=None)
    assert r.status == 200, r
    assert r.json() == {"status": "pass"}
    r = request(g, "GET", "/api/version", user=None)
    assert r.status == 200, r
    assert r.json() == {"version": "2026.3.0"}


def test_user_routes_need_auth_and_empty_state(gatehouse):
    g = gatehouse()
    for method, path in [("GET", "/api/v1/options"), ("GET", "/api/v1/clusters/"),
                         ("POST", "/api/v1/clusters/")]:
        r = request(g, method, path, {} if method == "POST" else None, user=None)
        assert r.status == 401, (method, path, r)
        assert r.headers["WWW-Authenticate"] == "Basic"
        assert r.error() == "Authentication required"
    r = request(g, "GET", "/api/v1/options")
    assert r.status == 200 and r.json() == {"cluster_options": []}, r
    r = request(g, "GET", "/api/v1/clusters/")
    assert r.status == 200 and r.json() == {}, r


def test_cluster_json_pending_wait_semantics_then_running(gatehouse):
    g = gatehouse()
    name = create(g)
    # Straight after creation the scheduler is still starting (it takes seconds to import dask).
    c = report(g, name)
    assert c["status"] == "PENDING", c
    assert c["options"] == {} and c["stop_time"] is None
    start_time = c["start_time"]
    assert abs(start_time / 1000 - time.time()) < 120, "start_time is not epoch milliseconds"

    # ?wait=0, ?wait=true and ?wait=<garbage> are all "don't wait": they answer at once.
    for query in ("?wait=0", "?wait=true", "?wait=abc", ""):
        r = get(g, name, query)
        assert r.status == 200, (query, r)
        c = check_cluster_json(r.json(), name)
        assert c["status"] == "PENDING", (query, c["status"])
        assert r.elapsed < 1.5, f"{query!r} waited {r.elapsed:.1f} s"

    # Scaling a cluster that is not running yet is a 409.
    r = request(g, "POST", f"/api/v1/clusters/{name}/scale", {"count": 1})
    assert r.status == 409, r
    assert r.error() == f"cluster {name} is not running"

    # A bare ?wait (what the client sends) blocks until the cluster runs (or ~20 s pass).
    first = None
    deadline = time.monotonic() + TIMEOUT
    while True:
        r = get(g, name, "?wait")
        assert r.status == 200, r
        c = check_cluster_json(r.json(), name)
        first = first or (r.elapsed, c["status"])
        if c["status"] == "RUNNING":
            break
        assert c["status"] == "PENDING", c
        assert time.monotonic() < deadline, "cluster never became RUNNING"
    # (an early PENDING answer is allowed, an immediate one would mean ?wait was read as false)
    assert first[1] == "RUNNING" or first[0] > 1.0, f"?wait returned {first[1]} after {first[0]:.2f} s"

    assert c["start_time"] == start_time
    assert c["dashboard_route"] == f"/clusters/{name}/status"
    assert c["options"] == {}

    # ?wait=1 is true too, but on a running cluster nothing is awaited.
    r = get(g, name, "?wait=1")
    assert r.status == 200 and r.elapsed < 1.5, r
    assert check_cluster_json(r.json(), name)["status"] == "RUNNING"

    # The list, with and without the trailing slash, carries the same full ClusterJSON.
    for path in ("/api/v1/clusters/", "/api/v1/clusters"):
        r = request(g, "GET", path)
        assert r.status == 200, (path, r)
        listed = r.json()
        assert list(listed) == [name], (path, listed)
        assert listed[name] == c
    for query, present in [("RUNNING", True), ("running", True), ("PENDING,RUNNING", True),
                           ("PENDING", False), ("STOPPED,FAILED", False)]:
        r = request(g, "GET", f"/api/v1/clusters/?status={query}")
        assert r.status == 200, (query, r)
        assert (name in r.json()) is present, (query, r.json())
    stop(g, name)


def test_cluster_json_stopped_and_history(gatehouse):
    g = gatehouse()
    name = create(g)
    running = wait_status(g, name, "RUNNING")
    stop(g, name)
    # Once a stop is requested the cluster leaves the default (active) list at once.
    r = request(g, "GET", "/api/v1/clusters/")
    assert r.status == 200 and r.json() == {}, r

    def stopped():
        return history(g).get(name)
    c = wait_until(stopped, TIMEOUT, "the cluster in ?status=STOPPED,FAILED", interval=0.2)
    check_cluster_json(c, name)
    assert c["status"] == "STOPPED", c
    assert c["start_time"] == running["start_time"]
    assert isinstance(c["stop_time"], int) and c["stop_time"] >= c["start_time"]
    assert report(g, name) == c
    r = request(g, "GET", "/api/v1/clusters/?status=STOPPED")
    assert r.status == 200 and name in r.json(), r
    r = request(g, "GET", "/api/v1/clusters/?status=RUNNING,PENDING")
    assert r.status == 200 and r.json() == {}, r

    # ?wait on a finished cluster answers at once.
    r = get(g, name, "?wait")
    assert r.status == 200 and r.elapsed < 1.5, r
    # Scaling or adapting a stopped cluster: 409.
    for op, body in [("scale", {"count": 1}),
                     ("adapt", {"minimum": None, "maximum": None, "active": True})]:
        r = request(g, "POST", f"/api/v1/clusters/{name}/{op}", body)
        assert r.status == 409, (op, r)
        assert r.error() == f"cluster {name} is not running"
    # Stopping again is harmless.
    stop(g, name)
    assert report(g, name)["status"] == "STOPPED"
    wait_until(lambda: not g.leftover_processes(), TIMEOUT, "cluster processes to exit")


def test_status_filter_errors(gatehouse):
    g = gatehouse()
    r = request(g, "GET", "/api/v1/clusters/?status=FOO")
    assert r.status == 422, r
    assert r.error() == "'FOO' is not a valid ClusterStatus"
    r = request(g, "GET", "/api/v1/clusters/?status=RUNNING,FOO")
    assert r.status == 422, r
    assert r.error() == "'FOO' is not a valid ClusterStatus"
    r = request(g, "GET", "/api/v1/clusters/?status=")
    assert r.status == 422, r
    r.error()
    r = request(g, "GET", "/api/v1/clusters/?status=STOPPED,FAILED")
    assert r.status == 200 and r.json() == {}, r


def test_create_with_and_without_trailing_slash_no_redirect(gatehouse):
    g = gatehouse()
    names = [create(g, path="/api/v1/clusters/"), create(g, path="/api/v1/clusters")]
    assert names[0] != names[1]
    r = request(g, "GET", "/api/v1/clusters")
    assert r.status == 200, r
    assert set(r.json()) == set(names)
    # A body of null or without cluster_options means "no options".
    r = request(g, "POST", "/api/v1/clusters/", raw=b"null",
                headers={"Content-Type": "application/json"})
    assert r.status == 201, r
    names.append(r.json()["name"])
    r = request(g, "POST", "/api/v1/clusters/", {"cluster_options": None})
    assert r.status == 201, r
    names.append(r.json()["name"])
    for name in names:
        stop(g, name)
    for name in names:
        wait_until(lambda: name in history(g), TIMEOUT, f"{name} to stop", interval=0.2)


def test_unknown_cluster(gatehouse):
    g = gatehouse()
    name = "0123456789abcdef0123456789abcdef"
    for query in ("", "?wait"):
        r = get(g, name, query)
        assert r.status == 404, r
        assert r.error() == f"Cluster {name} not found"
    for op, body in [("scale", {"count": 1}),
                     ("adapt", {"minimum": None, "maximum": None, "active": True})]:
        r = request(g, "POST", f"/api/v1/clusters/{name}/{op}", body)
        assert r.status == 404, (op, r)
        assert r.error() == f"Cluster {name} not found"
    # DELETE of an unknown cluster is a silent success.
    r = request(g, "DELETE", f"/api/v1/clusters/{name}")
    assert r.status == 204, r
    assert r.body == b""


def test_wrong_method_and_unknown_path(gatehouse):
    g = gatehouse()
    for method, path in [("PUT", "/api/v1/clusters/"), ("PATCH", "/api/v1/clusters"),
                         ("POST", "/api/version"), ("POST", "/api/v1/options"),
                         ("GET", "/api/v1/clusters/abc/scale"), ("PUT", "/api/v1/clusters/abc"),
                         ("GET", "/api/v1/clusters/abc/heartbeat")]:
        r = request(g, method, path, {} if method in ("POST", "PUT") else None)
        assert r.status == 405, (method, path, r)
        r.error()
    for path in ("/api/v1/nothing", "/api/v2/clusters/", "/api/v1/clusters/abc/def"):
        r = request(g, "GET", path)
        assert r.status == 404, (path, r)
        r.error()


def test_delete_on_the_list_route_is_405(gatehouse):
    g = gatehouse()
    r = request(g, "DELETE", "/api/v1/clusters/")
    assert r.status == 405, r
    assert r.headers["Allow"] == "GET, POST"
    r.error()
    r = request(g, "POST", "/api/v1/clusters//scale", {"count": 1})
    assert r.status == 404, r


def test_scale_and_adapt_body_errors(gatehouse):
    g = gatehouse()
    name = create(g)  # validation comes before the "is it running" check: PENDING is fine
    url = f"/api/v1/clusters/{name}/scale"
    for body, shown in [({"count": -1}, "-1"), ({}, "None"), ({"count": None}, "None"),
                        ({"count": "2"}, "2"), ({"count": 1.5}, "1.5")]:
        r = request(g, "POST", url, body)
        assert r.status == 422, (body, r)
        assert r.error() == f"Scale expects a non-negative integer, got {shown}", body
    for body in [{"minimum": -1, "maximum": None, "active": True},
                 {"minimum": None, "maximum": "lots", "active": True},
                 {"minimum": 0.5, "maximum": None, "active": True}]:
        r = request(g, "POST", f"/api/v1/clusters/{name}/adapt", body)
        assert r.status == 422, (body, r)
        r.error()
    stop(g, name)


def test_heartbeat_requires_the_cluster_token(gatehouse):
    g = gatehouse()
    name = create(g)
    beat = {"scheduler_address": "tls://127.0.0.1:1", "dashboard_address": "",
            "api_address": "http://127.0.0.1:1", "count": 0, "active_workers": [],
            "closing_workers": [], "closed_workers": []}
    url = f"/api/v1/clusters/{name}/heartbeat"
    for auth in [None, "token wrong-token", "token ", basic("alice"), "Bearer abc"]:
        headers = {} if auth is None else {"Authorization": auth}
        r = request(g, "POST", url, beat, user=None, headers=headers)
        assert r.status == 401, (auth, r)
        assert r.headers["WWW-Authenticate"] == "token", auth
        assert r.error() == "Unauthorized"
    r = request(g, "POST", "/api/v1/clusters/nope/heartbeat", beat, user=None,
                headers={"Authorization": "token abc"})
    assert r.status == 401 and r.headers["WWW-Authenticate"] == "token", r
    # A bad token on DELETE falls back to user authentication: the Basic challenge.
    r = request(g, "DELETE", f"/api/v1/clusters/{name}", user=None,
                headers={"Authorization": "token wrong-token"})
    assert r.status == 401, r
    assert r.headers["WWW-Authenticate"] == "Basic"
    assert report(g, name)["status"] in ("PENDING", "RUNNING")
    stop(g, name)


def test_malformed_json_bodies_are_400_never_500(gatehouse):
    g = gatehouse()
    name = create(g)
    cases = [("POST", "/api/v1/clusters/"), ("POST", f"/api/v1/clusters/{name}/scale"),
             ("POST", f"/api/v1/clusters/{name}/adapt"),
             ("POST", f"/api/v1/clusters/{name}/heartbeat")]
    for method, path in cases:
        for raw in (b"{not json", b'{"count": ', b"\xff\xfe"):
            r = request(g, method, path, raw=raw, headers={"Content-Type": "application/json"})
            # (the heartbeat may check its token before reading the body)
            allowed = (400, 401) if path.endswith("heartbeat") else (400,)
            assert r.status in allowed, (path, raw, r)
            r.error()
    # Nothing was created by the rejected requests.
    r = request(g, "GET", "/api/v1/clusters/")
    assert list(r.json()) == [name], r
    stop(g, name)


def test_json_content_type_everywhere(gatehouse):
    """Every JSON answer, success or error, is labelled application/json (checked in .json())."""
    g = gatehouse()
    checks = [
        ("GET", "/api/health", None, None, 200),
        ("GET", "/api/version", None, None, 200),
        ("GET", "/api/v1/options", None, "alice", 200),
        ("GET", "/api/v1/clusters/", None, "alice", 200),
        ("GET", "/api/v1/clusters/", None, None, 401),
        ("GET", "/api/v1/clusters/?status=BAD", None, "alice", 422),
        ("GET", "/api/v1/clusters/missing", None, "alice", 404),
        ("POST", "/api/v1/clusters/", {"cluster_options": {"x": 1}}, "alice", 422),
        ("POST", "/api/v1/clusters/missing/scale", {"count": 1}, "alice", 404),
    ]
    for method, path, body, user, status in checks:
        r = request(g, method, path, body, user=user)
        assert r.status == status, (method, path, r)
        r.json()

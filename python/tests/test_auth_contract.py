"""Authentication and authorization as the client sees them (spec §2.1–§2.3, §2.7, §2.8).

Ports upstream's ``tests/test_auth.py::test_basic_auth`` and ``test_basic_auth_password``, the
non-alphanumeric user name of upstream's Kubernetes integration tests, and adds raw-HTTP checks of
the challenge / session-cookie exchange and of the per-user permission errors.
"""
from __future__ import annotations

import base64
import http.client
import json
import re
from urllib.parse import urlsplit

import aiohttp
import pytest
from dask_gateway import BasicAuth, Gateway, GatewayCluster

from gatehouse_fixture import wait_until

# A closed sync GatewayCluster stops its Gateway's loop; the Gateway's own __del__ later trips
# over that inside the client (upstream marks the same warning FIXME in its tests).
pytestmark = pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <function Gateway\.__del__:pytest.PytestUnraisableExceptionWarning"
)

# Upstream's attributes, plus HttpOnly and SameSite=Lax (issue 14); never Secure over plain HTTP.
COOKIE_RE = re.compile(
    r"^(dask-gateway-[0-9a-f]+)=([0-9a-f]+); Max-Age=600; Path=/; HttpOnly; SameSite=Lax$")


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        ctype = self.headers.get("Content-Type", "")
        assert ctype.split(";")[0].strip() == "application/json", (self.status, ctype, self.body)
        return json.loads(self.body)

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


def basic(user: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("latin1")).decode()


def request(g, method, path, body=None, headers=None) -> Response:
    url = urlsplit(g.address)
    hdrs = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        conn.request(method, url.path + path, body=data, headers=hdrs)
        resp = conn.getresponse()
        return Response(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def assert_challenge(r: Response):
    assert r.status == 401, r
    assert r.headers["WWW-Authenticate"] == "Basic"
    assert r.json()["error"] == "Authentication required"
    assert r.headers.get_all("Set-Cookie") is None, "a cookie was set on a 401"


class CountingAuth(BasicAuth):
    """BasicAuth that counts how often the client had to answer a 401 challenge."""

    challenges = 0

    def pre_request(self, resp):
        self.challenges += 1
        return super().pre_request(resp)


# --------------------------------------------------------------------------------------------


def test_basic_auth(gatehouse, gateway_client):
    g = gatehouse()
    gateway = gateway_client(g, auth="basic")
    assert gateway.list_clusters() == []


def test_challenge_then_session_cookie(gatehouse):
    g = gatehouse()
    # 1. No credentials: the Basic challenge with a JSON body.
    assert_challenge(request(g, "GET", "/api/v1/clusters/"))

    # 2. Credentials: success, and a session cookie usable over plain HTTP.
    r = request(g, "GET", "/api/v1/clusters/", headers={"Authorization": basic("alice")})
    assert r.status == 200 and r.json() == {}, r
    cookies = r.headers.get_all("Set-Cookie")
    assert cookies and len(cookies) == 1, cookies
    m = COOKIE_RE.match(cookies[0])
    assert m, cookies[0]
    cookie = f"{m.group(1)}={m.group(2)}"

    # 3. The cookie alone authenticates; it is not re-issued on cookie-authenticated requests.
    r = request(g, "GET", "/api/v1/options", headers={"Cookie": cookie})
    assert r.status == 200 and r.json() == {"cluster_options": []}, r
    assert r.headers.get_all("Set-Cookie") is None

    # 4. A second full authentication of the same user re-issues the same cookie value.
    r = request(g, "GET", "/api/v1/clusters/", headers={"Authorization": basic("alice")})
    assert r.status == 200
    assert r.headers.get_all("Set-Cookie") == cookies

    # 5. Fully authenticated requests that end in an error set no cookie.
    for method, path, body in [("GET", "/api/v1/clusters/0123456789abcdef", None),
                               ("POST", "/api/v1/clusters/", {"cluster_options": {"x": 1}}),
                               ("GET", "/api/v1/clusters/?status=FOO", None)]:
        r = request(g, method, path, body, headers={"Authorization": basic("carol")})
        assert r.status in (404, 422), (path, r)
        assert r.headers.get_all("Set-Cookie") is None, (path, r.headers.get_all("Set-Cookie"))

    # 6. A forged or stale cookie value is not accepted.
    assert_challenge(request(g, "GET", "/api/v1/clusters/",
                             headers={"Cookie": f"{m.group(1)}={'0' * 32}"}))
    assert_challenge(request(g, "GET", "/api/v1/clusters/",
                             headers={"Cookie": f"dask-gateway-other={m.group(2)}"}))

    # 7. The cookie carries alice's identity: what alice creates with it, bob cannot see.
    r = request(g, "POST", "/api/v1/clusters/", {"cluster_options": {}},
                headers={"Cookie": cookie})
    assert r.status == 201, r
    name = r.json()["name"]
    r = request(g, "GET", f"/api/v1/clusters/{name}", headers={"Authorization": basic("bob")})
    assert r.status == 403, r
    r = request(g, "GET", "/api/v1/clusters/", headers={"Cookie": cookie})
    assert r.status == 200 and list(r.json()) == [name], r
    r = request(g, "DELETE", f"/api/v1/clusters/{name}", headers={"Cookie": cookie})
    assert r.status == 204, r
    wait_until(lambda: not g.leftover_processes(), 60, "the cluster's processes to exit")


def test_client_authenticates_once_then_uses_the_cookie(gatehouse, gateway_client):
    g = gatehouse()
    auth = CountingAuth(username="alice")
    gateway = gateway_client(g, auth=auth)
    assert gateway.list_clusters() == []
    assert auth.challenges == 1
    gateway.cluster_options()
    gateway.list_clusters(status="STOPPED")
    assert auth.challenges == 1, "the session cookie was not reused"
    # Any user name works without a configured password, each with its own session.
    other = CountingAuth(username="somebody-else", password="whatever")
    assert gateway_client(g, auth=other).list_clusters() == []
    assert other.challenges == 1


def test_basic_auth_password(gatehouse, gateway_client):
    g = gatehouse({"auth": {"type": "basic", "password": "mypass"}})
    auth = BasicAuth()
    gateway = gateway_client(g, auth=auth)
    with pytest.raises(aiohttp.ClientResponseError) as exc:
        gateway.list_clusters()
    assert exc.value.status == 401

    auth.password = "mypass"
    assert gateway.list_clusters() == []

    # The same over raw HTTP: a wrong password is the plain challenge, with no cookie.
    assert_challenge(request(g, "GET", "/api/v1/clusters/",
                             headers={"Authorization": basic("alice", "wrong")}))
    assert_challenge(request(g, "GET", "/api/v1/clusters/",
                             headers={"Authorization": basic("alice")}))
    r = request(g, "GET", "/api/v1/clusters/", headers={"Authorization": basic("alice", "mypass")})
    assert r.status == 200, r
    assert COOKIE_RE.match(r.headers.get_all("Set-Cookie")[0])
    # Passwords may contain colons: only the first colon separates the user name.
    g2 = gatehouse({"auth": {"type": "basic", "password": "my:pa:ss"}})
    r = request(g2, "GET", "/api/v1/clusters/", headers={"Authorization": basic("al", "my:pa:ss")})
    assert r.status == 200, r


def test_malformed_credentials_are_401_never_500(gatehouse):
    g = gatehouse()
    for header in ["Basic", "Basic ", "Basic !!!not-base64!!!", "Basic " +
                   base64.b64encode(b"no-colon-here").decode(), "Bearer abc", "Basicabc",
                   "token abc", "Negotiate abc"]:
        assert_challenge(request(g, "GET", "/api/v1/clusters/", headers={"Authorization": header}))
    # Latin-1 user names are what the client's BasicAuth sends; never a server error.
    r = request(g, "GET", "/api/v1/clusters/", headers={"Authorization": basic("zoë")})
    assert r.status in (200, 401), r


def test_non_alphanumeric_username(gatehouse, gateway_client):
    g = gatehouse()
    user = "alice@non-alpha.characters"
    gateway = gateway_client(g, auth=BasicAuth(username=user))
    cluster = gateway.new_cluster()
    try:
        assert [c.name for c in gateway.list_clusters()] == [cluster.name]
        assert gateway.get_cluster(cluster.name).status.name == "RUNNING"
        # Another user sees nothing of it.
        assert gateway_client(g, auth=BasicAuth(username="alice")).list_clusters() == []
        r = request(g, "GET", f"/api/v1/clusters/{cluster.name}",
                    headers={"Authorization": basic("alice")})
        assert r.status == 403, r
        assert r.json()["error"] == f"User alice lacks permissions to view cluster {cluster.name}"
    finally:
        cluster.shutdown()
    assert gateway.list_clusters() == []
    wait_until(lambda: [c.name for c in gateway.list_clusters(status="STOPPED")] == [cluster.name],
               60, "the STOPPED record of the user's cluster")


def test_users_cannot_touch_each_others_clusters(gatehouse, gateway_client):
    g = gatehouse()
    alice = gateway_client(g, auth=BasicAuth(username="alice"))
    bob = gateway_client(g, auth=BasicAuth(username="bob"))
    cluster = alice.new_cluster()
    name = cluster.name
    try:
        # Through the client: bob does not list it, and every call on it is a 403.
        assert bob.list_clusters() == []
        assert bob.list_clusters(status=["RUNNING", "PENDING", "STOPPED"]) == []
        for call in (lambda: bob.get_cluster(name), lambda: bob.scale_cluster(name, 2),
                     lambda: bob.adapt_cluster(name, maximum=2), lambda: bob.stop_cluster(name),
                     lambda: bob.connect(name)):
            with pytest.raises(aiohttp.ClientResponseError) as exc:
                call()
            assert exc.value.status == 403

        # Through raw HTTP: the exact messages.
        auth = {"Authorization": basic("bob")}
        for method, path, body, verb in [
            ("GET", f"/api/v1/clusters/{name}", None, "view"),
            ("GET", f"/api/v1/clusters/{name}?wait", None, "view"),
            ("POST", f"/api/v1/clusters/{name}/scale", {"count": 2}, "view"),
            ("POST", f"/api/v1/clusters/{name}/adapt",
             {"minimum": None, "maximum": 2, "active": True}, "view"),
            ("DELETE", f"/api/v1/clusters/{name}", None, "stop"),
        ]:
            r = request(g, method, path, body, headers=auth)
            assert r.status == 403, (method, path, r)
            assert r.json()["error"] == f"User bob lacks permissions to {verb} cluster {name}"

        # None of that touched alice's cluster.
        report = alice.get_cluster(name)
        assert report.status.name == "RUNNING"
        assert [c.name for c in alice.list_clusters()] == [name]
        assert cluster.scheduler_info["workers"] == {}
    finally:
        cluster.shutdown()

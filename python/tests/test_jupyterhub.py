"""JupyterHub authentication against a REAL JupyterHub (spec §2.4, §2.8).

A module-scoped fixture starts JupyterHub (the pinned ``jupyterhub`` package of python/
requirements.txt, with the npm ``configurable-http-proxy`` of the root package.json as its proxy)
on free loopback ports, with the dummy authenticator, a sqlite database in a temporary directory
and a registered service ``dask-gateway`` whose API token Gatehouse is configured with. Users:

* ``alice``: in group ``dask-users``, which Gatehouse grants access to;
* ``mallory``: a hub user in no group, so authenticated but not granted;
* ``root-admin``: a hub admin.

The service is also an OAuth client of the hub (redirect URI on a port chosen before the hub
starts), so a browser can log in to Gatehouse's web UI through the hub.

A role gives the users the ``access:services!service=dask-gateway`` scope, so that the tokens the
tests create for them (through the hub's REST API, with the service token) can carry it and pass
Gatehouse's scope gate. The unmodified dask-gateway client then talks to Gatehouse with
``JupyterHubAuth``; Gatehouse asks the hub who owns each token.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import dask.array as da
import pytest
import requests
from dask_gateway import Gateway, JupyterHubAuth

from gatehouse_fixture import ROOT, VENV, free_port, wait_until

CHP = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
JUPYTERHUB = VENV / "bin" / "jupyterhub"
SERVICE = "dask-gateway"
SERVICE_TOKEN = "gatehouse-test-service-token-0123456789"
TIMEOUT = 120


def http(method: str, url: str, token: str | None = None, scheme: str = "token", body=None):
    """One request; returns (status, reason, parsed JSON body or None). Never raises on 4xx/5xx."""
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"{scheme} {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, reason, raw = resp.status, resp.reason, resp.read()
    except urllib.error.HTTPError as err:
        status, reason, raw = err.code, err.reason, err.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, reason, parsed


class Hub:
    """A JupyterHub process with its own directory, ports and database."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.hub_port, self.proxy_port, self.proxy_api_port = free_port(), free_port(), free_port()
        self.api_url = f"http://127.0.0.1:{self.hub_port}/hub/api"
        # The same API through configurable-http-proxy, as users and most deployments reach it.
        self.public_api_url = f"http://127.0.0.1:{self.proxy_port}/hub/api"
        # The hub's browser-facing URL, and the port of the Gatehouse that logs browsers in
        # through it (the OAuth redirect URI is registered before that Gatehouse starts).
        self.public_url = f"http://127.0.0.1:{self.proxy_port}/hub"
        self.gatehouse_port = free_port()
        self.oauth_callback = f"http://127.0.0.1:{self.gatehouse_port}/api/ui/oauth/callback"
        self.log_file = workdir / "jupyterhub.log"
        self.proxy_pid_file = workdir / "jupyterhub-proxy.pid"
        config = workdir / "jupyterhub_config.py"
        config.write_text(textwrap.dedent(f"""\
            c = get_config()  # noqa
            c.JupyterHub.ip = "127.0.0.1"
            c.JupyterHub.port = {self.proxy_port}
            c.JupyterHub.hub_ip = "127.0.0.1"
            c.JupyterHub.hub_port = {self.hub_port}
            c.JupyterHub.authenticator_class = "dummy"
            c.JupyterHub.db_url = "sqlite:///{workdir / 'jupyterhub.sqlite'}"
            c.JupyterHub.cookie_secret_file = "{workdir / 'jupyterhub_cookie_secret'}"
            c.JupyterHub.pid_file = "{workdir / 'jupyterhub.pid'}"
            c.ConfigurableHTTPProxy.command = ["{CHP}"]
            c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{self.proxy_api_port}"
            c.ConfigurableHTTPProxy.pid_file = "{self.proxy_pid_file}"
            c.ConfigurableHTTPProxy.auth_token = "proxy-auth-token-for-tests"
            c.JupyterHub.services = [{{"name": "{SERVICE}", "api_token": "{SERVICE_TOKEN}",
                                       "oauth_redirect_uri": "{self.oauth_callback}",
                                       "oauth_no_confirm": True}}]
            c.JupyterHub.load_groups = {{"dask-users": {{"users": ["alice"]}}}}
            c.JupyterHub.load_roles = [
                # Gatehouse's service may mint tokens for the test users.
                {{"name": "gatehouse-test-service", "services": ["{SERVICE}"],
                  "scopes": ["tokens", "read:users", "list:users"]}},
                # Users may use the dask-gateway service (the scope Gatehouse's gate checks).
                {{"name": "dask-gateway-users", "users": ["alice", "mallory"],
                  "scopes": ["access:services!service={SERVICE}"]}},
            ]
            c.Authenticator.admin_users = {{"root-admin"}}
            c.Authenticator.allowed_users = {{"alice", "mallory", "root-admin"}}
            """))
        log = open(self.log_file, "ab")
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
        self.proc = subprocess.Popen(
            [str(JUPYTERHUB), "-f", str(config)],
            stdout=log, stderr=subprocess.STDOUT, cwd=workdir, env=env, start_new_session=True,
        )
        log.close()
        try:
            wait_until(self._ready, TIMEOUT, "JupyterHub and its proxy to serve", interval=0.5)
        except BaseException:
            self.stop()
            raise

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"jupyterhub exited with {self.proc.returncode}:\n{self.log_tail()}")
        try:
            # Through the proxy: the hub is up and has registered its route.
            return http("GET", self.public_api_url + "/")[0] == 200
        except OSError:
            return False

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def new_token(self, user: str, scopes: list[str] | None) -> str:
        """A new API token of ``user``, minted with the service token (None: the hub's default)."""
        body = {"note": "gatehouse test"}
        if scopes is not None:
            body["scopes"] = scopes
        status, _, data = http("POST", f"{self.api_url}/users/{user}/tokens", SERVICE_TOKEN,
                               body=body)
        assert status == 201, (status, data)
        return data["token"]

    def whoami(self, token: str):
        return http("GET", f"{self.api_url}/user", token)

    def stop(self) -> None:
        """SIGTERM (the hub then stops its proxy); SIGKILL whatever is left after a while."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        # The hub stops its proxy on a clean exit; after a SIGKILL the proxy would survive.
        try:
            proxy_pid = int(self.proxy_pid_file.read_text().strip())
            cmdline = Path(f"/proc/{proxy_pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if b"configurable-http-proxy" in cmdline:
            try:
                os.kill(proxy_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    h = Hub(tmp_path_factory.mktemp("jupyterhub"))
    yield h
    h.stop()
    assert h.proc.returncode is not None


@pytest.fixture(scope="module")
def tokens(hub):
    scope = [f"access:services!service={SERVICE}"]
    return {
        "alice": hub.new_token("alice", scope),
        "mallory": hub.new_token("mallory", scope),
        "root-admin": hub.new_token("root-admin", ["access:services"]),
        # A real hub token of alice's that may not use the gateway service.
        "alice-no-scope": hub.new_token("alice", ["read:users:name!user=alice"]),
    }


def jupyterhub_config(api_url: str) -> dict:
    return {
        "auth": {"type": "jupyterhub", "api_url": api_url, "api_token": SERVICE_TOKEN,
                 "service_name": SERVICE},
        "access": {"grant_all_authenticated": False, "grant_groups": ["dask-users"]},
    }


def hub_gateway(g, token: str) -> Gateway:
    return Gateway(g.address, g.proxy_address, auth=JupyterHubAuth(api_token=token),
                   asynchronous=True)


async def poll(predicate, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.2)


def test_hub_answers_as_the_authenticator_expects(hub, tokens):
    """What Gatehouse relies on, straight from the hub: the model of each token's owner, and
    403 (not 404) for a token the hub does not know."""
    status, _, alice = hub.whoami(tokens["alice"])
    assert status == 200
    assert (alice["kind"], alice["name"], alice["admin"]) == ("user", "alice", False)
    assert alice["groups"] == ["dask-users"]
    assert f"access:services!service={SERVICE}" in alice["scopes"]
    status, _, admin = hub.whoami(tokens["root-admin"])
    assert (status, admin["admin"], admin["groups"]) == (200, True, [])
    assert "access:services" in admin["scopes"]
    status, _, service = hub.whoami(SERVICE_TOKEN)
    assert (status, service["kind"], service["name"]) == (200, "service", SERVICE)
    assert "groups" not in service
    assert hub.whoami("no-such-token")[0] == 403


async def test_alice_runs_a_cluster(hub, tokens, gatehouse):
    g = gatehouse(config=jupyterhub_config(hub.api_url))
    async with hub_gateway(g, tokens["alice"]) as gateway:
        assert await gateway.list_clusters() == []
        cluster = await gateway.new_cluster()
        try:
            assert [c.name for c in await gateway.list_clusters()] == [cluster.name]
            await cluster.scale(1)
            await poll(lambda: len(cluster.scheduler_info["workers"]) == 1, "1 worker")
            async with cluster.get_client(set_as_default=False) as client:
                assert await client.submit(lambda x: x + 1, 41) == 42
                total = await client.compute(da.ones((200, 200), chunks=50).sum())
                assert float(total) == 40000.0
        finally:
            await cluster.shutdown()
        assert await gateway.list_clusters() == []
    await poll(lambda: not g.leftover_processes(), "scheduler and worker to exit")


async def test_mallory_is_authenticated_but_not_granted(hub, tokens, gatehouse):
    g = gatehouse(config=jupyterhub_config(hub.api_url))
    async with hub_gateway(g, tokens["mallory"]) as gateway:
        for call in (gateway.list_clusters, gateway.new_cluster):
            with pytest.raises(aiohttp.ClientResponseError) as exc:
                await call()
            assert exc.value.status == 403
            assert "not been granted" in exc.value.message or "Not granted" in exc.value.message
    # Authenticated as herself: /api/v1/me says who she is.
    status, _, me = http("GET", g.api_url + "/v1/me", tokens["mallory"], scheme="jupyterhub")
    assert (status, me) == (200, {"name": "mallory", "groups": [], "admin": False,
                                  "granted": False, "contact": None, "access_request": None})


async def test_bad_tokens_get_401(hub, tokens, gatehouse):
    g = gatehouse(config=jupyterhub_config(hub.api_url))
    # A token the hub does not know, a real token without the service scope, and the gateway's
    # own service token (which has no access:services scope either).
    for token in ("no-such-token", tokens["alice-no-scope"], SERVICE_TOKEN):
        async with hub_gateway(g, token) as gateway:
            with pytest.raises(aiohttp.ClientResponseError) as exc:
                await gateway.list_clusters()
            assert exc.value.status == 401, token
    status, _, body = http("GET", g.api_url + "/v1/clusters/", "no-such-token",
                                scheme="jupyterhub")
    assert status == 401
    # request_id (the X-Request-Id of the answer) differs on every request.
    assert {k: v for k, v in body.items() if k != "request_id"} == {
        "error": "Authentication required",
        "code": "unauthenticated",
    }


def test_identity_from_the_hub_through_its_proxy(hub, tokens, gatehouse):
    """Gatehouse pointed at the hub API through configurable-http-proxy (as deployments often
    are): groups and the hub's admin flag arrive, and the admin may use the admin API."""
    g = gatehouse(config=jupyterhub_config(hub.public_api_url))
    status, _, me = http("GET", g.api_url + "/v1/me", tokens["alice"], scheme="jupyterhub")
    assert (status, me) == (200, {"name": "alice", "groups": ["dask-users"], "admin": False,
                                  "granted": True, "contact": None, "access_request": None})
    status, _, me = http("GET", g.api_url + "/v1/me", tokens["root-admin"], scheme="jupyterhub")
    assert status == 200
    assert (me["name"], me["admin"]) == ("root-admin", True)
    status, _, users = http("GET", g.api_url + "/v1/admin/users", tokens["root-admin"],
                            scheme="jupyterhub")
    assert status == 200, users
    assert http("GET", g.api_url + "/v1/admin/users", tokens["alice"],
                scheme="jupyterhub")[0] == 403


def hub_browser_login(hub, g, user: str, next_path: str = "/ui/") -> requests.Session:
    """A browser's login to Gatehouse's web UI through the hub: Gatehouse's start link, the
    hub's login form (the dummy authenticator takes any password), the hub's authorize step and
    Gatehouse's callback, following redirects as a browser does. Returns the browser's session."""
    s = requests.Session()
    start = s.get(f"{g.address}/api/ui/oauth/start", params={"next": next_path},
                  allow_redirects=False, timeout=30)
    assert start.status_code == 302, start.text
    assert start.headers["Location"].startswith(hub.public_url + "/api/oauth2/authorize?")
    form = s.get(start.headers["Location"], timeout=30)  # the hub: not logged in, its login page
    assert form.status_code == 200 and "/hub/login" in form.url, (form.status_code, form.url)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
    done = s.post(form.url, data={"username": user, "password": "any",
                                  **({"_xsrf": xsrf.group(1)} if xsrf else {})}, timeout=30)
    assert done.url == g.address + next_path, [r.url for r in done.history] + [done.url]
    return s


def test_browser_login_through_jupyterhub(hub, gatehouse):
    """Issue 7: the web UI logs browsers in with the hub as OAuth provider; the session carries
    the hub's groups (so grants by group apply) and no Basic challenge ever reaches the browser."""
    config = jupyterhub_config(hub.api_url)
    config["auth"]["public_url"] = hub.public_url
    g = gatehouse(config=config, port=hub.gatehouse_port)

    alice = hub_browser_login(hub, g, "alice", "/ui/clusters")
    me = alice.get(f"{g.address}/api/ui/session", timeout=30).json()
    assert me == {"user": {"name": "alice", "groups": ["dask-users"], "admin": False, "granted": True,
                           "contact": None, "access_request": None},
                  "login": "jupyterhub"}
    mine = alice.get(f"{g.address}/api/v1/me/clusters", headers={"X-Requested-With": "fetch"},
                     timeout=30)
    assert mine.status_code == 200, mine.text
    # The UI cookie is a browser session: state changes need its CSRF token.
    new = alice.post(f"{g.address}/api/v1/clusters/", json={"cluster_options": {}},
                     headers={"X-Requested-With": "fetch"}, timeout=30)
    assert new.status_code == 403 and "csrf" in new.text.lower(), new.text

    mallory = hub_browser_login(hub, g, "mallory")
    me = mallory.get(f"{g.address}/api/ui/session", timeout=30).json()
    assert me["user"]["name"] == "mallory" and me["user"]["granted"] is False

    admin = hub_browser_login(hub, g, "root-admin")
    assert admin.get(f"{g.address}/api/ui/session", timeout=30).json()["user"]["admin"] is True


def test_hub_login_refuses_a_callback_started_in_another_browser(hub, gatehouse):
    """Login CSRF: a code and state obtained by one browser do not log another browser in."""
    config = jupyterhub_config(hub.api_url)
    config["auth"]["public_url"] = hub.public_url
    g = gatehouse(config=config, port=hub.gatehouse_port)
    attacker = requests.Session()
    start = attacker.get(f"{g.address}/api/ui/oauth/start", allow_redirects=False, timeout=30)
    state = re.search(r"state=([^&]+)", start.headers["Location"]).group(1)
    victim = requests.Session()
    r = victim.get(f"{g.address}/api/ui/oauth/callback", params={"code": "stolen", "state": state},
                   allow_redirects=False, timeout=30)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/ui/login?error="), r.headers["Location"]
    assert "gatehouse-ui=" not in r.headers.get("Set-Cookie", "").replace("gatehouse-ui=;", "")
    assert victim.get(f"{g.address}/api/ui/session", timeout=30).json()["user"] is None
    assert "WWW-Authenticate" not in r.headers

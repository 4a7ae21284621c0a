"""The cluster options SMCE users see (the seed's ``options = gateway.cluster_options()`` step),
end to end with the unmodified client and real scheduler and worker processes:

* ``conda_environment`` ("Environment"): the Python environment schedulers and workers run.
  Two light environments, ``.venvs/env-a`` and ``.venvs/env-b`` (``node scripts/setup.mjs
  --test``), share .venv's packages and differ only in their pinned ``six``;
* ``profile`` ("Cluster Profile"): the worker size (cores, threads, memory);
* ``environment_vars`` ("Environment Variables"): variables of the scheduler and workers, with
  the admin's values winning.

Group-limited choices are filtered in the TypeScript unit tests (Basic users carry no groups);
here admins, who see every choice, are compared with ordinary users.
"""
from __future__ import annotations

import base64
import gc
import http.client
import json
import os
import re
import signal
import stat
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dask_gateway import Gateway
from dask_gateway.auth import BasicAuth
from dask_gateway.options import Options

from gatehouse_fixture import CLI, ROOT, VENV, free_port, processes_of, wait_until

TIMEOUT = 120
GIB = 2**30

# A closed sync GatewayCluster stops its Gateway's loop; the Gateway's own __del__ later trips
# over that inside the client (upstream marks the same warning FIXME in its tests).
pytestmark = pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <function Gateway\.__del__:pytest.PytestUnraisableExceptionWarning"
)


def _pin(env: str) -> str:
    """The ``six`` version python/requirements-<env>.txt pins."""
    text = (ROOT / "python" / f"requirements-{env}.txt").read_text()
    m = re.search(r"^six==(\S+)$", text, re.M)
    assert m, f"no six pin in requirements-{env}.txt"
    return m.group(1)


ENV_A = ROOT / ".venvs" / "env-a"
ENV_B = ROOT / ".venvs" / "env-b"
SIX_A, SIX_B = _pin("env-a"), _pin("env-b")
ENVIRONMENTS = {"list": [{"name": "env-a", "prefix": str(ENV_A)},
                         {"name": "env-b", "prefix": str(ENV_B)}]}
# The seed's two worker sizes.
SEED_PROFILES = [
    {"name": "Small Worker", "worker_cores": 2, "worker_memory": "8 G", "default": True},
    {"name": "Medium Worker", "worker_cores": 4, "worker_memory": "16 G"},
]
STAFF_PROFILE = {"name": "Staff Worker", "worker_cores": 1, "worker_memory": "1 G",
                 "groups": ["staff"]}
SEED_CONFIG = {
    "environments": ENVIRONMENTS,
    "profiles": SEED_PROFILES,
    "cluster": {},
    "environment_variables": {"enabled": True, "admin": {"ADMIN_SET": "1"}},
}


@pytest.fixture(scope="module", autouse=True)
def test_environments():
    for env, pin in [(ENV_A, SIX_A), (ENV_B, SIX_B)]:
        python = env / "bin" / "python"
        assert python.exists(), f"{env} is missing: run node scripts/setup.mjs --test"
        out = subprocess.run(
            [str(python), "-c", "import six, sys; print(six.__version__, sys.prefix)"],
            check=True, capture_output=True, text=True,
        ).stdout.split()
        assert out == [pin, str(env)], f"{env}: {out}; rerun node scripts/setup.mjs --test"
    assert SIX_A != SIX_B


# ------------------------------------------------------------------------------ raw HTTP


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        ctype = self.headers.get("Content-Type", "")
        assert ctype.split(";")[0].strip() == "application/json", (self.status, self.body[:300])
        return json.loads(self.body)

    def error(self) -> str:
        body = self.json()
        assert isinstance(body, dict) and isinstance(body.get("error"), str), body
        return body["error"]

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


def request(address: str, method: str, path: str, body=None, *, user: str | None = "alice",
            token: str | None = None) -> Response:
    """One request to the gateway at ``address``, with Basic credentials for ``user`` or a
    bearer ``token``."""
    url = urlsplit(address)
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    elif user is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:".encode()).decode()
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=TIMEOUT)
    try:
        conn.request(method, url.path + path, body=data, headers=headers)
        resp = conn.getresponse()
        return Response(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def option_spec(address: str, user: str = "alice") -> list[dict]:
    r = request(address, "GET", "/api/v1/options", user=user)
    assert r.status == 200, r
    return r.json()["cluster_options"]


def by_field(spec: list[dict]) -> dict[str, dict]:
    return {e["field"]: e for e in spec}


def new_cluster_error(gateway, *args, **kwargs) -> str:
    """The message of the ValueError ``gateway.new_cluster(...)`` raises.

    The failed GatewayCluster leaves its own Gateway behind; if the garbage collector happens to
    finalize it on the client's event-loop thread, its ``__del__`` waits on that very loop and
    the next client call hangs forever (an upstream client bug). Collecting right here, on the
    main thread, closes it safely.
    """
    with pytest.raises(ValueError) as exc:
        gateway.new_cluster(*args, **kwargs)
    message = str(exc.value)
    del exc
    gc.collect()
    return message


def probe_function():
    """What a task reports about the process it runs in (a nested function, so cloudpickle
    ships it by value: the workers cannot import this test module)."""

    def probe():
        import os
        import sys

        import six

        return {"prefix": sys.prefix, "six": six.__version__,
                "MY_VAR": os.environ.get("MY_VAR"), "ADMIN_SET": os.environ.get("ADMIN_SET")}

    return probe


# ------------------------------------------------------------------------------ the seed step


def test_seed_options_step(gatehouse, gateway_client):
    g = gatehouse(SEED_CONFIG)
    gateway = gateway_client(g, auth=BasicAuth(username="alice"))

    options = gateway.cluster_options()
    repr(options)  # the notebook displays it
    widget = options._widget()
    assert widget is not None, "ipywidgets should be installed"
    labels = [c.value for c in widget.children[1].children[0::3]]
    assert labels == ["<p style='font-weight: bold'>%s:</p>" % label
                      for label in ("Environment", "Cluster Profile", "Environment Variables")]
    assert dict(options) == {"conda_environment": "env-a", "profile": "Small Worker",
                             "environment_vars": {}}

    options.conda_environment = "env-b"
    options.profile = "Medium Worker"
    options.environment_vars = {"MY_VAR": "hello", "ADMIN_SET": "user"}
    # The widgets follow what the notebook set.
    inputs = widget.children[1].children[1::3]
    assert [inputs[0].value, inputs[1].value] == ["env-b", "Medium Worker"]

    probe = probe_function()
    with gateway.new_cluster(options) as cluster:
        report = gateway.get_cluster(cluster.name)
        assert report.options == {"conda_environment": "env-b", "profile": "Medium Worker",
                                  "environment_vars": {"MY_VAR": "hello", "ADMIN_SET": "user"}}
        cluster.scale(2)
        client = cluster.get_client(set_as_default=False)
        try:
            client.wait_for_workers(2, timeout=TIMEOUT)
            workers = client.scheduler_info()["workers"].values()
            assert len(workers) == 2
            for w in workers:
                assert w["nthreads"] == 4, w
                assert w["memory_limit"] == 16 * GIB, w
            # The gateway hands an environment to clusters by its real path (the .venvs link
            # may sit in a directory cluster uids cannot traverse), so that is their prefix.
            expected = {"prefix": os.path.realpath(ENV_B), "six": SIX_B, "MY_VAR": "hello", "ADMIN_SET": "1"}
            # Every worker, the scheduler and a task run env-b with the user's variables,
            # except the one the admin sets.
            assert list(client.run(probe).values()) == [expected, expected]
            assert client.run_on_scheduler(probe) == expected
            assert client.submit(probe, pure=False).result(timeout=TIMEOUT) == expected
        finally:
            client.close()

    # A second cluster in env-a, with the default profile.
    options = gateway.cluster_options()
    options.conda_environment = "env-a"
    with gateway.new_cluster(options) as cluster:
        cluster.scale(1)
        client = cluster.get_client(set_as_default=False)
        try:
            client.wait_for_workers(1, timeout=TIMEOUT)
            (w,) = client.scheduler_info()["workers"].values()
            assert (w["nthreads"], w["memory_limit"]) == (2, 8 * GIB)
            result = client.submit(probe, pure=False).result(timeout=TIMEOUT)
            assert result == {"prefix": os.path.realpath(ENV_A), "six": SIX_A, "MY_VAR": None,
                              "ADMIN_SET": "1"}
        finally:
            client.close()
    assert gateway.list_clusters() == []
    wait_until(lambda: not g.leftover_processes(), TIMEOUT, "cluster processes to exit")


# ------------------------------------------------------------------------------ defaults


def test_defaults(gatehouse, gateway_client):
    g = gatehouse(SEED_CONFIG)
    gateway = gateway_client(g)
    options = gateway.cluster_options()
    assert dict(options) == {"conda_environment": "env-a", "profile": "Small Worker",
                             "environment_vars": {}}
    spec = by_field(option_spec(g.address))
    assert spec["profile"]["spec"] == {"type": "select",
                                       "options": ["Small Worker", "Medium Worker"]}
    assert spec["conda_environment"]["spec"] == {"type": "select", "options": ["env-a", "env-b"]}
    assert spec["environment_vars"]["spec"] == {"type": "mapping"}

    # No profile marked default: the first one the user can see. A named default environment.
    g2 = gatehouse({
        "environments": {**ENVIRONMENTS, "default": "env-b"},
        "profiles": [STAFF_PROFILE,
                     {"name": "Medium Worker", "worker_cores": 4, "worker_memory": "16 G"},
                     {"name": "Small Worker", "worker_cores": 2, "worker_memory": "8 G"}],
        "environment_variables": {"enabled": True},
    })
    options = gateway_client(g2).cluster_options()
    assert dict(options) == {"conda_environment": "env-b", "profile": "Medium Worker",
                             "environment_vars": {}}
    assert options._fields["profile"].options == ("Medium Worker", "Small Worker")


# ------------------------------------------------------------------------------ validation

VALIDATION_CONFIG = {
    "environments": ENVIRONMENTS,
    "profiles": [*SEED_PROFILES, STAFF_PROFILE],
    "environment_variables": {"enabled": True, "max_count": 3, "max_value_length": 10,
                              "reserved": ["SITE_SECRET"], "admin": {"ADMIN_SET": "1"}},
}


def test_invalid_options_are_value_errors_naming_the_field(gatehouse, gateway_client):
    g = gatehouse(VALIDATION_CONFIG)
    gateway = gateway_client(g)
    unknown_profile = "'Large Worker' is not a valid option for profile"
    cases = [
        # (options, field, exact server message or None)
        ({"nope": 1}, "nope", "Unknown fields ['nope']"),
        ({"profile": 3}, "profile", "profile must be a string, got 3"),
        ({"conda_environment": ["env-a"]}, "conda_environment",
         "conda_environment must be a string, got ['env-a']"),
        ({"profile": "Large Worker"}, "profile", unknown_profile),
        ({"conda_environment": "env-c"}, "conda_environment",
         "'env-c' is not a valid option for conda_environment"),
        # A choice limited to a group the user is not in is just as unknown.
        ({"profile": "Staff Worker"}, "profile",
         "'Staff Worker' is not a valid option for profile"),
        ({"environment_vars": "A=1"}, "environment_vars", None),
        ({"environment_vars": {"1ABC": "x"}}, "environment_vars", None),
        ({"environment_vars": {"MY-VAR": "x"}}, "environment_vars", None),
        ({"environment_vars": {"DASK_GATEWAY_API_TOKEN": "x"}}, "environment_vars", None),
        ({"environment_vars": {"SITE_SECRET": "x"}}, "environment_vars", None),
        ({"environment_vars": {"LONG": "x" * 11}}, "environment_vars", None),
        ({"environment_vars": {"NUM": 1}}, "environment_vars", None),
        ({"environment_vars": {"A": "1", "B": "2", "C": "3", "D": "4"}}, "environment_vars",
         None),
    ]
    for options, field, message in cases:
        # submit(**kwargs), as new_cluster(**kwargs), sends the values as they are: the server's
        # checks.
        with pytest.raises(ValueError) as exc:
            gateway.submit(**options)
        text = str(exc.value)
        assert field in text, (options, text)
        if message is not None:
            assert text == message, options
        # The raw answer: a 422 whose JSON error is what the client raised.
        r = request(g.address, "POST", "/api/v1/clusters/", {"cluster_options": options})
        assert r.status == 422, (options, r)
        assert r.error() == text, options
    # new_cluster(**kwargs), as the seed's users call it.
    assert new_cluster_error(gateway, profile="Staff Worker") == (
        "'Staff Worker' is not a valid option for profile")
    assert new_cluster_error(gateway, environment_vars={"SITE_SECRET": "x"}) == (
        "environment_vars: SITE_SECRET is set by the gateway and cannot be set by users")
    msgs = {}
    for name, value in [("1ABC", "x"), ("DASK_GATEWAY_API_TOKEN", "x"), ("SITE_SECRET", "x"),
                        ("LONG", "x" * 11), ("NUM", 1)]:
        r = request(g.address, "POST", "/api/v1/clusters/",
                    {"cluster_options": {"environment_vars": {name: value}}})
        assert r.status == 422, r
        msgs[name] = r.error()
        assert name in msgs[name], msgs[name]
    assert "not a valid variable name" in msgs["1ABC"]
    assert "cannot be set by users" in msgs["DASK_GATEWAY_API_TOKEN"]
    assert "cannot be set by users" in msgs["SITE_SECRET"]
    assert "longer than 10 characters" in msgs["LONG"]
    assert "must be a string" in msgs["NUM"]

    # The client's own Options object refuses wrong types and unknown choices before sending.
    options = gateway.cluster_options()
    for field, value, error in [("profile", 3, TypeError), ("profile", "Staff Worker", ValueError),
                                ("conda_environment", "env-c", ValueError),
                                ("environment_vars", [("A", "1")], TypeError)]:
        with pytest.raises(error) as exc:
            setattr(options, field, value)
        assert field in str(exc.value)
    with pytest.raises(AttributeError):
        options.nope = 1
    # Variables the server refuses pass the client's mapping check and fail on submission.
    options.environment_vars = {"DASK_GATEWAY_API_TOKEN": "x"}
    assert new_cluster_error(gateway, options).startswith(
        "environment_vars: DASK_GATEWAY_API_TOKEN ")

    # Nothing was created by any of this.
    assert gateway.list_clusters(status=["PENDING", "RUNNING", "STOPPING", "STOPPED",
                                         "FAILED"]) == []


# ------------------------------------------------------------------------------ per-user sets


def test_option_sets_per_user(gatehouse, gateway_client):
    g = gatehouse({
        "access": {"admin_users": ["admin"]},
        "environments": {"list": [ENVIRONMENTS["list"][0],
                                  {**ENVIRONMENTS["list"][1], "groups": ["staff"]}],
                         "default": "env-b"},
        # The staff profile is the marked default; alice's default is the first she sees.
        "profiles": [{**SEED_PROFILES[0], "default": False}, SEED_PROFILES[1],
                     {**STAFF_PROFILE, "default": True}],
        "environment_variables": {"enabled": True},
    })
    specs = {user: option_spec(g.address, user) for user in ("alice", "admin")}
    seen = {}
    for user, spec in specs.items():
        assert [e["field"] for e in spec] == ["conda_environment", "profile", "environment_vars"]
        options = Options._from_spec(spec)  # every default passes the client's validation
        assert dict(options) == {e["field"]: e["default"] for e in spec}
        for field in options:
            options[field] = options[field]
        seen[user] = {f: (spec_entry["spec"].get("options"), spec_entry["default"])
                      for f, spec_entry in by_field(spec).items()}
    # Alice sees neither staff choice; the defaults fall back to the first visible choice.
    assert seen["alice"] == {
        "conda_environment": (["env-a"], "env-a"),
        "profile": (["Small Worker", "Medium Worker"], "Small Worker"),
        "environment_vars": (None, {}),
    }
    # The admin sees every choice, and the configured defaults.
    assert seen["admin"] == {
        "conda_environment": (["env-a", "env-b"], "env-b"),
        "profile": (["Small Worker", "Medium Worker", "Staff Worker"], "Staff Worker"),
        "environment_vars": (None, {}),
    }
    # The client agrees with the raw spec.
    alice = gateway_client(g, auth=BasicAuth(username="alice"))
    admin = gateway_client(g, auth=BasicAuth(username="admin"))
    assert dict(alice.cluster_options()) == {"conda_environment": "env-a",
                                             "profile": "Small Worker", "environment_vars": {}}
    assert dict(admin.cluster_options()) == {"conda_environment": "env-b",
                                             "profile": "Staff Worker", "environment_vars": {}}
    # Alice cannot choose the staff profile even by hand; the admin can.
    assert new_cluster_error(alice, profile="Staff Worker") == (
        "'Staff Worker' is not a valid option for profile")
    assert new_cluster_error(alice, conda_environment="env-b") == (
        "'env-b' is not a valid option for conda_environment")
    r = request(g.address, "POST", "/api/v1/clusters/",
                {"cluster_options": {"profile": "Staff Worker", "conda_environment": "env-b"}},
                user="admin")
    assert r.status == 201, r
    name = r.json()["name"]
    report = request(g.address, "GET", f"/api/v1/clusters/{name}", user="admin").json()
    assert report["options"] == {"conda_environment": "env-b", "profile": "Staff Worker",
                                 "environment_vars": {}}
    r = request(g.address, "DELETE", f"/api/v1/clusters/{name}", user="admin")
    assert r.status == 204, r
    wait_until(lambda: not g.leftover_processes(), TIMEOUT, "cluster processes to exit")


# ------------------------------------------------------------------------------ broken environment


def test_broken_environment_is_not_offered(gatehouse, gateway_client, searchable_tmp):
    broken = searchable_tmp / "broken-env"  # isolated cluster uids (and the check) must reach it
    python = broken / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\necho 'this interpreter is broken on purpose' >&2\nexit 1\n")
    python.chmod(python.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    g = gatehouse({
        "access": {"admin_users": ["admin"]},
        "environments": {"list": [{"name": "broken", "prefix": str(broken)},
                                  ENVIRONMENTS["list"][0]]},
        "profiles": SEED_PROFILES,
    })
    for user in ("alice", "admin"):
        spec = by_field(option_spec(g.address, user))
        assert spec["conda_environment"]["spec"]["options"] == ["env-a"], user
        assert spec["conda_environment"]["default"] == "env-a"
    assert new_cluster_error(gateway_client(g), conda_environment="broken") == (
        "'broken' is not a valid option for conda_environment")

    r = request(g.address, "GET", "/api/v1/admin/environments", user="alice")
    assert r.status == 403, r
    r = request(g.address, "GET", "/api/v1/admin/environments", user="admin")
    assert r.status == 200, r
    envs = {e["name"]: e for e in r.json()}
    assert list(envs) == ["broken", "env-a"]
    assert envs["broken"]["state"] == "broken"
    assert envs["broken"]["prefix"] == str(broken)
    assert "this interpreter is broken on purpose" in envs["broken"]["detail"]
    assert envs["env-a"]["state"] == "ok"
    assert envs["env-a"]["detail"] == ""
    assert set(envs["env-a"]["versions"]) >= {"python", "distributed", "dask_gateway"}

    # Repaired (the interpreter changed): checked again and offered.
    # By its real path: the check runs as a cluster uid, which cannot traverse a clone under a
    # 0700 directory to reach .venvs/env-a, only the world-readable cache it links to.
    python.write_text(f'#!/bin/sh\nexec "{ENV_A.resolve()}/bin/python" "$@"\n')
    os.utime(python, (python.stat().st_atime, python.stat().st_mtime + 5))

    def offered():
        spec = by_field(option_spec(g.address))
        return spec["conda_environment"]["spec"]["options"] == ["broken", "env-a"]

    wait_until(offered, TIMEOUT, "the repaired environment to be offered", interval=0.5)
    envs = {e["name"]: e for e in
            request(g.address, "GET", "/api/v1/admin/environments", user="admin").json()}
    assert (envs["broken"]["state"], envs["broken"]["detail"]) == ("ok", "")


# ------------------------------------------------------------------------------ embedded defaults


class Serve:
    """``gatehouse serve`` without a config file, in its own working directory."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.ready = cwd / "ready.json"
        self.ready.unlink(missing_ok=True)
        self.stderr_file = cwd / f"stderr-{len(list(cwd.glob('stderr-*')))}.txt"
        env = {k: v for k, v in os.environ.items() if not k.startswith("GATEHOUSE_")}
        with open(self.stderr_file, "wb") as err, open(cwd / "stdout.log", "ab") as out:
            self.proc = subprocess.Popen(
                ["node", str(CLI), "serve", "--listen", f"127.0.0.1:{free_port()}",
                 "--ready-file", str(self.ready)],
                cwd=cwd, stdout=out, stderr=err, env=env,
            )

        def is_ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"gatehouse exited with {self.proc.returncode}: "
                                     f"{self.stderr()}")
            return self.ready.exists() and self.ready.read_text()

        self.address = json.loads(wait_until(is_ready, TIMEOUT, "gatehouse to serve"))["url"]

    def stderr(self) -> str:
        return self.stderr_file.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(TIMEOUT)


def test_embedded_defaults(tmp_path):
    first = Serve(tmp_path)
    try:
        spec = option_spec(first.address)
        assert [(e["field"], e["label"]) for e in spec] == [
            ("conda_environment", "Environment"),
            ("profile", "Cluster Profile"),
            ("environment_vars", "Environment Variables"),
        ]
        fields = by_field(spec)
        assert fields["profile"]["spec"] == {"type": "select",
                                             "options": ["Small Worker", "Medium Worker"]}
        assert fields["profile"]["default"] == "Small Worker"
        assert fields["conda_environment"]["spec"] == {"type": "select",
                                                       "options": ["gatehouse"]}
        assert fields["conda_environment"]["default"] == "gatehouse"
        assert (fields["environment_vars"]["spec"], fields["environment_vars"]["default"]) == (
            {"type": "mapping"}, {})
        assert dict(Options._from_spec(spec)) == {"conda_environment": "gatehouse",
                                                  "profile": "Small Worker",
                                                  "environment_vars": {}}

        # Not on a terminal, the admin API token goes to a 0600 file (its path printed, the
        # token not), and works.
        token_file = tmp_path / ".gatehouse" / "bootstrap-admin-token"
        text = wait_until(lambda: str(token_file) in first.stderr() and first.stderr(),
                          TIMEOUT, "the admin API token file")
        assert (token_file.stat().st_mode & 0o777) == 0o600
        token = token_file.read_text().strip()
        assert token not in text, text
        r = request(first.address, "GET", "/api/v1/admin/environments", token=token)
        assert r.status == 200, r
        assert [(e["name"], e["prefix"], e["state"]) for e in r.json()] == [
            ("gatehouse", str(VENV), "ok")]
    finally:
        first.stop()
    assert (tmp_path / ".gatehouse").is_dir()
    assert first.proc.returncode == 0, first.stderr()

    # A second start with the same data directory prints no new token.
    second = Serve(tmp_path)
    try:
        assert [e["field"] for e in option_spec(second.address)] == [
            "conda_environment", "profile", "environment_vars"]
        assert "Admin API token" not in second.stderr()
        assert token_file.read_text().strip() == token
        api_url = second.address + "/api"
    finally:
        second.stop()
    assert second.proc.returncode == 0, second.stderr()
    assert processes_of(api_url) == []


# ------------------------------------------------------------------------------ reserved names


def test_reserved_settings_cannot_be_spelled_in_another_case(gatehouse):
    """dask reads every ``DASK_*`` variable case-insensitively (``collect_env`` lower-cases the
    name), so ``DASK_distributed__comm__timeouts__connect`` sets the same comm setting as the
    reserved ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT`` and must be refused as well."""
    g = gatehouse(SEED_CONFIG)
    name = "DASK_distributed__comm__timeouts__connect"
    r = request(g.address, "POST", "/api/v1/clusters/",
                {"cluster_options": {"environment_vars": {name: "77s"}}})
    if r.status == 201:  # accepted by mistake: do not leave the cluster running
        assert request(g.address, "DELETE", f"/api/v1/clusters/{r.json()['name']}").status == 204
        wait_until(lambda: not g.leftover_processes(), TIMEOUT, "cluster processes to exit")
    assert r.status == 422, r
    assert r.error().startswith(f"environment_vars: {name} "), r.error()

"""Fuzzing the public surface (issue 10).

1. ``schemathesis`` (its own environment, ``.venvs/fuzz``) runs against a live Gatehouse from the
   gateway's own OpenAPI document, as an admin user whose quota allows no cluster to start, so
   the fuzz creates no process. Streaming and long-poll operations are excluded explicitly: the
   event routes (SSE) and the ``wait`` query parameter of ``GET /api/v1/clusters/{name}``. The
   run must send at least 2,000 cases, get a 2xx for every read operation, and see no 5xx and
   no check failure (response schema, status codes, content types, headers, auth, methods).
2. A loop throws random and mutated ClientHellos and HTTP request lines at the public port;
   afterwards a real API request and a real SNI-routed TLS connection to a running cluster
   (a dask client computing through the proxy) still succeed.
"""
from __future__ import annotations

import base64
import json
import os
import random
import re
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from gatehouse_fixture import ROOT, wait_until

# Under pytest-xdist (scripts/test-all.mjs runs -n 2 --dist loadgroup) the tests that load the
# machine on purpose (the fuzzers, the connection flood) share one worker, so they never run at
# the same time as each other.
pytestmark = pytest.mark.xdist_group("machine-load")

FUZZ_ENV = ROOT / ".venvs" / "fuzz"
PASSWORD = "fuzz-secret"
FUZZER = "fuzzer"
# Long-lived operations the fuzzer must not call: event streams (another helper's routes).
STREAMING_PATH_REGEX = r"/events$"


def _cluster_of(pid: int, gone: str) -> str | None:
    """The cluster a gateway-started process belongs to (its ``DASK_GATEWAY_CLUSTER_NAME``);
    ``gone`` when the process exited meanwhile."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            env = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
    except OSError:
        return gone
    name = env.get(b"DASK_GATEWAY_CLUSTER_NAME")
    return None if name is None else name.decode()


def _request(url, method="GET", body=None, user=FUZZER, password=PASSWORD):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    req.add_header("Authorization", f"Basic {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as resp:
        text = resp.read().decode()
        return resp.status, (json.loads(text) if text else None)


def _operation_matchers(doc):
    """(method, template, regex) for every operation of ``doc``."""
    out = []
    for template, item in doc["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]*", re.escape(template)) + "$"
        for method in item:
            out.append((method.upper(), template, re.compile(pattern)))
    # Literal paths win over templated ones (/clusters/ vs /clusters/{cluster_name}).
    out.sort(key=lambda m: m[1].count("{"))
    return out


def _operation_of(matchers, method, url):
    path = urllib.parse.urlsplit(url).path
    for m, template, rx in matchers:
        if m == method and rx.match(path):
            return f"{m} {template}"
    return None


@pytest.mark.skipif(not (FUZZ_ENV / "bin" / "st").exists(), reason="run scripts/setup.mjs --test")
def test_schemathesis_fuzz(gatehouse, tmp_path):
    g = gatehouse(
        {
            "auth": {"type": "basic", "password": PASSWORD},
            # One shared password with an admin is refused unless accepted explicitly.
            "access": {"grant_all_authenticated": False, "admin_users": [FUZZER],
                       "unsafe_shared_password_admins": True},
            # Room for the one setup cluster below; 0 from the restart before fuzzing on.
            "quotas": {"users": {FUZZER: {"max_clusters": 1}}},
            # A scheduler that never reports in: even a cluster record costs no dask process.
            "cluster": {"scheduler_cmd": ["/bin/sh", "-c", "exec sleep 300"]},
            "log": {"level": "info"},
            # The auth checks send many wrong passwords and expect 401 each time, not the
            # password throttle's 429 (test_abuse and the unit tests cover the throttle).
            "limits": {"password_failures_burst": 1000000},
        }
    )
    api = g.api_url
    # A cluster of the fuzz user (stopped at once), so the cluster read routes can answer 2xx.
    status, created = _request(f"{api}/v1/clusters/", "POST", {})
    assert status == 201
    name = created["name"]
    _request(f"{api}/v1/clusters/{name}", "DELETE")
    wait_until(
        lambda: _request(f"{api}/v1/clusters/{name}")[1]["status"] == "STOPPED",
        60,
        "the setup cluster to stop",
    )
    # Restart with a config quota of 0 (no admin override exists for the fuzzer to clear).
    g.stop()
    g.config["quotas"]["users"][FUZZER]["max_clusters"] = 0
    g.config_file.write_text(yaml.safe_dump(g.config))
    g.start()
    api = g.api_url
    assert _request(f"{api}/v1/clusters/{name}")[1]["status"] == "STOPPED"

    # The document as served, with examples for the path parameters of the read operations and
    # without the long-poll parameter.
    with urllib.request.urlopen(f"{api}/openapi.json", timeout=30) as resp:
        doc = json.load(resp)
    # Only the user's (stopped) cluster: schemathesis reuses a path's examples for its other
    # methods, and an example naming the user would let it change the user's own quota.
    examples = {"cluster_name": name}
    for template, item in doc["paths"].items():
        for method, op in item.items():
            params = op.get("parameters", [])
            op["parameters"] = [p for p in params if not (p["in"] == "query" and p["name"] == "wait")]
            if method == "get":
                for p in op["parameters"]:
                    if p["in"] == "path" and p["name"] in examples:
                        p["example"] = examples[p["name"]]
    schema_file = tmp_path / "openapi.json"
    schema_file.write_text(json.dumps(doc))
    def run_pass(seed: int, seconds: int, report: Path):
        cmd = [
            str(FUZZ_ENV / "bin" / "st"),
            "run",
            str(schema_file),
            "--url",
            g.address,
            "--auth",
            f"{FUZZER}:{PASSWORD}",
            "--phases",
            # No stateful phase: it would feed names from responses (this very user) into the
            # admin routes, e.g. raise the user's own quota.
            "examples,coverage,fuzzing",
            "--checks",
            "all",
            # Valid-looking values the gateway still refuses by policy (quota 0, unknown option
            # fields of this config, an access request by a granted user) are not bugs.
            "--exclude-checks",
            "positive_data_acceptance",
            "--exclude-path-regex",
            STREAMING_PATH_REGEX,
            # Fuzzing repeats until the time is spent.
            "--max-time",
            str(seconds),
            "--no-shrink",
            "--workers",
            "2",
            "--seed",
            str(seed),
            "--report",
            "har,json",
            "--report-dir",
            str(report),
            "--request-timeout",
            "30",
        ]
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 300, cwd=tmp_path)
        summary = json.loads(next(report.glob("json-*.json")).read_text())
        har = json.loads(next(report.glob("har-*.json")).read_text())
        return run.stdout + run.stderr, summary, har

    # One pass of 90 s sends several thousand cases on an idle CI machine; on a machine loaded
    # by other work further passes (new seeds) run until 2,500 cases or 240 s in all.
    t0 = time.monotonic()
    cases = 0
    passes = []
    while cases < 2500 and (left := 240 - (time.monotonic() - t0)) > 20:
        out = run_pass(20261201 + len(passes), int(min(90, left)), tmp_path / f"report{len(passes)}")
        passes.append(out)
        cases += out[1]["test_cases"]["generated"]
    elapsed = time.monotonic() - t0

    matchers = _operation_matchers(doc)
    per_op: dict[str, dict[int, int]] = {}
    server_errors = []
    requests = 0
    for _, _, har in passes:
        for entry in har["log"]["entries"]:
            requests += 1
            code = entry["response"]["status"]
            method, url = entry["request"]["method"], entry["request"]["url"]
            op = _operation_of(matchers, method, url) or "other"
            per_op.setdefault(op, {}).setdefault(code, 0)
            per_op[op][code] += 1
            if code >= 500:
                server_errors.append((method, url, code))
    failures = [f for _, summary, _ in passes for f in summary["failures"]]
    reads = sorted(
        f"GET {t}"
        for t, item in doc["paths"].items()
        if "get" in item and not re.search(STREAMING_PATH_REGEX, t)
        # Redirect-only routes (the browser login through JupyterHub) document no 2xx.
        and any(code.startswith("2") for code in item["get"].get("responses", {}))
    )
    no_2xx = [op for op in reads if not any(200 <= c < 300 for c in per_op.get(op, {}))]
    print(
        f"schemathesis: {cases} cases, {requests} requests in {len(passes)} pass(es), "
        f"{elapsed:.0f} s; {len(server_errors)} answers 5xx; {len(failures)} failing checks; "
        f"{len(reads) - len(no_2xx)}/{len(reads)} read operations answered 2xx"
    )
    for op in sorted(per_op):
        print(f"  {op}: {dict(sorted(per_op[op].items()))}")

    assert not server_errors, server_errors[:20]
    assert failures == [], "\n".join(out[-8000:] for out, summary, _ in passes if summary["failures"])
    assert cases >= 2000, passes[-1][0][-3000:]
    assert not no_2xx, f"read operations without a 2xx answer: {no_2xx}"
    # The fuzz started nothing its quota refused.
    _, clusters = _request(f"{api}/v1/admin/clusters?status=PENDING,RUNNING,STOPPING,STOPPED,FAILED")
    # The fuzzer is an admin, and the admin routes let it raise its own quota (schemathesis does
    # reach /admin/quotas/fuzzer); a cluster is then legitimate. Any other cluster of the user
    # was started past a quota of 0.
    _, audit = _request(f"{api}/v1/admin/audit?limit=10000")
    changes = sorted(
        (a["time"], a["action"], a["detail"])
        for a in audit
        if a["target"] == FUZZER and a["action"] in ("set quota", "clear quota") and a["outcome"] == "ok"
    )

    def quota_allowed_at(ms):
        before = [(action, detail) for t, action, detail in changes if t <= ms]
        if not before or before[-1][0] == "clear quota":
            return False
        return json.loads(before[-1][1]).get("max_clusters", 0) != 0

    mine = [c for c in clusters if c["username"] == FUZZER]
    past_quota = [c for c in mine if c["name"] != name and not quota_allowed_at(c["start_time"])]
    print(f"the fuzzer's own quota changed {len(changes)} times; it has {len(mine)} clusters")
    assert name in [c["name"] for c in mine]
    assert not past_quota, f"clusters started past a quota of 0: {past_quota}; quota changes: {changes}"
    # No process runs for a cluster other than those a raised quota allowed (they may still run).
    allowed = {c["name"] for c in mine if c["name"] != name and quota_allowed_at(c["start_time"])}
    stray = {pid: cluster for pid in g.leftover_processes()
             if (cluster := _cluster_of(pid, "gone")) != "gone" and cluster not in allowed}
    assert stray == {}, f"processes of clusters the fuzz may not run: {stray}; allowed: {allowed}"


# ---------------------------------------------------------------------------------------------
# Raw bytes at the public port
# ---------------------------------------------------------------------------------------------


def client_hello(server_name: str) -> bytes:
    """The first TLS record a real Python TLS client sends for ``server_name``."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname=server_name)
    with pytest.raises(ssl.SSLWantReadError):
        obj.do_handshake()
    return outgoing.read()


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.random()
        i = rng.randrange(len(b)) if b else 0
        if op < 0.5 and b:
            b[i] = rng.randrange(256)
        elif op < 0.7:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op < 0.9 and b:
            del b[i : i + rng.randint(1, 16)]
        else:
            b = b[: rng.randrange(len(b) + 1)]
    return bytes(b)


REQUEST_LINES = [
    b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /api/v1/clusters/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{\"a\":",
    b"GET /clusters/abc/status HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    b"DELETE /api/v1/clusters/%00 HTTP/1.0\r\n\r\n",
    b"GET /api/v1/clusters/?wait HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
]


def throw(port: int, payload: bytes, rng: random.Random) -> None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(payload)
            if rng.random() < 0.5:
                s.shutdown(socket.SHUT_WR)
            s.settimeout(0.3)
            try:
                s.recv(65536)
            except OSError:
                pass
    except OSError:
        pass


def test_raw_byte_fuzz_leaves_api_and_sni_routing_working(gatehouse, gateway_client):
    g = gatehouse()
    gw = gateway_client(g, auth="basic")
    cluster = gw.new_cluster()
    cluster.scale(1)
    port = int(g.url.rsplit(":", 1)[1])
    rng = random.Random(1201)
    hellos = [client_hello(f"daskgateway-{cluster.name}"), client_hello("daskgateway-nosuch"),
              client_hello("example.org")]
    sent = 0
    deadline = time.monotonic() + 25
    while time.monotonic() < deadline and sent < 1500:
        kind = rng.random()
        if kind < 0.4:
            payload = mutate(rng.choice(hellos), rng)
        elif kind < 0.8:
            payload = mutate(rng.choice(REQUEST_LINES), rng)
        else:
            payload = bytes(rng.randrange(256) for _ in range(rng.randint(0, 2048)))
        throw(port, payload, rng)
        sent += 1
    print(f"raw fuzz: {sent} payloads thrown at port {port}")
    assert sent >= 300

    # The API still answers, and the SNI route still reaches the scheduler.
    with urllib.request.urlopen(f"{g.api_url}/health", timeout=30) as resp:
        assert resp.status == 200
    client = cluster.get_client()
    assert client.submit(lambda x: x + 1, 41).result(timeout=120) == 42
    client.close()
    cluster.shutdown()

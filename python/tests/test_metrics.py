"""The metrics scrape (issue 10): the main ``gatehouse_`` families change as a real cluster
starts, scales, is used through the proxy and stops, driven by the real dask-gateway client.
``/api/metrics`` is read with the configured scrape token, as Prometheus would."""
from __future__ import annotations

import base64
import re
import urllib.error
import urllib.request

from dask_gateway import BasicAuth

from conftest import wait_for_workers
from gatehouse_fixture import wait_until

TOKEN = "scrape-token-0123456789abcdef"
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$")


def scrape(g, token=TOKEN) -> dict[str, float]:
    """Every sample as ``name{labels}`` → value."""
    req = urllib.request.Request(f"{g.api_url}/metrics")
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.headers["Content-Type"].startswith("text/plain")
        text = resp.read().decode()
    out = {}
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if m:
            out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return out


def total(samples: dict[str, float], prefix: str) -> float:
    return sum(v for k, v in samples.items() if k.startswith(prefix))


def test_scrape_needs_the_token_or_an_admin(gatehouse):
    g = gatehouse({"metrics": {"token": TOKEN}, "access": {"admin_users": ["root"]}})
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}):
        req = urllib.request.Request(f"{g.api_url}/metrics", headers=headers)
        try:
            urllib.request.urlopen(req, timeout=30)
            raise AssertionError("scrape without the token was answered")
        except urllib.error.HTTPError as e:
            assert e.code == 401
            assert e.headers["X-Request-Id"]
    assert "gatehouse_clusters{status=\"RUNNING\"}" in scrape(g)
    # An admin may read it too (Basic auth, any password in the test config).
    req = urllib.request.Request(f"{g.api_url}/metrics", headers={"Authorization": "Basic cm9vdDp4"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert b"gatehouse_http_request_duration_seconds_bucket" in resp.read()


def test_metric_families_follow_a_real_cluster(gatehouse, gateway_client):
    g = gatehouse({"metrics": {"token": TOKEN}})
    gw = gateway_client(g, auth=BasicAuth(username="alice", password="pw"))
    before = scrape(g)
    assert before['gatehouse_clusters{status="RUNNING"}'] == 0
    assert before['gatehouse_processes{backend="local",kind="scheduler"}'] == 0
    assert before["gatehouse_cluster_start_duration_seconds_count"] == 0

    cluster = gw.new_cluster()
    running = scrape(g)
    assert running['gatehouse_clusters{status="RUNNING"}'] == 1
    assert running['gatehouse_processes{backend="local",kind="scheduler"}'] == 1
    assert running["gatehouse_cluster_start_duration_seconds_count"] == 1
    assert running['gatehouse_user_active_cores{user="alice"}'] >= 1
    assert running['gatehouse_user_active_memory_bytes{user="alice"}'] > 0
    assert total(running, "gatehouse_http_request_duration_seconds_count") > total(
        before, "gatehouse_http_request_duration_seconds_count"
    )

    cluster.scale(2)
    wait_for_workers(cluster, exact=2, timeout=120)
    scaled = wait_until(
        lambda: (s := scrape(g))['gatehouse_workers{state="running"}'] == 2 and s,
        60,
        "two running workers in the metrics",
    )
    assert scaled['gatehouse_processes{backend="local",kind="worker"}'] == 2
    assert scaled['gatehouse_pool_machines{state="used"}'] >= 1
    assert scaled['gatehouse_user_active_cores{user="alice"}'] > running[
        'gatehouse_user_active_cores{user="alice"}'
    ]

    # A client through the SNI proxy: a scheduler connection and its bytes.
    client = cluster.get_client()
    assert client.submit(sum, [1, 2, 3]).result(timeout=120) == 6
    used = scrape(g)
    assert used['gatehouse_proxy_connections{kind="scheduler"}'] >= 1
    assert used['gatehouse_proxy_connections_total{kind="scheduler"}'] >= 1
    assert used['gatehouse_proxy_bytes_total{kind="scheduler",direction="in"}'] > 0
    assert used['gatehouse_proxy_bytes_total{kind="scheduler",direction="out"}'] > 0
    # The dashboard through the path proxy.
    # Dashboards are for their owner (alice; any password in the test config).
    page = urllib.request.Request(
        cluster.dashboard_link,
        headers={"Authorization": "Basic " + base64.b64encode(b"alice:pw").decode()})
    with urllib.request.urlopen(page, timeout=60) as resp:
        assert resp.status == 200
        resp.read()
    dash = scrape(g)
    assert dash['gatehouse_proxy_connections_total{kind="dashboard"}'] >= 1
    assert dash['gatehouse_proxy_bytes_total{kind="dashboard",direction="out"}'] > 0
    # Heartbeats arrive (period 2 s in the test config).
    wait_until(
        lambda: scrape(g)["gatehouse_heartbeat_interval_seconds_count"] >= 1, 60, "a heartbeat"
    )
    assert scrape(g)["gatehouse_heartbeat_lag_seconds"] < 60
    client.close()

    cluster.shutdown()
    stopped = wait_until(
        lambda: (s := scrape(g))['gatehouse_clusters{status="STOPPED"}'] == 1 and s,
        60,
        "the cluster to be STOPPED in the metrics",
    )
    assert stopped['gatehouse_clusters{status="RUNNING"}'] == 0
    assert stopped['gatehouse_processes{backend="local",kind="scheduler"}'] == 0
    assert stopped['gatehouse_processes{backend="local",kind="worker"}'] == 0
    assert 'gatehouse_user_active_cores{user="alice"}' not in stopped
    assert stopped['gatehouse_workers{state="stopped"}'] >= 2
    wait_until(
        lambda: scrape(g)['gatehouse_proxy_connections{kind="scheduler"}'] == 0,
        60,
        "the scheduler connection to close",
    )


def test_refusals_are_counted(gatehouse):
    g = gatehouse({"metrics": {"token": TOKEN}, "quotas": {"users": {"bob": {"max_clusters": 0}}}})
    before = scrape(g)
    try:
        urllib.request.urlopen(f"{g.api_url}/v1/clusters/", timeout=30)
    except urllib.error.HTTPError as e:
        assert e.code == 401
    req = urllib.request.Request(
        f"{g.api_url}/v1/clusters/",
        data=b"{}",
        method="POST",
        headers={"Authorization": "Basic Ym9iOng=", "Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(req, timeout=30)
    except urllib.error.HTTPError as e:
        assert e.code == 422
    after = scrape(g)
    key = 'gatehouse_refusals_total{reason="%s"}'
    assert after.get(key % "unauthenticated", 0) == before.get(key % "unauthenticated", 0) + 1
    assert after.get(key % "quota", 0) == before.get(key % "quota", 0) + 1

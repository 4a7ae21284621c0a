"""Core-hour budgets (issue 21) with real processes and the unmodified dask-gateway client: a
budget of 0.01 core-hours (36 core-seconds) and a grace period of 2 s. Past 80 % the user's next
scale answers with a ``GatewayWarning`` (never an error); once the budget is used up a scale-up
and a new cluster are refused (422, a ``ValueError``); after the grace period the running
cluster is stopped with reason "budget". The events come in that order.

The scheduler and two workers of 1 core each use 3 cores, so the budget runs out in about 12 s
(the warning comes 2.4 s before).
"""
from __future__ import annotations

import json
import os
import subprocess
import warnings

import pytest
from dask_gateway import BasicAuth, GatewayWarning

from conftest import wait_for_workers
from gatehouse_fixture import CLI, free_port, wait_until

TIMEOUT = 90

CONFIG = {
    "access": {"admin_users": ["admin"]},
    "cluster": {"worker_cores": 1, "worker_memory": "1 G", "worker_threads": 1},
    "budgets": {"period": "month", "users": {"alice": 0.01}, "warn_at": 0.8,
                "grace_period": 2, "check_period": 0.25},
}

pytestmark = pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <function Gateway\.__del__:pytest.PytestUnraisableExceptionWarning"
)


def budget(g, user: str = "alice") -> dict:
    status, body = g.get_json("/api/v1/me/budget", user)
    assert status == 200, body
    return body


def budget_events(g, name: str) -> list[tuple[str, str]]:
    status, body = g.get_json(f"/api/v1/clusters/{name}/events", "admin")
    assert status == 200, body
    return [(e["type"], str(e["data"].get("reason", ""))) for e in body["events"]
            if e["type"].startswith("budget.") or e["type"] in ("cluster.stopping", "cluster.stopped")]


def scale_with_warnings(cluster, n: int) -> list[str]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        cluster.scale(n)
    return [str(w.message) for w in seen if issubclass(w.category, GatewayWarning)]


def cli(g, user: str, *args: str) -> str:
    """Runs the gatehouse CLI as `user` against gateway `g`; its output."""
    env = {**os.environ, "GATEHOUSE_ADDRESS": g.address, "GATEHOUSE_USER": user}
    r = subprocess.run(["node", str(CLI), *args], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_budget_warns_then_refuses_then_stops_with_reason_budget(gatehouse, gateway_client):
    g = gatehouse(config=CONFIG, port=free_port())
    gw = gateway_client(g, auth=BasicAuth(username="alice"))
    first = budget(g)
    assert first["budget_core_hours"] == 0.01 and first["state"] == "ok", first
    cluster = gw.new_cluster()
    name = cluster.name
    try:
        assert scale_with_warnings(cluster, 2) == []
        wait_for_workers(cluster, exact=2, timeout=TIMEOUT)

        # Past 80 %: the next scale answers with a warning the client shows, not an error.
        wait_until(lambda: budget(g)["state"] != "ok", TIMEOUT, "80 % of the budget used")
        assert budget(g)["state"] == "warning", budget(g)
        shown = scale_with_warnings(cluster, 2)
        assert any("of your budget of 0.01 core-hours this month" in m for m in shown), shown

        # Used up: a scale-up and a new cluster are refused, with a clear message.
        wait_until(lambda: budget(g)["state"] == "exhausted", TIMEOUT, "the budget used up")
        with pytest.raises(ValueError, match="Cannot scale up: Your budget of 0.01 core-hours"):
            cluster.scale(3)
        with pytest.raises(ValueError, match="Cannot start a cluster: Your budget"):
            gw.new_cluster()

        # After the grace period the running cluster stops, with reason "budget".
        wait_until(lambda: ("cluster.stopped", "budget") in budget_events(g, name),
                   TIMEOUT, "the cluster stopped with reason budget")
        got = budget_events(g, name)
        assert got.index(("budget.warning", "")) < got.index(("budget.exhausted", ""))
        assert got.index(("budget.exhausted", "")) < got.index(("cluster.stopping", "budget"))

        assert "used up" in cli(g, "alice", "budget")
        # An admin's extra hours (the CLI's admin verb) lift the refusal at once.
        granted = json.loads(cli(g, "admin", "admin", "budget", "alice", "--grant", "1", "--json"))
        assert granted["budget"]["state"] == "ok" and granted["grants"][0]["hours"] == 1, granted
        assert "left:" in cli(g, "alice", "budget")
        again = gw.new_cluster()
        again.shutdown()
    finally:
        cluster.close()
        gw.close()

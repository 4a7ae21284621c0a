"""Shared clusters (issue 22) with the unmodified dask-gateway client: alice shares her cluster
with bob at level ``use`` (he connects and computes, but cannot scale or stop it), then
``manage`` (he scales it), then revokes the share (every cluster route refuses him again).
``list_clusters()`` keeps showing each user their own clusters only; "shared with me" is
``GET /api/v1/me/shared-clusters``. The dashboard follows the share (a script's request here;
no browser). Group shares are covered by the authorization matrix.
"""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import pytest
from aiohttp import ClientResponseError
from dask_gateway import BasicAuth
from distributed import Client

from conftest import wait_for_workers

pytestmark = pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <function Gateway\.__del__:pytest.PytestUnraisableExceptionWarning"
)


def call(g, method: str, path: str, user: str, body=None):
    """(status, parsed body or None) of one request with Basic credentials."""
    req = urllib.request.Request(
        g.address + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Basic " + base64.b64encode(f"{user}:".encode()).decode(),
                 **({} if body is None else {"Content-Type": "application/json"})},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else None


def dashboard_status(g, cid: str, user: str) -> int:
    """The status of a script's (Basic credentials, no browser headers) dashboard request."""
    req = urllib.request.Request(
        f"{g.address}/clusters/{cid}/status",
        headers={"Authorization": "Basic " + base64.b64encode(f"{user}:".encode()).decode()},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def refused(f) -> int:
    with pytest.raises(ClientResponseError) as exc:
        f()
    return exc.value.status


def test_share_use_manage_revoke(gatehouse, gateway_client):
    g = gatehouse()
    alice = gateway_client(g, auth=BasicAuth("alice"))
    bob = gateway_client(g, auth=BasicAuth("bob"))
    cluster = alice.new_cluster()
    cid = cluster.name
    cluster.scale(1)

    # Not shared: bob gets nothing.
    assert refused(lambda: bob.get_cluster(cid)) == 403
    assert call(g, "GET", f"/api/v1/clusters/{cid}/shares", "bob")[0] == 403
    assert call(g, "PUT", f"/api/v1/clusters/{cid}/shares/user/bob", "bob", {"level": "use"})[0] == 403
    assert dashboard_status(g, cid, "alice") == 200
    assert dashboard_status(g, cid, "bob") == 403

    # use: connect and compute, but no scale and no stop.
    status, share = call(g, "PUT", f"/api/v1/clusters/{cid}/shares/user/bob", "alice",
                         {"level": "use"})
    assert status == 200 and (share["principal"], share["level"]) == ("bob", "use"), share
    theirs = bob.connect(cid)
    with Client(theirs) as client:
        client.wait_for_workers(1, timeout=60)
        assert client.submit(lambda x: x * 2, 21).result(timeout=60) == 42
    assert refused(lambda: theirs.scale(2)) == 403
    assert dashboard_status(g, cid, "bob") == 200
    assert call(g, "DELETE", f"/api/v1/clusters/{cid}", "bob")[0] == 403
    assert bob.list_clusters() == []
    status, shared = call(g, "GET", "/api/v1/me/shared-clusters", "bob")
    assert status == 200 and [c["name"] for c in shared] == [cid], shared
    assert call(g, "GET", "/api/v1/me/shared-clusters", "alice") == (200, [])

    # manage: bob scales it.
    call(g, "PUT", f"/api/v1/clusters/{cid}/shares/user/bob", "alice", {"level": "manage"})
    theirs.scale(2)
    wait_for_workers(theirs, exact=2)
    status, shares = call(g, "GET", f"/api/v1/clusters/{cid}/shares", "alice")
    assert status == 200 and [(s["principal"], s["level"]) for s in shares] == [("bob", "manage")]

    # Revoked: every cluster route refuses him at once.
    assert call(g, "DELETE", f"/api/v1/clusters/{cid}/shares/user/bob", "alice")[0] == 204
    assert refused(lambda: bob.get_cluster(cid)) == 403
    assert refused(lambda: theirs.scale(1)) == 403
    assert call(g, "POST", f"/api/v1/clusters/{cid}/adapt", "bob", {"minimum": 0})[0] == 403
    assert call(g, "DELETE", f"/api/v1/clusters/{cid}", "bob")[0] == 403
    assert call(g, "GET", "/api/v1/me/shared-clusters", "bob") == (200, [])
    assert dashboard_status(g, cid, "bob") == 403
    assert call(g, "DELETE", f"/api/v1/clusters/{cid}/shares/user/bob", "alice")[0] == 404
    theirs.close(shutdown=False)
    cluster.shutdown()

"""Upstream's client-contract scenarios, run with the unmodified dask-gateway client.

Ports of ``tests/test_db_backend.py`` (successful cluster, scaling, adaptive scaling, resource
limits, idle timeout) and ``tests/test_client.py`` (GatewayCluster constructors, cleanup on
close / GC / error / exit, widget, dashboard links, reprs, versions) — see spec §11. Each test
starts its own Gatehouse with real dask schedulers and workers. Upstream's async tests stay
async here; the others use the sync API exactly as notebooks do.
"""
from __future__ import annotations

import base64
import asyncio
import gc
import subprocess
import sys
import textwrap
import time
import urllib.request
import warnings

import dask
import dask_gateway
import pytest
import yaml
from dask_gateway import Gateway, GatewayCluster, GatewayWarning
from dask_gateway.client import ClusterStatus, cleanup_lingering_clusters

from conftest import wait_for_workers
from gatehouse_fixture import CLI, free_port, wait_until

TIMEOUT = 60
WIDGET_WORKERS = "<tr><th>Workers</th> <td>%d</td></tr>"

# A closed sync GatewayCluster stops its Gateway's loop; the Gateway's own __del__ later trips
# over that inside the client (upstream marks the same warning FIXME in its tests).
pytestmark = pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <function Gateway\.__del__:pytest.PytestUnraisableExceptionWarning"
)


def async_gateway(g, **kwargs) -> Gateway:
    return Gateway(address=g.address, proxy_address=g.proxy_address, asynchronous=True, **kwargs)


async def poll(predicate, what: str, timeout: float = TIMEOUT):
    """``wait_until`` for async tests: awaits ``predicate()`` (sync or async) until truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.2)


async def wait_for_workers_async(cluster, atleast=None, exact=None, timeout=TIMEOUT):
    def enough():
        n = len(cluster.scheduler_info["workers"])
        return (atleast is not None and n >= atleast) or (exact is not None and n == exact)
    await poll(enough, f"{atleast if atleast is not None else exact} workers "
               f"(have {len(cluster.scheduler_info['workers'])})", timeout)


def dotted(config: dict, prefix: str = "") -> dict:
    """{"gateway": {"auth": {"type": "basic"}}} -> {"gateway.auth.type": "basic"}, so that
    ``dask.config.set`` updates single keys instead of replacing whole sections."""
    out = {}
    for k, v in config.items():
        if isinstance(v, dict) and v:
            out.update(dotted(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def stopped_names(gateway) -> set[str]:
    return {c.name for c in gateway.list_clusters(status="STOPPED")}


# ------------------------------------------------------------------ test_db_backend.py ports


async def test_successful_cluster(gatehouse):
    g = gatehouse()
    async with async_gateway(g) as gateway:
        assert await gateway.list_clusters() == []

        cluster = await gateway.new_cluster()
        clusters = await gateway.list_clusters()
        assert [c.name for c in clusters] == [cluster.name]
        assert clusters[0].status is ClusterStatus.RUNNING
        assert cluster.scheduler_address == f"{g.proxy_address}/{cluster.name}"

        await cluster.scale(2)
        async with cluster.get_client(set_as_default=False) as client:
            assert await client.submit(lambda x: x + 1, 1) == 2
        await wait_for_workers_async(cluster, exact=2)

        await cluster.scale(1)
        await wait_for_workers_async(cluster, exact=1)
        async with cluster.get_client(set_as_default=False) as client:
            assert await client.submit(lambda x: x + 1, 1) == 2

        await cluster.shutdown()
        assert await gateway.list_clusters() == []
        await poll(lambda: gateway.list_clusters(status="STOPPED"), "the STOPPED record")
        stopped = await gateway.list_clusters(status="STOPPED")
        assert [c.name for c in stopped] == [cluster.name]
        assert stopped[0].stop_time >= stopped[0].start_time
    await poll(lambda: not g.leftover_processes(), "scheduler and workers to exit")


async def test_scaling(gatehouse):
    g = gatehouse()
    async with async_gateway(g) as gateway:
        async with gateway.new_cluster() as cluster:
            await cluster.scale(5)
            await wait_for_workers_async(cluster, atleast=3)

            await cluster.scale(1)
            await wait_for_workers_async(cluster, exact=1)
        assert await gateway.list_clusters() == []


async def test_adaptive_scaling(gatehouse):
    g = gatehouse({"cluster": {"adaptive_period": 0.25}})
    async with async_gateway(g) as gateway:
        async with gateway.new_cluster() as cluster:
            # Turn on adaptive scaling: work makes a worker appear.
            await cluster.adapt()
            async with cluster.get_client(set_as_default=False) as client:
                assert await client.submit(lambda x: x + 1, 1) == 2

            # Scales down automatically.
            await wait_for_workers_async(cluster, exact=0)

            # scale() turns adaptive scaling off implicitly: the worker stays.
            await cluster.scale(1)
            await wait_for_workers_async(cluster, exact=1)

            await cluster.adapt()
            await wait_for_workers_async(cluster, exact=0)

            # Turn off adaptive scaling explicitly.
            await cluster.adapt(active=False)


async def test_cluster_resource_limits(gatehouse):
    g = gatehouse({"cluster": {"cluster_max_workers": 2}})
    async with async_gateway(g) as gateway:
        async with gateway.new_cluster() as cluster:
            # Within the limit: no warning.
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always")
                await cluster.scale(1)
            assert not [w for w in seen if issubclass(w.category, GatewayWarning)]

            # Limits on scale count.
            with pytest.warns(GatewayWarning, match="Scaling to 2 instead"):
                await cluster.scale(3)
            await wait_for_workers_async(cluster, exact=2)

            # Limits on adapt maximum.
            with pytest.warns(GatewayWarning, match="Using `maximum=2, minimum=0` instead"):
                await cluster.adapt(maximum=3)

            # Limits on adapt minimum.
            with pytest.warns(GatewayWarning, match="Using `maximum=2, minimum=2` instead"):
                await cluster.adapt(minimum=3, maximum=4)
            assert len(cluster.scheduler_info["workers"]) <= 2


def test_idle_timeout(gatehouse, gateway_client):
    g = gatehouse({"cluster": {"idle_timeout": 2}})
    gateway = gateway_client(g)
    cluster = gateway.new_cluster()
    name = cluster.name

    # Add workers and some work that keeps the scheduler busy while the idle check loops. On a
    # loaded machine the scheduler may already have been idle for 2 s (counted from its own
    # start) before this arrives; then the cluster is already on its way out, which is fine.
    try:
        cluster.scale(2)
        client = cluster.get_client(set_as_default=False)
        try:
            assert client.submit(time.sleep, 1).result(timeout=TIMEOUT) is None
        finally:
            client.close()
    except Exception:
        if name in {c.name for c in gateway.list_clusters()}:
            raise

    # Nobody asks for anything more: the scheduler shuts its cluster down through the gateway.
    wait_until(lambda: not gateway.list_clusters(), 10, "the idle cluster to shut itself down",
               interval=0.25)
    # The scheduler asked to be stopped: that is a normal stop, not a failure.
    wait_until(lambda: name in stopped_names(gateway), TIMEOUT, "the STOPPED record")
    assert gateway.list_clusters(status="FAILED") == []
    # Calling shutdown afterwards doesn't break anything.
    cluster.shutdown()
    assert gateway.list_clusters() == []
    assert name in stopped_names(gateway)
    wait_until(lambda: not g.leftover_processes(), TIMEOUT, "scheduler and workers to exit")


# --------------------------------------------------------------------- test_client.py ports


async def test_create_cluster_with_GatewayCluster_constructor(gatehouse):
    g = gatehouse()
    async with GatewayCluster(address=g.address, proxy_address=g.proxy_address,
                              asynchronous=True) as cluster:
        clusters = await cluster.gateway.list_clusters()
        assert [c.name for c in clusters] == [cluster.name]
        assert cluster.status == "running"

        await cluster.scale(1)
        async with cluster.get_client(set_as_default=False) as client:
            assert await client.submit(lambda x: x + 1, 1) == 2

    assert cluster.status == "closed"
    async with async_gateway(g) as gateway:
        assert await gateway.list_clusters() == []


def test_sync_constructors(gatehouse, gateway_client):
    g = gatehouse()
    gateway = gateway_client(g)
    with gateway.new_cluster() as cluster:
        assert cluster.shutdown_on_close
        cluster.scale(1)
        client = cluster.get_client(set_as_default=False)
        assert client.submit(lambda x: x + 1, 1).result(timeout=TIMEOUT) == 2

        # A second Gateway object connects to the same cluster by name.
        other = gateway_client(g)
        with other.connect(cluster.name) as cluster2:
            assert cluster2.name == cluster.name
            assert not cluster2.shutdown_on_close
            assert cluster2.scheduler_address == cluster.scheduler_address
            client2 = cluster2.get_client(set_as_default=False)
            assert client2.submit(lambda x: x + 1, 1).result(timeout=TIMEOUT) == 2
            assert len(cluster2.scheduler_info["workers"]) == 1
        # Closing the connected object did not stop the cluster.
        assert [c.name for c in gateway.list_clusters()] == [cluster.name]
        assert gateway.get_cluster(cluster.name).status is ClusterStatus.RUNNING
        assert client.submit(lambda x: x * 2, 4).result(timeout=TIMEOUT) == 8
    assert cluster.status == "closed"
    assert gateway.list_clusters() == []


def test_GatewayCluster_shutdown_on_close(gatehouse, gateway_client):
    g = gatehouse()

    def start():
        cluster = GatewayCluster(address=g.address, proxy_address=g.proxy_address)
        assert cluster.shutdown_on_close
        assert cluster in GatewayCluster._instances
        return cluster.name

    name = start()
    gc.collect()
    assert len(GatewayCluster._instances) == 0

    gateway = gateway_client(g)
    assert gateway.list_clusters() == []
    wait_until(lambda: name in stopped_names(gateway), TIMEOUT, "the STOPPED record")
    wait_until(lambda: not g.leftover_processes(), TIMEOUT, "the scheduler to exit")


def test_GatewayCluster_client_error_doesnt_prevent_cleanup(gatehouse, gateway_client):
    g = gatehouse()

    class BadGatewayCluster(GatewayCluster):
        async def _stop_async(self):
            await super()._stop_async()
            raise ValueError("OH NO")

    def start():
        cluster = BadGatewayCluster(address=g.address, proxy_address=g.proxy_address)
        assert cluster in GatewayCluster._instances
        return cluster.name

    name = start()
    gc.collect()
    assert len(GatewayCluster._instances) == 0

    gateway = gateway_client(g)
    assert gateway.list_clusters() == []
    wait_until(lambda: name in stopped_names(gateway), TIMEOUT, "the STOPPED record")


def test_GatewayCluster_cleanup_lingering_clusters(gatehouse, gateway_client):
    g = gatehouse()
    cluster = GatewayCluster(address=g.address, proxy_address=g.proxy_address)
    assert list(GatewayCluster._instances) == [cluster]

    # No warnings raised by the cleanup function.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        cleanup_lingering_clusters()
    assert cluster.status == "closed"
    assert len(GatewayCluster._instances) == 0

    # No harm in running it twice.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        cleanup_lingering_clusters()

    gateway = gateway_client(g)
    assert gateway.list_clusters() == []
    wait_until(lambda: cluster.name in stopped_names(gateway), TIMEOUT, "the STOPPED record")


def test_GatewayCluster_cleanup_at_interpreter_exit(gatehouse, gateway_client, tmp_path):
    """A script that creates a cluster and exits without shutting it down: the client's atexit
    hook must stop it on the server."""
    g = gatehouse()
    script = tmp_path / "leave_cluster.py"
    script.write_text(textwrap.dedent("""
        import sys
        from dask_gateway import GatewayCluster

        cluster = GatewayCluster(address=sys.argv[1], proxy_address=sys.argv[2])
        cluster.scale(1)
        print(cluster.name, flush=True)
        # no shutdown: the interpreter exits with the cluster still open
    """))
    run = subprocess.run([sys.executable, str(script), g.address, g.proxy_address],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    name = run.stdout.strip().splitlines()[-1]
    assert "Exception ignored when closing" not in run.stderr, run.stderr[-3000:]

    gateway = gateway_client(g)
    assert gateway.list_clusters() == []
    wait_until(lambda: name in stopped_names(gateway), TIMEOUT, "the STOPPED record")
    wait_until(lambda: not g.leftover_processes(), TIMEOUT, "scheduler and worker to exit")


def test_cluster_widget(gatehouse):
    ipywidgets = pytest.importorskip("ipywidgets")
    g = gatehouse()
    with GatewayCluster(address=g.address, proxy_address=g.proxy_address) as cluster:
        widget = cluster._widget()
        assert isinstance(widget, ipywidgets.VBox)
        assert cluster._widget() is widget
        assert (WIDGET_WORKERS % 0) in cluster._widget_status()
        html = "".join(getattr(w, "value", "") for w in widget.children)
        assert cluster.name in html
        assert cluster.dashboard_link and cluster.dashboard_link in html

        cluster.scale(1)
        wait_for_workers(cluster, exact=1, timeout=TIMEOUT)
        assert (WIDGET_WORKERS % 1) in cluster._widget_status()
        # The status widget is refreshed from the scheduler's worker-status stream.
        wait_until(lambda: (WIDGET_WORKERS % 1) in cluster._status_widget.value, TIMEOUT,
                   "the widget to show 1 worker")

        # The widget's own "Manual Scaling" controls scale through the gateway.
        request, scale_button = widget.children[1].children[1].children[0].children
        request.value = 0
        scale_button.click()
        wait_for_workers(cluster, exact=0, timeout=TIMEOUT)
        wait_until(lambda: (WIDGET_WORKERS % 0) in cluster._status_widget.value, TIMEOUT,
                   "the widget to show 0 workers")


def test_dashboard_link_from_public_address(gatehouse, gateway_client):
    pytest.importorskip("bokeh")
    public = "https://dashboards.example.invalid/services/gatehouse"
    g = gatehouse({"public_url": public}, port=free_port())
    out = subprocess.run(["node", str(CLI), "client-config", "-c", str(g.config_file)],
                         check=True, capture_output=True, text=True, timeout=60).stdout

    # 1. The dask configuration `gatehouse client-config` prints for a public_url.
    with dask.config.set(dotted(yaml.safe_load(out))):
        gateway = Gateway()
    try:
        assert gateway.address == g.address
        assert gateway._public_address == public
        cluster = gateway.new_cluster()
        sol = f"{public}/clusters/{cluster.name}/status"
        assert cluster.dashboard_link == sol
        clusters = gateway.list_clusters()
        assert [c.dashboard_link for c in clusters] == [sol]
        with gateway.connect(cluster.name) as cluster2:
            assert cluster2.dashboard_link == sol

        # 2. Upstream's case: a relative public address in the client's dask config.
        with dask.config.set(gateway__address=g.address,
                             gateway__public_address="/services/dask-gateway/",
                             gateway__proxy_address=g.proxy_address):
            other = gateway_client(g, address=None, proxy_address=None)
        assert other._public_address == "/services/dask-gateway"
        sol2 = f"/services/dask-gateway/clusters/{cluster.name}/status"
        for c in other.list_clusters():
            assert c.dashboard_link == sol2
        with other.connect(cluster.name) as cluster3:
            assert cluster3.dashboard_link == sol2

        # The route itself is served by the gateway at its own address, to the owner.
        owner = base64.b64encode(
            f"{gateway.auth.username}:{gateway.auth.password or ''}".encode()).decode()
        page = urllib.request.Request(f"{g.address}/clusters/{cluster.name}/status",
                                      headers={"Authorization": f"Basic {owner}"})
        with urllib.request.urlopen(page, timeout=TIMEOUT) as resp:
            assert resp.status == 200
            assert "text/html" in resp.headers["Content-Type"]
        cluster.shutdown()
    finally:
        gateway.close()


def test_client_reprs(gatehouse, gateway_client):
    g = gatehouse()
    gateway = gateway_client(g)
    assert repr(gateway) == f"Gateway<{g.address}>"
    cluster = gateway.new_cluster()

    # Plain repr.
    assert cluster.name in repr(cluster)
    assert repr(cluster) == f"GatewayCluster<{cluster.name}, status=running>"
    report = gateway.get_cluster(cluster.name)
    assert repr(report) == f"ClusterReport<name={cluster.name}, status=RUNNING>"

    # HTML repr with the dashboard the gateway reported.
    link = f"{g.address}/clusters/{cluster.name}/status"
    assert cluster.dashboard_link == link
    assert cluster.name in cluster._repr_html_()
    assert link in cluster._repr_html_()

    # The dask Client shows the same dashboard link.
    client = cluster.get_client(set_as_default=False)
    assert client.dashboard_link == cluster.dashboard_link
    client.close()

    # HTML repr with no dashboard.
    cluster.dashboard_link = None
    assert "Not Available" in cluster._repr_html_()
    cluster.shutdown()
    assert repr(cluster) == f"GatewayCluster<{cluster.name}, status=closed>"


def test_get_versions(gatehouse, gateway_client):
    g = gatehouse()
    versions = gateway_client(g).get_versions()
    assert versions["client"]["version"] == dask_gateway.__version__
    assert versions["server"]["version"] == "2026.3.0"

"""Measure 4: scheduler traffic through each server's proxy and directly, and dashboard loads.

One cluster with 2 workers per server. A ``distributed.Client`` with ``direct_to_workers=False``
scatters N MiB (distinct random 16 MiB blocks) to the workers and gathers them back, so every
byte travels client ↔ scheduler; through the proxy the client dials ``gateway://…/<name>``,
directly it dials the scheduler's own ``tls://`` address. The proxy process's socket byte
counters (kernel TCP counters, `ss -tinp`) must grow by at least N MiB each way during a proxied transfer (and
stay flat during a direct one). Then the round-trip time of small ``echo`` messages, and the
load of the dashboard status page with every script and stylesheet it references.
"""
from __future__ import annotations

import asyncio
import os
import re
import time
import urllib.parse

import aiohttp
from distributed import Client
from distributed.core import rpc

import clients
import procstat

BLOCK = 16 * 2**20


async def _transfer(address, security, blocks, proxy_pid):
    async with Client(address, security=security, asynchronous=True,
                      direct_to_workers=False) as client:
        io0 = procstat.socket_bytes(proxy_pid)
        t0 = time.monotonic()
        futures = await client.scatter(blocks, hash=False)
        t1 = time.monotonic()
        io1 = procstat.socket_bytes(proxy_pid)
        back = await client.gather(futures)
        t2 = time.monotonic()
        io2 = procstat.socket_bytes(proxy_pid)
        up, down = procstat.socket_delta(io0, io1), procstat.socket_delta(io1, io2)
        assert sum(len(b) for b in back) == sum(len(b) for b in blocks)
        await client.cancel(futures)
    mib = sum(len(b) for b in blocks) / 2**20
    return {
        "up": mib / (t1 - t0),
        "down": mib / (t2 - t1),
        # Through the proxy each byte is received on one socket and sent on another.
        "proxy_up_mib": min(up) / 2**20,
        "proxy_down_mib": min(down) / 2**20,
    }


async def _rtt(address, security, n):
    r = rpc(address, connection_args=security.get_connection_args("client"))
    try:
        await r.echo(data=b"x" * 64)
        out = []
        for _ in range(n):
            t0 = time.perf_counter()
            await r.echo(data=b"x" * 64)
            out.append((time.perf_counter() - t0) * 1000)
        return out
    finally:
        await r.close_rpc()


ASSET = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"')


async def _page_load(session, url):
    """Seconds to load the page and its scripts and stylesheets, and how many failed. The session
    authenticates as the cluster's owner: Gatehouse's dashboards are behind login."""
    t0 = time.monotonic()
    async with session.get(url) as r:
        html = await r.text()
        failed = 0 if r.status == 200 else 1
    assets = [urllib.parse.urljoin(str(r.url), a) for a in ASSET.findall(html)]
    for a in assets:
        async with session.get(a) as ar:
            await ar.read()
            failed += ar.status != 200
    return time.monotonic() - t0, len(assets), failed


def _percentile(values, p):
    s = sorted(values)
    return s[max(0, min(len(s) - 1, -(-len(s) * p // 100) - 1))]


async def measure_proxy(servers, results, reps, mib, echoes, page_loads, log):
    n = max(1, mib * 2**20 // BLOCK) if mib >= 16 else 1
    size = BLOCK if mib >= 16 else mib * 2**20
    blocks = [os.urandom(size) for _ in range(n)]
    total = n * size / 2**20
    metrics = {}
    for path in ("proxy", "direct"):
        metrics[path, "up"] = results.metric(
            "proxy", f"scatter {total:.0f} MiB client → workers, {path}", "MiB/s", "higher")
        metrics[path, "down"] = results.metric(
            "proxy", f"gather {total:.0f} MiB workers → client, {path}", "MiB/s", "higher")
    for path in ("proxy", "direct"):
        metrics[path, "p50"] = results.metric("proxy", f"echo round trip p50, {path}", "ms", "lower")
        metrics[path, "p99"] = results.metric("proxy", f"echo round trip p99, {path}", "ms", "lower")
    for path in ("proxy", "direct"):
        metrics[path, "page"] = results.metric(
            "proxy", f"dashboard /status page + assets, {path}", "s", "lower")
    crossed = results.metric("proxy", "MiB crossing the proxy per proxied transfer (each way, min)",
                             "MiB", "higher", note=f"must be ≥ {total:.0f}")
    setups = {}
    try:
        for server in servers:
            gw = clients.gateway(server)
            cluster = await gw.new_cluster()
            await cluster.scale(2)
            await clients.wait_workers(cluster, 2, 180)
            r = rpc(cluster.scheduler_address,
                    connection_args=cluster.security.get_connection_args("client"))
            ident = await r.identity()
            await r.close_rpc()
            setups[server.kind] = (gw, cluster, ident["address"], ident["services"]["dashboard"])
        owner = aiohttp.BasicAuth(clients.USER, "")
        async with aiohttp.ClientSession(auth=owner) as session:
            for rep in range(reps):
                for server in clients.alternate(servers, rep):
                    gw, cluster, direct, dash_port = setups[server.kind]
                    sec = cluster.security
                    pid = server.proxy_pid()
                    for path, addr in (("proxy", cluster.scheduler_address), ("direct", direct)):
                        t = await _transfer(addr, sec, blocks, pid)
                        metrics[path, "up"].add(server.kind, t["up"])
                        metrics[path, "down"].add(server.kind, t["down"])
                        if path == "proxy":
                            moved = min(t["proxy_up_mib"], t["proxy_down_mib"])
                            crossed.add(server.kind, moved)
                            if moved < total:
                                raise RuntimeError(f"{server.label}: only {moved:.1f} MiB crossed "
                                                   f"the proxy for a {total:.0f} MiB transfer")
                        lat = await _rtt(addr, sec, echoes)
                        metrics[path, "p50"].add(server.kind, _percentile(lat, 50))
                        metrics[path, "p99"].add(server.kind, _percentile(lat, 99))
                        log(f"proxy rep {rep}: {server.label} {path}: up {t['up']:.0f} MiB/s, "
                            f"down {t['down']:.0f} MiB/s, echo p50 {_percentile(lat, 50):.2f} ms")
                    urls = {"proxy": cluster.dashboard_link,
                            "direct": server.dashboard_direct_url(
                                urllib.parse.urlparse(direct).hostname, dash_port, cluster.name)}
                    for path, url in urls.items():
                        loads = []
                        for _ in range(page_loads):
                            secs, assets, failed = await _page_load(session, url)
                            loads.append(secs)
                            if failed:
                                # A refused page loads fast: never let it count as a sample.
                                raise RuntimeError(f"{server.label} dashboard ({path}): {failed} "
                                                   f"of {assets + 1} requests failed")
                        metrics[path, "page"].add(server.kind, sorted(loads)[len(loads) // 2])
    finally:
        for server in servers:
            if server.kind in setups:
                gw, cluster, _, _ = setups[server.kind]
                await cluster.shutdown()
                await gw.close()
        for server in servers:
            await clients.wait_no_processes(server)
    results.note("proxy", "Direct runs bypass the proxy: the client dials the scheduler's own "
                 "`tls://` address with the cluster's certificate. Transfers use "
                 "`direct_to_workers=False`, so data goes client ↔ scheduler ↔ workers.")

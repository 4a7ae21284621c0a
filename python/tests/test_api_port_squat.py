"""Red-team finding (issue 14): a cluster can listen on the gateway's API address and port.

The loopback firewall lets a cluster uid send only to its own address and to the gateway's API
(``127.0.0.1:<port>``), but nothing stops any uid from *listening* there. While the gateway is
down (a crash, an upgrade, a restart: clusters keep running and are adopted later), a process in
bob's cluster binds the API port. Every scheduler's preload then sends its heartbeat, with its
cluster token in ``Authorization: token ...``, to bob; so would local users' clients send their
passwords, and the restarted gateway cannot bind its port.

Fails before the fix. Fix: give clusters an API endpoint that only root can take (a port below
``net.ipv4.ip_unprivileged_port_start``, or a Unix socket in a root-owned directory), and drop
packets that cluster uids send from any source address but their own (also closes source-address
spoofing against per-source limits), e.g. before the ``established`` accept:
``meta skuid @cluster_uids ip saddr . meta skuid != @owners reject``.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import cloudpickle
import pytest
from dask_gateway import BasicAuth
from distributed import Client

from conftest import wait_for_workers
from gatehouse_fixture import free_port, wait_until

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="isolation needs the gateway to run as root")
cloudpickle.register_pickle_by_value(sys.modules[__name__])

SQUAT = r'''
import os, socket, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
end = time.time() + 90
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
while time.time() < end:
    try:
        s.bind(("127.0.0.1", port))
        break
    except OSError:
        time.sleep(0.02)
else:
    raise SystemExit
s.listen(16)
s.settimeout(1)
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    c.settimeout(2)
    try:
        data = c.recv(4096)
    except OSError:
        data = b""
    c.close()
    with open(out, "ab") as f:
        f.write(data + b"\n----\n")
    os.chmod(out, 0o644)
'''


def squat(port: int, out: str) -> int:
    import subprocess as sp
    import sys as s

    sp.run(["/usr/bin/env", "-i", "/usr/bin/setsid", "-f", s.executable, "-c", SQUAT, str(port), out],
           stdin=sp.DEVNULL, stdout=sp.DEVNULL, stderr=sp.DEVNULL, cwd="/", check=True)
    return os.getuid()


def test_a_cluster_cannot_take_the_gateway_api_port(gatehouse, gateway_client):
    out = f"/tmp/gatehouse-squat-{os.getpid()}-{time.monotonic_ns()}.txt"
    port = free_port()
    g = gatehouse(config={"stop_clusters_on_shutdown": False,
                          "backend": {"heartbeat_timeout": 300,
                                      "isolation_uids": {"first": 974000, "count": 50}}}, port=port)
    alice = gateway_client(g, auth=BasicAuth("alice")).new_cluster()
    bob = gateway_client(g, auth=BasicAuth("bob")).new_cluster()
    names = (alice.name, bob.name)
    try:
        with Client(bob, set_as_default=False) as c:
            bob.scale(1)
            wait_for_workers(bob, exact=1, timeout=180)
            c.submit(cloudpickle.loads(cloudpickle.dumps(squat)), port, out, pure=False).result(timeout=60)
        alice.close(shutdown=False)
        bob.close(shutdown=False)
        g.kill()  # a crash or an upgrade: the clusters keep running
        time.sleep(8)  # several heartbeat periods
        got = Path(out).read_bytes() if os.path.exists(out) else b""
        print(got[:600].decode(errors="replace"))
        assert f"/api/v1/clusters/{alice.name}/heartbeat".encode() not in got, \
            "bob's process on the gateway's API port received alice's heartbeat (and her cluster token)"
    finally:
        wait_until(lambda: _port_free(port), 100, "the squatter to exit")
        Path(out).unlink(missing_ok=True)
        g.start()
        for user, n in zip(("alice", "bob"), names):
            gateway_client(g, auth=BasicAuth(user)).stop_cluster(n)


def _port_free(port: int) -> bool:
    import socket
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False

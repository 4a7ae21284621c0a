"""Moving an installation from SQLite to PostgreSQL keeps its running clusters (needs
GATEHOUSE_PG_URL: ``bash scripts/pg/pg-up.sh`` prints one). A gateway on SQLite is stopped with
a cluster left running; ``gatehouse db copy`` copies its database into an empty PostgreSQL
database (and refuses to copy into it again without ``--force``); a gateway started on
PostgreSQL with the same sealing key and address re-adopts the cluster: same processes,
``connect(name)`` and compute work. ``gatehouse db check`` says the copy is current and the key
opens its secrets; with another key it exits 2.
"""
import base64
import os
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml
from distributed import Client

from cluster_processes import cluster_processes
from conftest import wait_for_workers
from gatehouse_fixture import CLI, PG_URL, free_port, wait_until

pytestmark = pytest.mark.skipif(not PG_URL, reason="GATEHOUSE_PG_URL is not set (bash scripts/pg/pg-up.sh)")


def gatehouse_cli(*args, cwd=None):
    return subprocess.run(["node", str(CLI), *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture
def empty_database():
    name = f"gh_copy_{uuid.uuid4().hex[:12]}"
    subprocess.run(["psql", PG_URL, "-qc", f"create database {name}"], check=True, capture_output=True)
    u = urlsplit(PG_URL)
    yield urlunsplit((u.scheme, u.netloc, f"/{name}", u.query, u.fragment))
    subprocess.run(["psql", PG_URL, "-qc", f"drop database if exists {name} with (force)"], capture_output=True)


def test_copy_sqlite_to_postgres_keeps_running_clusters(gatehouse, gateway_client, empty_database, tmp_path):
    port = free_port()
    g = gatehouse(config={"stop_clusters_on_shutdown": False, "store": {"type": "sqlite"}}, port=port)
    cluster = gateway_client(g).new_cluster()
    cluster.scale(1)
    wait_for_workers(cluster, exact=1)
    name = cluster.name
    before = cluster_processes(name)
    assert len(before["scheduler"]) == 1 and len(before["workers"]) == 1
    cluster.close(shutdown=False)
    g.stop()
    assert cluster_processes(name) == before, "the cluster outlives the stopped gateway"

    data_dir = g.config["data_dir"]
    copied = gatehouse_cli("db", "copy", "--from", f"sqlite:{data_dir}/gatehouse.db", "--to", empty_database)
    assert copied.returncode == 0, copied.stderr
    assert "clusters: 1 rows" in copied.stdout
    assert urlsplit(PG_URL).password not in copied.stdout + copied.stderr, "the password is never shown"
    again = gatehouse_cli("db", "copy", "--from", f"sqlite:{data_dir}/gatehouse.db", "--to", empty_database)
    assert again.returncode == 2 and "not empty" in again.stderr, again.stderr

    g.config["store"] = {"type": "postgres", "url": empty_database,
                         "encryption_key_file": f"{data_dir}/gatehouse.key"}
    g.config_file.write_text(yaml.safe_dump(g.config))
    checked = gatehouse_cli("db", "check", "-c", str(g.config_file))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "migrations: up to date" in checked.stdout and "opens the stored secrets" in checked.stdout

    other_key = tmp_path / "other.key"
    other_key.write_bytes(base64.b64encode(os.urandom(32)) + b"\n")
    other_key.chmod(0o600)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(yaml.safe_dump({**g.config, "store": {**g.config["store"], "encryption_key_file": str(other_key)}}))
    refused = gatehouse_cli("db", "check", "-c", str(wrong))
    assert refused.returncode == 2, refused.stdout + refused.stderr

    g.start()
    # The API answers before the gateway logs its ready line (the leader lease is taken after the
    # server listens): wait for the line, which names the store.
    wait_until(lambda: "postgresql://" in g.log_tail(400), 60, "the restarted gateway to run on PostgreSQL")
    gw = gateway_client(g)
    assert [c.name for c in gw.list_clusters()] == [name]
    adopted = gw.connect(name)
    with Client(adopted, set_as_default=False) as client:
        assert client.submit(lambda x: x + 1, 41).result(timeout=60) == 42
    assert cluster_processes(name) == before, "the same scheduler and worker processes"
    adopted.shutdown()
    wait_until(lambda: cluster_processes(name) == {"scheduler": [], "workers": []}, 30, "processes to exit")

"""The seed workflow verbatim against a freshly started Gatehouse, configured the way users are:
through the dask configuration that `gatehouse client-config` prints."""
import json
import os
import subprocess
import sys
from pathlib import Path

from gatehouse_fixture import CLI, free_port, wait_until

HERE = Path(__file__).parent


def test_seed_workflow_with_bare_gateway(gatehouse, tmp_path):
    port = free_port()
    g = gatehouse(port=port)
    out = subprocess.run(
        ["node", str(CLI), "client-config", "-c", str(g.config_file)],
        check=True, capture_output=True, text=True,
    ).stdout
    dask_dir = tmp_path / "dask-config"
    dask_dir.mkdir()
    (dask_dir / "gateway.yaml").write_text(out)
    env = {**os.environ, "DASK_CONFIG": str(dask_dir)}
    run = subprocess.run(
        [sys.executable, str(HERE / "seed_workflow.py")],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["total"] == 2000 * 2000
    assert len(seen["workers"]) == 2
    assert seen["listed"] == [seen["name"]]
    assert seen["dashboard_link"] == f"http://127.0.0.1:{port}/clusters/{seen['name']}/status"
    assert seen["after"] == []
    # Nothing keeps running once the user shut the cluster down.
    wait_until(lambda: not g.leftover_processes(), 30, "scheduler and workers to exit")

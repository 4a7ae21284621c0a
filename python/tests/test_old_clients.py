"""The seed workflow with older dask-gateway clients, each in its own Python environment.

Client, scheduler and workers all run from the same environment (``.venvs/<env>``, created by
scripts/setup.mjs from python/requirements-<env>.txt): the gateway's ``backend.python_env`` points
at it and the workflow runs with its ``bin/python``. Mixing versions across client and cluster is
not supported by distributed itself (it warns "Mismatched versions found" and the connection can
break), so that warning fails the test too.
"""
import json
import os
import subprocess
from pathlib import Path

import pytest

from gatehouse_fixture import CLI, ROOT, free_port, wait_until

HERE = Path(__file__).parent

ENVS = ["dg2025.4", "dg2023.9"]
# The packages whose installed versions must be the ones the requirements file pins.
CHECKED = ["dask-gateway", "dask", "distributed", "bokeh"]


def pins(env: str) -> dict[str, str]:
    req = ROOT / "python" / f"requirements-{env}.txt"
    out = {}
    for line in req.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            out[name.strip().lower()] = version.strip()
    return out


def env_python(env: str):
    python = ROOT / ".venvs" / env / "bin" / "python"
    # Fail, don't skip: scripts/setup.mjs creates every environment.
    assert python.exists(), f"{python} is missing: run `node scripts/setup.mjs`"
    return python


def run_script(python, g, tmp_path, script: str, *args: str) -> subprocess.CompletedProcess:
    """Runs ``script`` (beside this file) with ``python``, ``Gateway()`` configured for ``g`` by
    the DASK_CONFIG that ``gatehouse client-config`` prints."""
    out = subprocess.run(
        ["node", str(CLI), "client-config", "-c", str(g.config_file)],
        check=True, capture_output=True, text=True,
    ).stdout
    dask_dir = tmp_path / "dask-config"
    dask_dir.mkdir()
    (dask_dir / "gateway.yaml").write_text(out)
    return subprocess.run(
        [str(python), str(HERE / script), *args],
        env={**os.environ, "DASK_CONFIG": str(dask_dir)},
        capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize("env", ENVS)
def test_seed_workflow_with_old_client(env, gatehouse, tmp_path):
    python = env_python(env)
    # The environment holds what its requirements file pins (setup re-installs on a change),
    # and bokeh imports, so schedulers have a dashboard.
    installed = json.loads(subprocess.run(
        [str(python), "-c",
         "import json, sys, importlib.metadata as m, bokeh;"
         "print(json.dumps({p: m.version(p) for p in sys.argv[1:]}))", *CHECKED],
        check=True, capture_output=True, text=True,
    ).stdout)
    wanted = pins(env)
    assert installed == {p: wanted[p] for p in CHECKED}

    port = free_port()
    g = gatehouse(config={"backend": {"python_env": str(ROOT / ".venvs" / env)}}, port=port)
    run = run_script(python, g, tmp_path, "seed_workflow.py")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Mismatched versions" not in run.stderr, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["total"] == 2000 * 2000
    assert len(seen["workers"]) == 2
    assert seen["listed"] == [seen["name"]]
    assert seen["dashboard_link"] == f"http://127.0.0.1:{port}/clusters/{seen['name']}/status"
    assert seen["after"] == []
    # Nothing keeps running once the user shut the cluster down.
    wait_until(lambda: not g.leftover_processes(), 30, "scheduler and workers to exit")
    # The scheduler preload worked with this distributed: no errors in the scheduler's output
    # (with dask-gateway 2023.9.0 and distributed >= 2026.6.0 every worker removal logs
    # "TypeError: GatewayPlugin.remove_worker() got an unexpected keyword argument 'stimulus_id'").
    log_file = Path(g.config["data_dir"]) / "logs" / seen["name"] / "scheduler.log"
    log = log_file.read_text(errors="replace")
    # (A CommClosedError traceback while connections close at shutdown is distributed's normal
    # noise; errors from the preload or its plugin are what this guards against.)
    errors = [line for line in log.splitlines() if " - ERROR - " in line]
    assert not errors, "\n".join(errors)
    tracebacks = log.split("Traceback (most recent call last):")[1:]
    assert not [t for t in tracebacks if "dask_gateway" in t], log[-3000:]

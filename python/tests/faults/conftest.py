"""Fixtures of the fault suite: a report of what fired and how long each phase took, printed at
the end of the run together with the shortened timeouts."""
from __future__ import annotations

import pytest

from fault_run import CONVERGE_S, TIMEOUTS

_REPORT: dict = {}


@pytest.fixture(scope="session")
def fault_report() -> dict:
    return _REPORT


def pytest_terminal_summary(terminalreporter):
    run = _REPORT.get("run")
    if run is None:
        return
    tr = terminalreporter
    tr.section("fault suite")
    tr.write_line(f"shortened timeouts (backend): {TIMEOUTS}; convergence deadline {CONVERGE_S} s")
    tr.write_line(f"fault points fired: {len(run.fired)}; client saw states {sorted(run.seen_states)}")
    for r in run.results:
        tr.write_line(
            f"  {r.point:32} fired after {r.fired_after:5.1f} s, client: {r.client_saw:26}"
            f" converged in {r.converged_after:5.1f} s"
        )
        tr.write_line("      " + ", ".join(f"{k} {v:.1f} s" for k, v in r.steps.items()))

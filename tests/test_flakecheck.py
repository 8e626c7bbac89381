"""koans dev check --repeat: a koan not green in every run is listed with its failures."""
from __future__ import annotations

import os
import time

from kernel_koans.cli.dev import flakecheck


def run(outcomes: dict[str, str], failures: dict[str, str] | None = None,
        missing: dict[str, list[str]] | None = None) -> dict[str, object]:
    return {"outcomes": outcomes, "failures": failures or {}, "missing": missing or {}}


def test_a_koan_that_failed_once_is_unstable_with_its_text() -> None:
    runs = [run({"a": "passed", "b": "passed"}),
            run({"a": "failed", "b": "passed"}, {"a": "INT never reached the trap"}),
            run({"a": "passed", "b": "passed"})]
    records = flakecheck.tally(runs, ())
    assert records["a"].bad == [(2, "failed")]
    assert records["a"].texts == ["INT never reached the trap"]
    assert not records["b"].bad
    table = flakecheck.report(records, 3, [1.0, 1.0, 1.0], 2)
    assert "2/3" in table and "INT never reached the trap" in table
    assert table.endswith("dev-check --repeat: 1 stable, 1 unstable")


def test_a_koan_missing_from_a_run_or_skipped_without_leave_is_not_green() -> None:
    runs = [run({"a": "passed", "b": "skipped", "c": "skipped"}, missing={"c": ["cgroup2"]}),
            run({"b": "passed", "c": "skipped"}, missing={"c": ["cgroup2"]})]
    records = flakecheck.tally(runs, ("cgroup2",))
    assert records["a"].bad == [(2, "not run")]
    assert records["b"].bad == [(1, "skipped")]
    assert not records["c"].bad


def test_busy_spinners_run_while_the_block_runs_and_end_with_it() -> None:
    with flakecheck.busy(2) as count:
        assert count == 2
        time.sleep(0.3)
        spinning = [p for p in os.listdir("/proc") if p.isdigit() and _is_spinner(p)]
        assert len(spinning) == 2
    time.sleep(0.2)
    assert not [p for p in os.listdir("/proc") if p.isdigit() and _is_spinner(p)]


def _is_spinner(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read()
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return flakecheck.SPINNER.encode() in cmd and state != "Z"

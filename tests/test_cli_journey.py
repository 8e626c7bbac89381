"""`koans status`, `koans next` and `koans hint`: the journey from the command line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kernel_koans import cli

HINTED = '''
from kernel_koans.koan import koan


@koan(man="pid_namespaces(7)", hints=["First a nudge.", "Then the mechanism.", "Then the call."])
def test_tiers():
    """Hints come in tiers."""
    assert False, "not yet"
'''


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert cli.main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.fixture
def journey(kk):
    kk.manifest(m00=["test_add.py"], m01=["test_add.py"])
    kk.adder("m00")
    kk.adder("m01")
    kk.write("koans/m00/x.py", "def add(a, b):\n    return a + b\n")
    kk.run("--no-audit", "koans").assert_outcomes(passed=1, failed=1)
    return kk


def test_status_shows_every_milestone(journey, capsys) -> None:
    out = _cli(capsys, "status")
    assert out.splitlines()[0] == "kernel-koans: your journey"
    assert "m00  Milestone m00" in out and "[####################] 1/1" in out
    assert "m01  Milestone m01" in out and "0/1  (1 failing)" in out


def test_next_names_the_first_unpassed_koan(journey, capsys) -> None:
    out = _cli(capsys, "next")
    lines = out.splitlines()
    assert lines[0] == "Next koan: koans/m01/test_add.py::test_m01_adds"
    assert "  hint:     A nudge: plus." in lines
    assert "  man page: add(1)" in lines
    assert "  edit:     koans/m01/x.py" in lines
    assert any(line.startswith("  run:") and "koans/m01/test_add.py -k test_m01_adds" in line
               for line in lines)


def test_status_on_a_fresh_checkout_collects_first(kk, capsys) -> None:
    """No catalog yet: the CLI collects the koans itself (a quiet pytest subprocess)."""
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    assert not (kk.state / "catalog.json").exists()
    out = _cli(capsys, "status")
    assert "m00  Milestone m00" in out and "0/1  (1 not run yet)" in out
    assert (kk.state / "catalog.json").exists()
    assert not (kk.state / "progress.json").exists(), "collecting is not running"


def test_hint_reveals_one_tier_per_call(kk, capsys) -> None:
    kk.manifest(m00=["test_tiers.py"])
    kk.write("koans/m00/test_tiers.py", HINTED)
    kk.run("--no-audit", "koans").assert_outcomes(failed=1)

    first = _cli(capsys, "hint", "test_tiers")
    assert "koans/m00/test_tiers.py::test_tiers" in first
    assert "hint 1/3: First a nudge." in first
    assert "Then the mechanism." not in first
    assert "(ask again for hint 2, or --all)" in first
    assert "man page: pid_namespaces(7)   (man 7 pid_namespaces)" in first

    second = _cli(capsys, "hint", "tiers")  # part of a name is enough
    assert "hint 1/3" in second and "hint 2/3: Then the mechanism." in second
    assert "Then the call." not in second

    third = _cli(capsys, "hint", "test_tiers")
    fourth = _cli(capsys, "hint", "test_tiers")
    for out in (third, fourth):
        assert "hint 3/3: Then the call." in out and "ask again" not in out
    seen = json.loads((kk.state / "hints.json").read_text())
    assert seen == {"koans/m00/test_tiers.py::test_tiers": 3}


def test_hint_all_shows_every_tier_at_once(kk, capsys) -> None:
    kk.manifest(m00=["test_tiers.py"])
    kk.write("koans/m00/test_tiers.py", HINTED)
    kk.run("--no-audit", "koans").assert_outcomes(failed=1)
    out = _cli(capsys, "hint", "--all", "test_tiers")
    assert all(f"hint {i}/3" in out for i in (1, 2, 3))


def test_hint_for_an_unknown_koan_says_so(journey, capsys) -> None:
    capsys.readouterr()
    assert cli.main(["hint", "no_such_koan"]) == 2
    assert "no koan matches 'no_such_koan'" in capsys.readouterr().err
    assert cli.main(["hint", "adds"]) == 2  # two koans match: say which
    err = capsys.readouterr().err
    assert "matches 2 koans" in err and "test_m00_adds" in err and "test_m01_adds" in err


def test_console_script(journey) -> None:
    """The installed `koans` entry point, as a learner runs it (a separate process)."""
    exe = Path(sys.executable).with_name("koans")
    if not exe.exists():
        pytest.skip("the koans console script is not installed: pip install -e .")
    ok = subprocess.run([str(exe), "next"], cwd=journey.root, env=dict(os.environ),
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("Next koan: koans/m01/test_add.py::test_m01_adds")
    missing = subprocess.run([str(exe), "hint", "nothing_like_it"], cwd=journey.root,
                             env=dict(os.environ), capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "no koan matches" in missing.stderr


def test_a_milestone_not_collected_yet_says_how_not_that_it_has_none(kk, capsys) -> None:
    """A first run of one milestone: the others with koan files are not called empty."""
    kk.manifest(m00=["test_add.py"], m01=["test_add.py"], m02=[])
    kk.adder("m00")
    kk.adder("m01")
    kk.run("--no-audit", "koans/m00").assert_outcomes(failed=1)
    lines = _cli(capsys, "status").splitlines()
    m01 = next(line for line in lines if "m01  Milestone m01" in line)
    m02 = next(line for line in lines if "m02  Milestone m02" in line)
    assert m01.endswith("not collected yet: sudo .venv/bin/pytest koans/m01"), m01
    assert m02.endswith("no koans yet"), m02

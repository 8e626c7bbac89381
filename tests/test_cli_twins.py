"""`koans compare` (the learner's module against its twin) and `koans reset` (restore the stub)."""
from __future__ import annotations

import subprocess

import pytest

from kernel_koans import cli
from kernel_koans.cli import twins


@pytest.fixture
def adder(kk):
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    kk.run("--no-audit", "koans").assert_outcomes(failed=1)
    return kk


def _cli(capsys, *argv: str) -> str:
    capsys.readouterr()
    assert cli.main(list(argv)) == 0
    return capsys.readouterr().out


def test_compare_shows_the_twins_lines(adder, capsys) -> None:
    for query in ("test_m00_adds", "m00/x", "koans/m00/x.py"):
        out = _cli(capsys, "compare", "--no-color", query)
        assert "--- koans/m00/x.py (yours)" in out
        assert "+++ solutions/m00/x.py (reference)" in out
        assert "-    raise NotImplementedError" in out
        assert "+    return a + b" in out
        assert "\033[" not in out


def test_compare_identical_says_so(adder, capsys) -> None:
    (adder.root / "koans/m00/x.py").write_text((adder.root / "solutions/m00/x.py").read_text())
    out = _cli(capsys, "compare", "test_m00_adds")
    assert out.strip() == "m00/x: yours is identical to the reference"


def test_diff_colours_on_request(adder) -> None:
    text = twins.diff("m00/x", color=True)
    assert "\033[32m+    return a + b" in text and "\033[31m-    raise" in text


def _git(root, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=kk", "-c", "user.email=kk@example.invalid",
                    "-c", "init.defaultBranch=main", *args], cwd=root, check=True, capture_output=True)


def test_reset_restores_the_stub_and_keeps_a_backup(adder, capsys) -> None:
    _git(adder.root, "init", "-q")
    _git(adder.root, "add", "koans", "solutions")
    _git(adder.root, "commit", "-q", "-m", "stubs")
    mine = adder.root / "koans/m00/x.py"
    stub = mine.read_text()
    edited = "def add(a, b):\n    return a + b  # my work\n"
    mine.write_text(edited)

    out = _cli(capsys, "reset", "test_m00_adds")

    assert mine.read_text() == stub
    backups = list((adder.state / "backup").rglob("x.py.*"))
    assert len(backups) == 1 and backups[0].read_text() == edited
    assert backups[0].parent == adder.state / "backup" / "koans" / "m00"
    assert out.startswith("restored the stub koans/m00/x.py (your version is saved in .koans/backup/")
    # the twin is untouched
    assert "return a + b" in (adder.root / "solutions/m00/x.py").read_text()


def test_reset_without_git_history_explains(adder, capsys) -> None:
    capsys.readouterr()
    assert cli.main(["reset", "m00/x", "--ref", "no-such-ref"]) == 1
    assert "git has no koans/m00/x.py at no-such-ref" in capsys.readouterr().err

"""The report as a journey page: map, next koan with revealed hints only, solutions
unlocked by passing, passes per day, skips grouped by missing piece; and the same
numbers in `koans status`, the terminal and the report."""
from __future__ import annotations

import re
import shutil

import pytest

from kernel_koans import cli

ADD_TWIN = '''
def _plus(a, b):
    return a + b  # REFERENCE-ADD


def add(a, b):
    return _plus(a, b)
'''

MUL_TWIN = '''
def mul(a, b):
    return a * b  # REFERENCE-MUL
'''

KOANS = '''
from kernel_koans.exercise import exercise
from kernel_koans.koan import koan

x = exercise("m00/x")
y = exercise("m00/y")


@koan(man="add(1)", hints=["Add nudge.", "Add mechanism."])
def test_adds():
    """Addition is a kernel fact."""
    assert x.add(2, 3) == 5


@koan(man="mul(1)", hints=["Mul nudge.", "Mul mechanism.", "Mul call."])
def test_multiplies():
    """Multiplication is another."""
    assert y.mul(2, 3) == 6
'''

DOCKER_KOAN = '''
from kernel_koans.koan import koan


@koan(man="docker(1)", hints=["Engine."], needs=["docker"])
def test_needs_an_engine():
    """Needs docker."""
'''


def build(kk) -> None:
    """Two exercise koans in m00 and a docker koan in m01 on a host without docker."""
    kk.host(docker=None)
    kk.manifest(m00=["test_ops.py"], m01=["test_engine.py"])
    kk.write("koans/m00/x.py", 'def add(a, b):\n    raise NotImplementedError("the sum")\n')
    kk.write("koans/m00/y.py", 'def mul(a, b):\n    raise NotImplementedError("the product")\n')
    kk.write("solutions/m00/x.py", ADD_TWIN)
    kk.write("solutions/m00/y.py", MUL_TWIN)
    kk.write("koans/m00/test_ops.py", KOANS)
    kk.write("koans/m01/test_engine.py", DOCKER_KOAN)


def pass_one(kk) -> None:
    """The learner copies the twin of x over the stub: test_adds passes."""
    shutil.copy(kk.root / "solutions/m00/x.py", kk.root / "koans/m00/x.py")


def section(report_text: str) -> str:
    found = re.search(r"<section id='kk-milestones'>.*?</section>", report_text, re.S)
    assert found, "no journey section in the report"
    return found.group(0)


def test_one_pass_unlocks_one_solution(kk) -> None:
    build(kk)
    pass_one(kk)
    report = kk.root / "r.html"
    kk.run("--no-audit", f"--html={report}", "--self-contained-html", "koans").assert_outcomes(
        passed=1, failed=1, skipped=1)
    page = section(report.read_text())
    # the unlocked diff: the learner's add beside the twin's, with the helper it calls
    assert page.count("class='kk-diff kk-code'") == 2
    assert "data-function='add'" in page and "data-function='_plus'" in page
    assert "REFERENCE-ADD" in page
    assert "REFERENCE-MUL" not in report.read_text(), "a solution leaked for a koan not yet passed"
    # the next koan: tier 1 only
    nxt = re.search(r"<div id='kk-next'>.*?</div>", page, re.S).group(0)
    assert "test_multiplies" in nxt and "Mul nudge." in nxt
    assert "Mul mechanism." not in report.read_text() and "Mul call." not in report.read_text()
    assert "2 more hint tiers" in nxt
    # a chart with one point; the map; skips grouped by missing piece with its fix
    assert page.count("class='kk-point'") == 1
    assert "<details class='kk-milestone' data-milestone='m00' open>" in page
    assert "<progress max='2' value='1'>" in page
    assert "kk-status-passed" in page and "kk-status-failed" in page and "kk-status-skipped" in page
    assert "missing: docker (1 koan)" in page and "apt-get install -y docker.io" in page


def test_revealed_tiers_show_and_no_more(kk, capsys) -> None:
    build(kk)
    pass_one(kk)
    kk.run("--no-audit", "koans")
    assert cli.main(["hint", "test_multiplies"]) == 0  # tier 1 (already free)
    assert cli.main(["hint", "test_multiplies"]) == 0  # tier 2
    report = kk.root / "r.html"
    kk.run("--no-audit", f"--html={report}", "--self-contained-html", "koans")
    text = report.read_text()
    assert "Mul nudge." in text and "Mul mechanism." in text
    assert "Mul call." not in text
    assert "1 more hint tier:" in text


def test_no_solution_under_solutions_and_no_chart(kk) -> None:
    build(kk)
    report = kk.root / "twins.html"
    kk.run("--no-audit", "--solutions", f"--html={report}", "--self-contained-html", "koans")
    page = section(report.read_text())
    assert "Run against the reference solutions." in page
    assert "class='kk-diff" not in page and "REFERENCE-" not in page
    assert "id='kk-chart'" not in page


def test_status_terminal_and_report_agree(kk, capsys) -> None:
    build(kk)
    pass_one(kk)
    report = kk.root / "r.html"
    result = kk.run("--no-audit", f"--html={report}", "--self-contained-html", "koans")
    page = section(report.read_text())
    capsys.readouterr()
    assert cli.main(["status"]) == 0
    status = capsys.readouterr().out
    for key, passed, total in (("m00", 1, 2), ("m01", 0, 1)):
        assert f"<progress max='{total}' value='{passed}'>" in page
        assert f"<span class='kk-count'>{passed}/{total}</span>" in page
        line = next(ln for ln in status.splitlines() if ln.strip().startswith(key))
        assert f" {passed}/{total}" in line
        assert any(ln.strip().startswith(key) and f" {passed}/{total}" in ln for ln in result.outlines)


@pytest.mark.parametrize("name", ["test_adds"])
def test_pieces_follow_the_koans_calls(kk, name) -> None:
    from kernel_koans.runner import unlock

    build(kk)
    got = unlock.pieces(f"koans/m00/test_ops.py::{name}", ["m00/x", "m00/y"])
    assert [(p.exercise, p.name) for p in got] == [("m00/x", "add"), ("m00/x", "_plus")]
    assert got[1].mine == "" and "REFERENCE-ADD" in got[1].twin

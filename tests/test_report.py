"""The HTML report: written where asked, milestone section, host probe, learner text escaped."""
from __future__ import annotations

import html
import re

XSS = "<script>alert(1)</script>"

KOANS = '''
import pytest

from kernel_koans.koan import koan


@koan(man="proc(5)", hints=["h"])
def test_passes():
    """A koan that passes."""


@koan(man="proc(5)", hints=["h"])
def test_assertion_with_markup():
    """Fails with markup in its message."""
    assert False, "XSS"


@koan(man="proc(5)", hints=["h"])
def test_skip_with_markup():
    pytest.skip("XSS")
'''.replace("XSS", XSS)


def _section(text: str) -> str:
    found = re.search(r"<section id='kk-milestones'>.*?</section>", text, re.S)
    assert found, "no milestone section (id kk-milestones) in the report"
    return found.group(0)


def test_report_has_milestones_host_and_escapes(kk) -> None:
    kk.manifest(m00=["test_rep.py"])
    kk.write("koans/m00/test_rep.py", KOANS)
    report = kk.root / "out" / "my-report.html"
    result = kk.run("--no-audit", f"--html={report}", "--self-contained-html", "koans")
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines(["Report: out/my-report.html"])
    assert report.is_file(), "the report was not written at the path given"
    text = report.read_text()

    section = _section(text)
    assert "Milestone m00" in section
    assert "<progress max='3' value='1'>" in section
    assert html.escape(XSS) in section, "the skip reason is listed (escaped) in the section"
    # the Environment table: pytest-html's JSON blob carries the probe's lines
    for key in ("host: root", "host: cgroups", "host: docker", "kernel-koans mode"):
        assert key in text, f"{key!r} missing from the Environment table"
    assert "27.0.0" in text  # the fake host's docker version
    # nowhere in the page, neither the section nor the results, is the markup live
    assert XSS not in text
    assert "alert(1)" in text, "the learner text should be shown (escaped), not dropped"


def test_solutions_report_shows_this_run_not_the_journey(kk) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    kk.run("--no-audit", "koans").assert_outcomes(failed=1)
    report = kk.root / "twins.html"
    kk.run("--no-audit", "--solutions", f"--html={report}", "koans").assert_outcomes(passed=1)
    section = _section(report.read_text())
    assert "Run against the reference solutions." in section
    assert "<progress max='1' value='1'>" in section
    assert "reference solutions" in report.read_text()


def test_milestone_section_escapes_everything(kk) -> None:
    """journeypage.section directly: titles, reasons, hints, lessons from learner-side files."""
    from kernel_koans import progress
    from kernel_koans.runner import journeypage

    kk.write("koans/manifest.toml", '[m00]\ntitle = "<b>bold</b>"\nfiles = ["test_x.py"]\n')
    kk.write("koans/m00/test_x.py", "")
    nodeid = "koans/m00/test_x.py::test_x"
    progress.save_catalog({nodeid: progress.KoanEntry(
        nodeid=nodeid, name="test_x", milestone="m00", order=[0, 0, "koans/m00/test_x.py", 1],
        man="<i>man</i>", hints=[XSS], needs=[], lesson="<img src=x onerror=alert(2)>")})
    out = journeypage.section({nodeid: progress.Status("skipped", 0.0, None, XSS)})
    for raw in ("<b>bold</b>", XSS, "<i>man</i>", "<img src=x"):
        assert raw not in out
    assert html.escape("<b>bold</b>") in out and html.escape(XSS) in out


def test_next_koan_shows_only_the_tiers_revealed(kk) -> None:
    """The report's next koan shows the first hint, and further tiers only once `koans hint`
    revealed them: the mechanism is not handed out on the first failure."""
    from kernel_koans import progress
    from kernel_koans.runner import journeypage

    kk.write("koans/manifest.toml", '[m00]\ntitle = "Zero"\nfiles = ["test_x.py"]\n')
    kk.write("koans/m00/test_x.py", "")
    nodeid = "koans/m00/test_x.py::test_x"
    progress.save_catalog({nodeid: progress.KoanEntry(
        nodeid=nodeid, name="test_x", milestone="m00", order=[0, 0, "koans/m00/test_x.py", 1],
        man="x(1)", hints=["A nudge.", "The mechanism."], needs=[], lesson="Why.")})
    failed = {nodeid: progress.Status("failed", 0.0)}
    first = journeypage.section(failed)
    assert "A nudge." in first and "The mechanism." not in first
    assert "koans hint test_x" in first
    progress.save_hints_seen({nodeid: 2})
    both = journeypage.section(failed)
    assert "A nudge." in both and "The mechanism." in both and "koans hint test_x" not in both

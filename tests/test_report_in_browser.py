"""The HTML report renders offline in a real browser: milestone section and results table."""
from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--virtual-time-budget=5000"]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing on CI: bin/setup --dev installs it")
        pytest.skip("no chromium: sudo apt-get install -y chromium")
    return found


def _rendered_dom(html_file: Path, profile: Path) -> str:
    """The DOM after the report's scripts ran, with the network unreachable by design."""
    out = subprocess.run([_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                          html_file.as_uri()], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_report_renders_milestones_and_results(pytester: pytest.Pytester,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERNEL_KOANS_ROOT", str(pytester.path))
    monkeypatch.delenv("KERNEL_KOANS_STATE", raising=False)
    (pytester.path / "koans" / "m00").mkdir(parents=True)
    (pytester.path / "koans" / "manifest.toml").write_text(
        '[m00]\ntitle = "Foundations"\nfiles = ["test_demo.py"]\n')
    (pytester.path / "koans" / "m00" / "test_demo.py").write_text(textwrap.dedent('''
        from kernel_koans.koan import koan

        @koan(man="proc(5)", hints=["look in /proc"])
        def test_kernel_agrees():
            """A koan that passes."""
            assert open("/proc/self/stat").read().split()[0].isdigit()

        @koan(man="proc(5)", hints=["<b>escaped?</b>"])
        def test_kernel_disagrees():
            """A koan that fails with markup in its message."""
            assert False, "<script>document.title='pwned'</script>"
    '''))
    report = pytester.path / "report.html"
    result = pytester.runpytest("-p", "kernel_koans.plugin", "--import-mode=importlib",
                                "--no-audit", f"--html={report}", "--self-contained-html", "koans")
    result.assert_outcomes(passed=1, failed=1)
    dom = _rendered_dom(report, pytester.path / "profile")
    assert "id=\"kk-milestones\"" in dom, "the milestone section is missing from the rendered page"
    assert "Foundations" in dom
    assert "test_kernel_agrees" in dom and "test_kernel_disagrees" in dom, \
        "the results table did not render both koans"
    assert "results-table-row" in dom, "pytest-html's script did not build the results table"
    assert "<script>document.title" not in dom, "learner text reached the page unescaped"
    assert "<title>pwned</title>" not in dom

"""The HTML report renders offline in a real browser: the journey page and the results table."""
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
    result = pytester.runpytest("-p", "kernel_koans.runner.plugin", "--import-mode=importlib",
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


def _screenshot(html_file: Path, profile: Path, png: Path) -> None:
    out = subprocess.run([_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--hide-scrollbars",
                          "--window-size=1280,2200", f"--screenshot={png}", html_file.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and png.is_file(), out.stderr[-2000:]


def test_journey_page_in_the_browser(kk, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A run where one koan passes (its twin copied over the stub) and one fails: the
    rendered page has the map, the unlocked diff, only the first hint tier of the next
    koan and a chart with one point. The screenshot is kept for a human to look at."""
    kk.manifest(m00=["test_add.py"], m01=["test_add.py"])
    kk.adder("m00")
    kk.adder("m01")
    shutil.copy(kk.root / "solutions/m00/x.py", kk.root / "koans/m00/x.py")
    report = kk.root / "report.html"
    kk.run("--no-audit", f"--html={report}", "--self-contained-html", "koans").assert_outcomes(passed=1, failed=1)
    profile = kk.root / "profile"
    dom = _rendered_dom(report, profile)
    png = tmp_path_factory.mktemp("screenshots") / "journey.png"
    _screenshot(report, profile, png)
    assert png.stat().st_size > 10_000, "the screenshot is (nearly) empty"
    assert 'id="kk-map"' in dom and 'data-milestone="m00"' in dom and 'data-milestone="m01"' in dom
    assert 'class="kk-diff kk-code"' in dom and 'data-function="add"' in dom, "no unlocked diff"
    assert dom.count('class="kk-diff kk-code"') == 1, "only the passed koan's solution is unlocked"
    assert "A nudge: plus." in dom and "The mechanism: return a + b." not in dom, "hidden tiers leaked"
    assert 'id="kk-chart-svg"' in dom and dom.count('class="kk-point"') == 1
    assert "results-table-row" in dom, "pytest-html's results table is still there"
    print(f"screenshot: {png}")

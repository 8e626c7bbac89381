"""Progress persists across runs under .koans/ (not .pytest_cache), per milestone."""
from __future__ import annotations

import pytest


@pytest.fixture
def two(kk):
    kk.manifest(m00=["test_add.py"], m01=["test_add.py"])
    kk.adder("m00")
    kk.adder("m01")
    # m00's learner has done the work; m01's has not
    kk.write("koans/m00/x.py", "def add(a, b):\n    return a + b\n")
    return kk


M00 = "koans/m00/test_add.py::test_m00_adds"
M01 = "koans/m01/test_add.py::test_m01_adds"


def test_run_of_one_milestone_keeps_the_other(two) -> None:
    two.run("--no-audit", "koans/m00").assert_outcomes(passed=1)
    first = two.progress()
    assert first[M00]["outcome"] == "passed" and first[M00]["first_passed"]

    result = two.run("--no-audit", "koans/m01")
    result.assert_outcomes(failed=1)
    stored = two.progress()
    assert stored[M00] == first[M00], "m00's status must survive a run of m01 alone"
    assert stored[M01]["outcome"] == "failed"
    result.stdout.re_match_lines([
        r"=+ kernel-koans: your journey =+",
        r"  m00  Milestone m00 +\[#{20}\] 1/1$",
        r"  m01  Milestone m01 +\[-{20}\] 0/1  \(1 failing\)$",
        r"Next koan: koans/m01/test_add.py::test_m01_adds$",
    ])


def test_cache_clear_keeps_the_journey(two) -> None:
    two.run("--no-audit", "koans/m00").assert_outcomes(passed=1)
    assert (two.root / ".pytest_cache").is_dir(), "the inner run should use pytest's cache"
    result = two.run("--no-audit", "--cache-clear", "koans/m01")
    result.assert_outcomes(failed=1)
    assert two.progress()[M00]["outcome"] == "passed"
    result.stdout.re_match_lines([r"  m00  Milestone m00 +\[#{20}\] 1/1$"])


def test_first_pass_is_kept_when_a_koan_fails_later(two) -> None:
    two.run("--no-audit", "koans/m00").assert_outcomes(passed=1)
    first_passed = two.progress()[M00]["first_passed"]
    two.write("koans/m00/x.py", "def add(a, b):\n    return a - b\n")
    two.run("--no-audit", "koans/m00").assert_outcomes(failed=1)
    assert two.progress()[M00]["outcome"] == "failed"
    assert two.progress()[M00]["first_passed"] == first_passed


def test_solutions_runs_leave_progress_alone(two) -> None:
    two.run("--no-audit", "koans").assert_outcomes(passed=1, failed=1)
    before = (two.state / "progress.json").read_bytes()
    result = two.run("--no-audit", "--solutions", "koans")
    result.assert_outcomes(passed=2)
    assert (two.state / "progress.json").read_bytes() == before
    assert "your journey" not in result.stdout.str()
    assert two.last_run()["solutions"] is True


def test_state_dir_moves_with_env(two, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("KERNEL_KOANS_STATE", str(tmp_path / "elsewhere"))
    two.run("--no-audit", "koans/m00").assert_outcomes(passed=1)
    assert (tmp_path / "elsewhere" / "progress.json").is_file()
    assert not (two.state / "progress.json").exists()


def test_deleted_koan_file_leaves_the_catalog(two) -> None:
    two.run("--no-audit", "koans").assert_outcomes(passed=1, failed=1)
    (two.root / "koans/m01/test_add.py").unlink()
    from kernel_koans import progress

    assert set(progress.load_catalog()) == {M00}

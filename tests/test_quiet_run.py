"""The quieter default run: the next koan's failure in full, the others one line each."""
from __future__ import annotations

KOANS = '''
from kernel_koans.koan import koan


@koan(man="proc(5)", hints=["First nudge."])
def test_first():
    """The first lesson."""
    assert 1 == 2, "the first fact"


@koan(man="proc(5)", hints=["Second nudge."])
def test_second():
    """The second lesson."""
    assert 3 == 4, "the second fact"


@koan(man="proc(5)", hints=["Third nudge."])
def test_third():
    """The third lesson."""
    assert 5 == 6, "the third fact"
'''


def _setup(kk) -> None:
    kk.manifest(m00=["test_q.py"])
    kk.write("koans/m00/test_q.py", KOANS)


def test_verbose_or_tb_shows_every_failure_in_full(kk) -> None:
    _setup(kk)
    for extra in ("-v", "--tb=short"):
        result = kk.run("--no-audit", extra, "koans")
        result.assert_outcomes(failed=3)
        out = result.stdout.str()
        assert out.count("Lesson:") == 3, f"{extra}: every failure in full"
        assert "one line each" not in out


def test_default_run_is_quiet(kk, monkeypatch) -> None:
    _setup(kk)
    result = kk.run("--no-audit", "koans")
    result.assert_outcomes(failed=3)
    out = result.stdout.str()
    assert out.count("Lesson:") == 1, "only one failure is explained in full"
    assert "Lesson:   The first lesson." in out
    result.stdout.fnmatch_lines([
        "*2 more failing koans, one line each*",
        "test_second · m00 · The kernel disagrees: the second fact*",
        "test_third · m00 · The kernel disagrees: the third fact*",
    ])
    # pytest's short summary still names every failure
    for name in ("test_first", "test_second", "test_third"):
        assert f"FAILED koans/m00/test_q.py::{name}" in out
    texts = kk.last_run()["failures"]
    assert set(texts) == {f"koans/m00/test_q.py::test_{n}" for n in ("first", "second", "third")}
    assert texts["koans/m00/test_q.py::test_second"].startswith("The kernel disagrees: the second fact")


def test_the_next_koan_is_the_one_in_full(kk) -> None:
    """When the first koan passes now, the second (the next koan) is shown in full."""
    _setup(kk)
    kk.write("koans/m00/test_q.py", KOANS.replace("assert 1 == 2", "assert 1 == 1"))
    result = kk.run("--no-audit", "koans")
    result.assert_outcomes(passed=1, failed=2)
    out = result.stdout.str()
    assert out.count("Lesson:") == 1 and "Lesson:   The second lesson." in out
    result.stdout.fnmatch_lines(["test_third · m00 · The kernel disagrees: the third fact*"])

"""Failed koans read as a few sentences a learner can act on, not a traceback wall."""
from __future__ import annotations

import pytest

LEARNER = '''
def stub():
    raise NotImplementedError("should return the inode number of this process's PID namespace")


def crashes():
    values = {}
    return values["missing"]


def hangs():
    import time
    time.sleep(60)


def fine():
    return 7
'''

KOANS = '''
import pytest

from kernel_koans.exercise import exercise
from kernel_koans.koan import koan

mod = exercise("m00/learner")


@koan(man="namespaces(7)", hints=["Nudge one.", "Mechanism two."])
def test_a_stub():
    """Stubs say what to write."""
    assert mod.stub() == 1


@koan(man="proc(5)", hints=["h"])
def test_b_crash():
    assert mod.crashes() == 1


@koan(man="signal(7)", hints=["h"])
@pytest.mark.timeout(timeout=1)
def test_c_hang():
    mod.hangs()


@koan(man="proc(5)", hints=["h"])
def test_d_after_the_hang():
    assert mod.fine() == 7


@koan(man="proc(5)", hints=["h"])
def test_e_kernel_disagrees():
    assert mod.fine() == 8, "the kernel says seven"
'''


@pytest.fixture
def failing(kk):
    kk.manifest(m00=["test_fail.py"])
    kk.write("koans/m00/learner.py", LEARNER)
    kk.write("solutions/m00/learner.py", LEARNER)
    kk.write("koans/m00/test_fail.py", KOANS)
    return kk


def _line_of(text: str, needle: str) -> int:
    """1-based line of `needle` in `text` as Curriculum.write stores it (leading newline cut)."""
    return next(i for i, line in enumerate(text.lstrip().splitlines(), 1) if needle in line)


def _longrepr(result: pytest.RunResult, name: str) -> str:
    for rep in vars(result)["reprec"].getreports("pytest_runtest_logreport"):
        if rep.nodeid.endswith("::" + name) and rep.when == "call":
            return rep.longreprtext
    raise AssertionError(f"no call report for {name}")


def test_friendly_messages(failing) -> None:
    result = failing.run("--no-audit", "koans")
    result.assert_outcomes(passed=1, failed=4)

    stub = _longrepr(result, "test_a_stub")
    line = _line_of(LEARNER, "raise NotImplementedError")
    assert stub.startswith(f"Not written yet: `learner.stub` (koans/m00/learner.py:{line}) "
                           "should return the inode number of this process's PID namespace.")
    assert "Lesson:   Stubs say what to write." in stub
    assert "Hint:     Nudge one." in stub and "Mechanism two." not in stub
    assert "koans hint test_a_stub" in stub
    assert "Man page: namespaces(7)" in stub
    assert "Traceback" not in stub and "raise NotImplementedError" not in stub

    crash = _longrepr(result, "test_b_crash")
    assert crash.startswith("Your code raised KeyError: 'missing'")
    assert f"koans/m00/learner.py:{_line_of(LEARNER, 'values[')} in crashes" in crash
    assert "test_fail.py" not in crash, "the koan's own frames are not the learner's"

    hang = _longrepr(result, "test_c_hang")  # the marker's timeout= keyword, not the ini's 30 s
    assert hang.startswith("Your code did not finish within 1 s and was stopped; the run goes on.")

    assert _longrepr(result, "test_e_kernel_disagrees").startswith(
        "The kernel disagrees: the kernel says seven")

    # the koan after the hang still ran, and passed
    after = [r for r in failing.reports(result)
             if r.nodeid.endswith("test_d_after_the_hang") and r.when == "call"]
    assert len(after) == 1 and after[0].passed

    text = result.stdout.str()
    assert "raise NotImplementedError" not in text, "no traceback wall in the terminal"
    assert "_ _ _ _" not in text


def test_tb_long_keeps_pytests_traceback(failing) -> None:
    result = failing.run("--no-audit", "--tb=long", "koans/m00/test_fail.py::test_a_stub",
                         "koans/m00/test_fail.py::test_b_crash")
    result.assert_outcomes(failed=2)
    text = result.stdout.str()
    assert "Not written yet" not in text and "Your code raised" not in text
    assert 'raise NotImplementedError("should return the inode number of this process\'s PID namespace")' in text
    assert 'return values["missing"]' in text
    assert "E       KeyError: 'missing'" in text


def test_broken_module_fails_with_a_sentence(kk) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    kk.write("koans/m00/x.py", "def add(a, b)\n    return a + b\n")  # SyntaxError
    result = kk.run("--no-audit", "koans")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*koans/m00/x.py line 1: Python cannot parse it*"])


def test_renamed_function_fails_with_a_sentence(kk) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    kk.write("koans/m00/x.py", "def plus(a, b):\n    return a + b\n")
    result = kk.run("--no-audit", "koans")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["koans/m00/x.py has no `add`: the koan calls it.*koans reset m00/x*"])


def test_child_exception_points_at_learner_line(kk) -> None:
    """An exception raised in in_child's forked child still names the learner's line."""
    kk.manifest(m00=["test_child.py"])
    kk.write("koans/m00/kid.py", "import os\n\ndef boom():\n    return os.listdir('/nonexistent-kk')\n")
    kk.write("solutions/m00/kid.py", "def boom():\n    return []\n")
    kk.write("koans/m00/test_child.py", '''
        from kernel_koans.child import in_child
        from kernel_koans.exercise import exercise
        from kernel_koans.koan import koan

        kid = exercise("m00/kid")


        @koan(man="fork(2)", hints=["h"])
        def test_in_child():
            assert in_child(kid.boom) == []
    ''')
    result = kk.run("--no-audit", "koans")
    result.assert_outcomes(failed=1)
    text = _longrepr(result, "test_in_child")
    assert text.startswith("Your code raised FileNotFoundError")
    assert "koans/m00/kid.py:4 in boom" in text


def test_timeouts_are_worded_with_their_own_figure(kk, monkeypatch) -> None:
    """A ChildTimeout says the child's limit (in_child's timeout=), a pytest-timeout stop says
    pytest-timeout's (here from PYTEST_TIMEOUT); neither is mistaken for the other."""
    kk.manifest(m00=["test_slow.py"])
    kk.write("koans/m00/slow.py", "import time\n\ndef nap():\n    time.sleep(60)\n")
    kk.write("solutions/m00/slow.py", "def nap():\n    return None\n")
    kk.write("koans/m00/test_slow.py", '''
        from kernel_koans.child import in_child
        from kernel_koans.exercise import exercise
        from kernel_koans.koan import koan

        slow = exercise("m00/slow")


        @koan(man="fork(2)", hints=["h"])
        def test_child_overruns():
            """A child that never ends is killed at its own limit."""
            in_child(slow.nap, timeout=0.5)


        @koan(man="fork(2)", hints=["h"])
        def test_koan_overruns():
            """A koan that never ends is stopped by pytest-timeout."""
            slow.nap()
    ''')
    monkeypatch.setenv("PYTEST_TIMEOUT", "2")
    result = kk.run("--no-audit", "koans")
    result.assert_outcomes(failed=2)
    child = _longrepr(result, "test_child_overruns")
    assert child.startswith("Your code did not finish within 0.5 s and its child was killed."), child
    koan = _longrepr(result, "test_koan_overruns")
    assert koan.startswith("Your code did not finish within 2 s and was stopped; the run goes on."), koan
    assert kk.last_run()["kinds"] == {"koans/m00/test_slow.py::test_child_overruns": "timeout",
                                      "koans/m00/test_slow.py::test_koan_overruns": "timeout"}


def test_a_failure_that_only_mentions_timeout_is_not_one(kk) -> None:
    """pytest-timeout is told by where the failure was raised, not by the word."""
    kk.manifest(m00=["test_words.py"])
    kk.write("koans/m00/test_words.py", '''
        import pytest

        from kernel_koans.koan import koan


        @koan(man="x(1)", hints=["h"])
        def test_says_timeout():
            """Only the word."""
            pytest.fail("Timeout (>1.0s) from pytest-timeout.")
    ''')
    result = kk.run("--no-audit", "koans")
    result.assert_outcomes(failed=1)
    assert "did not finish" not in _longrepr(result, "test_says_timeout")


def test_every_limit_stretches_with_the_host_s_slowness(kk, monkeypatch) -> None:
    """Under emulation (slowness 4 here) a koan's own marker and the run's default limit are
    both stretched, and the failure names the stretched figure it was stopped at."""
    kk.manifest(m00=["test_slowhost.py"])
    kk.write("koans/m00/test_slowhost.py", '''
        import time

        import pytest

        from kernel_koans.koan import koan


        @koan(man="fork(2)", hints=["h"])
        @pytest.mark.timeout(0.5)
        def test_own_limit_stretched():
            """Sleeps past its own 0.5 s, within 4 times it."""
            time.sleep(1)


        @koan(man="fork(2)", hints=["h"])
        def test_default_limit_stretched():
            """Sleeps past the run's 0.5 s default, within 4 times it."""
            time.sleep(1)


        @koan(man="fork(2)", hints=["h"])
        @pytest.mark.timeout(0.25)
        def test_still_stopped():
            """Never ends: stopped at 4 times its own limit."""
            time.sleep(60)
    ''')
    monkeypatch.setenv("PYTEST_TIMEOUT", "0.5")
    monkeypatch.setenv("KERNEL_KOANS_SLOWNESS", "4")
    result = kk.run("--no-audit", "koans")
    result.assert_outcomes(passed=2, failed=1)
    text = _longrepr(result, "test_still_stopped")
    assert text.startswith("Your code did not finish within 1 s and was stopped; the run goes on."), text

"""kernel_koans.child.in_child: a forked child's value, its exception, its timeout, no orphans."""
from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

from kernel_koans.child import ChildFailure, ChildTimeout, describe_status, in_child, run


class Custom(Exception):
    pass


def _pid_and(value):
    return os.getpid(), value


def _raise(kind, text):
    raise kind(text)


def _unpicklable_error():
    class Local(Exception):  # a local class cannot pickle
        pass

    raise Local("from a local class")


def _hang():
    while True:
        time.sleep(0.05)


def _exit_hard():
    os._exit(3)


def _leave_a_grandchild(seconds):
    pid = os.fork()
    if pid == 0:
        try:
            time.sleep(seconds)
        finally:
            os._exit(0)
    return pid


def _children() -> list[psutil.Process]:
    return psutil.Process().children(recursive=True)


def test_returns_the_value_computed_in_another_process() -> None:
    pid, value = in_child(_pid_and, {"a": [1, 2]})
    assert pid != os.getpid()
    assert value == {"a": [1, 2]}
    assert in_child(sum, [1, 2, 3]) == 6
    assert run(sum, [1]).exit_status == 0


@pytest.mark.parametrize("kind", [ValueError, PermissionError, Custom, KeyError])
def test_reraises_the_same_exception_type(kind) -> None:
    with pytest.raises(kind) as caught:
        in_child(_raise, kind, "the child says no")
    assert "the child says no" in str(caught.value)
    assert "_raise" in caught.value.child_traceback  # where it happened, for failures.explain


def test_unpicklable_exception_comes_back_as_child_failure() -> None:
    with pytest.raises(ChildFailure) as caught:
        in_child(_unpicklable_error)
    assert caught.value.kind == "Local" and "from a local class" in str(caught.value)
    assert "_unpicklable_error" in caught.value.text


def test_unpicklable_value_is_a_child_failure() -> None:
    with pytest.raises(ChildFailure, match="could not be sent back"):
        in_child(lambda: (lambda: None))


def test_child_that_dies_without_a_result() -> None:
    with pytest.raises(ChildFailure, match=r"ended without a result \(exit 3\)"):
        in_child(_exit_hard)


def test_hang_raises_child_timeout_and_leaves_no_child() -> None:
    before = {p.pid for p in _children()}
    started = time.monotonic()
    with pytest.raises(ChildTimeout, match="gave up after 0.5s"):
        in_child(_hang, timeout=0.5)
    assert time.monotonic() - started < 3
    assert {p.pid for p in _children()} == before, "the hung child is still around"


def test_a_grandchild_holding_the_pipe_does_not_hold_back_the_result() -> None:
    """fn returned; a process it left running still has the pipe open. That is not a hang."""
    started = time.monotonic()
    grandchild = in_child(_leave_a_grandchild, 5, timeout=2)
    try:
        assert time.monotonic() - started < 1.5, "in_child waited for the grandchild"
    finally:
        os.kill(grandchild, signal.SIGKILL)


def test_describe_status() -> None:
    assert describe_status(3 << 8) == "exit 3"
    assert describe_status(9) == "killed by SIGKILL"

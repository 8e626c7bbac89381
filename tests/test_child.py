"""kernel_koans.child: a forked child's value, its exception, its timeout, its exit status, no orphans."""
from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

from kernel_koans import child, trace
from kernel_koans.child import ChildDied, ChildFailure, ChildTimeout, describe_status, in_child, run


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


def test_one_default_timeout() -> None:
    assert isinstance(child.DEFAULT_TIMEOUT, float) and child.DEFAULT_TIMEOUT > 0
    with child.start(_hang) as running:
        assert running.timeout == child.DEFAULT_TIMEOUT


def test_framing_carries_a_report_bigger_than_a_pipe() -> None:
    big = os.urandom(300_000)
    assert in_child(bytes, big) == big


def test_exit_status_of_a_child_that_exits_without_reporting() -> None:
    with child.start(_exit_hard) as running:
        with pytest.raises(ChildDied, match=r"exit 3") as died:
            running.report()
        assert died.value.status is not None and os.WEXITSTATUS(died.value.status) == 3
        assert running.wait() == died.value.status


def test_a_child_killed_by_a_signal_is_reported_as_died() -> None:
    with child.start(_hang) as running:
        os.kill(running.pid, signal.SIGKILL)
        with pytest.raises(ChildDied, match="killed by SIGKILL"):
            running.report(timeout=5)


def _die_leaving_a_grandchild(seconds):
    _leave_a_grandchild(seconds)
    os._exit(4)


def test_a_grandchild_holding_the_pipe_does_not_hide_a_child_that_died() -> None:
    """The child died without a report; its grandchild keeps the pipe open (no EOF)."""
    before = {p.pid for p in _children()}
    started = time.monotonic()
    with child.start(_die_leaving_a_grandchild, 30) as running:
        with pytest.raises(ChildDied, match="exit 4"):
            running.report(timeout=5)
    assert time.monotonic() - started < 2, "report() waited for the grandchild's end of file"
    for proc in _children():
        if proc.pid not in before:
            proc.kill()


def test_wait_gives_the_status_or_none_while_it_runs() -> None:
    with child.start(_hang) as running:
        assert running.wait(0.2) is None
        assert running.poll() is None
        status = running.kill()
        assert status is not None and os.WTERMSIG(status) == signal.SIGKILL


def test_exit_status_in_the_outcome() -> None:
    assert run(_pid_and, 1).exit_status == 0


def _write(path):
    with open(path, "w") as f:
        f.write("ran")


def test_a_gated_child_waits_for_go(tmp_path) -> None:
    mark = tmp_path / "ran"
    with child.start(_write, str(mark), gated=True) as running:
        time.sleep(0.2)
        assert not mark.exists(), "the gated child ran before go()"
        running.go()
        running.report()
    assert mark.read_text() == "ran"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root (unshare CLONE_NEWPID)")
def test_a_custom_fork_function() -> None:
    """held(fork=...) forks with the given function: here into a new PID namespace."""
    from kernel_koans import linux

    def fork_into_new_pid_namespace() -> int:
        linux.unshare(linux.CLONE_NEWPID)
        return os.fork()

    with child.held(_pid_and, None) as outer:
        assert outer.value[0] == outer.pid
    # In a child: the custom fork moves the child into a new PID namespace, where it is 1.
    pid, value = in_child(_pid1_after_custom_fork, fork_into_new_pid_namespace)
    assert value == (1, None)


def _pid1_after_custom_fork(fork):
    pid, value = child.spawn_held(_pid_and, None, fork=fork)
    return pid, value


def _echo_setup(port_file):
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    with open(port_file, "w") as f:
        f.write(str(sock.getsockname()[1]))
    return sock


def _echo_loop(sock):
    conn, _ = sock.accept()
    with conn:
        conn.sendall(b"echo:" + conn.recv(100))


def _failing_setup():
    raise PermissionError("cannot bind")


def test_a_served_probe_reports_ready_then_serves(tmp_path) -> None:
    import socket

    port_file = tmp_path / "port"
    server = child.serve(_echo_setup, _echo_loop, str(port_file))
    try:
        port = int(port_file.read_text())  # written before serve() returned: it was ready
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(b"hi")
            assert conn.recv(100) == b"echo:hi"
        assert server.wait(5) == 0, "the server did not exit when its loop returned"
    finally:
        server.close()
    with pytest.raises(PermissionError, match="cannot bind"):
        child.serve(_failing_setup, _echo_loop)


def _fork_then_report():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return "forked"


def test_at_next_fork_acts_while_the_parent_is_stopped_in_fork() -> None:
    seen = {}

    def then(new: int) -> None:
        stat = open(f"/proc/{running.pid}/stat").read()
        seen["state"] = stat[stat.rindex(")") + 2]
        seen["new"] = new

    with child.start(_fork_then_report, gated=True) as running:
        new = trace.at_next_fork(running, then)
        assert running.report() == "forked"
    assert new == seen["new"] and new != running.pid
    assert seen["state"] == "t", f"the forking parent was in state {seen['state']}, not stopped by its tracer"


def test_at_next_fork_of_a_child_that_never_forks() -> None:
    with child.start(_raise, ValueError, "no fork", gated=True) as running:
        assert trace.at_next_fork(running, lambda new: None) is None
        with pytest.raises(ValueError, match="no fork"):
            running.report()

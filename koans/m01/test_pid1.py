"""M1 · PID 1 and signal forwarding: the duties of a container's first process."""
from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psutil
import pytest

from kernel_koans import build_context, child, exercise, koan, linux, trace, waiting
from kernel_koans.child import describe_status, in_child

tiny_init = exercise("m01/tiny_init")

SLEEP = shutil.which("sleep") or "/bin/sleep"
SH = shutil.which("sh") or "/bin/sh"


def _cmdline(pid: int) -> list[str]:
    try:
        return psutil.Process(pid).cmdline()
    except psutil.Error:
        return []


def _kids(pid: int, recursive: bool = False) -> list[int]:
    try:
        return [k.pid for k in psutil.Process(pid).children(recursive=recursive)]
    except psutil.Error:
        return []


def _zombie(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.Error:  # reaped in the meantime
        return False


def _until(condition: Callable[[], object], seconds: float = 5) -> bool:
    return waiting.until(lambda: bool(condition()), seconds, 0.02)


def _be_pid1(argv: list[str]) -> None:
    """PID 1 of the koan's namespace: a fresh program's signal handlers, then tiny_init."""
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    tiny_init.tiny_init(argv)
    raise AssertionError("tiny_init returned: PID 1 must end the process with os._exit(<the child's status>)")


@contextmanager
def _pid1(argv: list[str], gated: bool = False) -> Iterator[child.Child]:
    """In a forked watcher: PID 1 of a new PID namespace runs tiny_init(argv). Afterwards
    PID 1 is killed (and its namespace with it) and what tiny_init raised is raised here."""
    linux.unshare(linux.CLONE_NEWPID)  # our next child is PID 1 of a new namespace
    with child.start(_be_pid1, argv, gated=gated) as init:
        yield init
        init.kill()
        try:
            init.report(timeout=2)
        except child.ChildDied:  # it ended with os._exit (or we killed it): nothing raised
            pass


def _release(fifo: str) -> None:
    """Let the program blocked in `read < fifo` go on."""
    deadline = time.monotonic() + 5
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as err:  # ENXIO: the program has not opened it yet
            if err.errno != errno.ENXIO or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    os.write(fd, b"go\n")
    os.close(fd)


def _watch_exit(argv: list[str], fifo: str) -> dict:
    """The program waits on a fifo, so the koan sees it run as PID 1's child before it ends."""
    with _pid1(argv) as init:
        _until(lambda: init.poll() is not None or any(_cmdline(k) == argv for k in _kids(init.pid)))
        started = init.poll() is None and any(_cmdline(k) == argv for k in _kids(init.pid))
        if started:
            _release(fifo)
        return {"started": started, "status": init.wait(5)}


def _watch_early_sigterm(argv: list[str]) -> dict:
    """SIGTERM reaches PID 1 while it is stopped inside its fork(): before its next line runs."""
    with _pid1(argv, gated=True) as init:
        forked = trace.at_next_fork(init, lambda _new: os.kill(init.pid, signal.SIGTERM))
        return {"forked": forked is not None, "status": init.wait(5)}


def _watch_sigterm(argv: list[str]) -> dict:
    """SIGTERM to PID 1 once the program listens (its `sleep 30` runs)."""
    with _pid1(argv) as init:
        _until(lambda: init.poll() is not None
               or any(_cmdline(k) == [SLEEP, "30"] for k in _kids(init.pid, recursive=True)))
        if init.poll() is None:
            os.kill(init.pid, signal.SIGTERM)
        return {"status": init.wait(5)}


def _watch_orphans(argv: list[str]) -> dict:
    """Wait for the three orphans under PID 1, kill them, and see whether PID 1 reaps them."""
    with _pid1(argv) as init:
        def found() -> tuple[list[int], bool]:
            kids = {k: _cmdline(k) for k in _kids(init.pid)}
            return [k for k, c in kids.items() if c == ["sleep", "30"]], ["sleep", "60"] in kids.values()

        _until(lambda: init.poll() is not None or (len(found()[0]) == 3 and found()[1]))
        orphans, program = found()
        seen: dict = {"program": program, "orphans": orphans, "status": init.poll()}
        if len(orphans) == 3 and program and seen["status"] is None:
            for pid in orphans:
                os.kill(pid, signal.SIGKILL)  # now they are PID 1's zombies until it waits for them
            _until(lambda: init.poll() is not None or not any(os.path.exists(f"/proc/{p}") for p in orphans), 3)
            seen["zombies"] = [p for p in orphans if _zombie(p)]
            # An init that exits takes its namespace down, orphans included: so PID 1 must
            # still be there a moment after the orphans are gone.
            seen["status"] = init.wait(1.0)
        return seen


def _explain(status: int | None) -> str:
    return "it was still running 5 s later" if status is None else describe_status(status)


@koan(man="waitpid(2)",
      hints=["fork, exec argv in the child, wait for it in the parent, end with its code.",
             "os.waitpid(-1, 0) in a loop until the pid you forked comes back; then "
             "os._exit(os.waitstatus_to_exitcode(status)) (128 + N for a signal N)."],
      needs=["root"])
def test_pid1_exits_with_its_childs_status(scratch):
    """A container's exit code is its PID 1's: an init that loses the program's status
    makes every failure look like success to `docker wait`, restart policies and CI."""
    code = random.randrange(3, 120)  # not a number PID 1 could know without running the program
    fifo = scratch / "go"
    os.mkfifo(fifo)
    argv = [SH, "-c", f"read go < {fifo}; exit {code}"]  # it ends when the koan says so
    seen = in_child(_watch_exit, argv, str(fifo), timeout=20)
    assert seen["started"], (
        "PID 1 never had the program as its child (a child of PID 1 running argv): fork, then "
        f"exec argv in the child; PID 1 itself stays your init ({_explain(seen['status'])})")
    status = seen["status"]
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == code, (
        f"the program exited {code}; PID 1 (your tiny_init) ended with {_explain(status)}")


@koan(man="pid_namespaces(7)",
      hints=["The kernel does not apply SIGTERM's default action (terminate) to a namespace's "
             "PID 1. What must PID 1 do so that SIGTERM reaches anyone, even right after fork()?",
             "signal.signal(SIGTERM, handler) before the fork, the handler does os.kill(child, "
             "signum); block the signals around the fork (signal.pthread_sigmask) so one that "
             "comes before you know the child's pid waits. Then exit like the child: its code, "
             "or 128 + N when signal N killed it."],
      needs=["root", "ptrace"])
def test_pid1_forwards_sigterm_to_its_child(scratch):
    """`docker stop` sends SIGTERM to PID 1 only. A PID 1 without a handler never even
    receives it, so the app is SIGKILLed 10 s later with no chance to clean up.

    The koan sends SIGTERM twice: once while PID 1 is stopped inside its fork() (the
    program, not yet listening, dies of it: 143), once to a program that handles it."""
    fifo = scratch / "never"
    os.mkfifo(fifo)
    seen = in_child(_watch_early_sigterm, [SH, "-c", f"read go < {fifo}"], timeout=20)
    assert seen["forked"], f"PID 1 never forked the program ({_explain(seen['status'])})"
    status = seen["status"]
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signal.SIGTERM, (
        "SIGTERM came to PID 1 right after its fork() and should have reached the program, "
        f"which dies of it, so PID 1 exits 143 (128 + SIGTERM); PID 1 ended with {_explain(status)}. "
        "Was the handler installed only after the fork, or the signal lost before the child's pid was known?")
    # A program that handles SIGTERM: it notes it, then exits with a code of its own.
    marker = scratch / "got-sigterm"
    code = random.randrange(3, 120)
    program = f"trap 'echo TERM > {marker}; exit {code}' TERM; {SLEEP} 30 & wait"
    status = in_child(_watch_sigterm, [SH, "-c", program], timeout=20)["status"]
    assert marker.exists(), (
        "SIGTERM never reached the program: PID 1 must forward it (kill(child, SIGTERM)), "
        f"not just exit ({_explain(status)})")
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == code, (
        f"the program handled SIGTERM and exited {code}; PID 1 ended with {_explain(status)}: after "
        "forwarding, PID 1 waits for its child and exits with the child's status")


@koan(man="wait(2)",
      hints=["An orphan whose parent exited becomes YOUR child. Who calls wait() for it?",
             "Wait with pid -1 (any child), not for your program's pid only: every waitpid(-1) "
             "reaps one zombie, orphans included. Only the program's end ends PID 1."],
      needs=["root"])
def test_pid1_reaps_orphaned_zombies():
    """Orphans are re-parented to PID 1 and stay zombies (holding a pid) until it waits
    for them; an init that only waits for its own child slowly fills the pid table."""
    # (sleep 30 &) forks a subshell that starts sleep and exits: each sleep is orphaned.
    argv = [SH, "-c", "(sleep 30 &); (sleep 30 &); (sleep 30 &); exec sleep 60"]
    seen = in_child(_watch_orphans, argv, timeout=20)
    assert seen["program"], (
        f"PID 1 never ran the program as its child (no `sleep 60` among its children), so no "
        f"orphan came to it: fork and exec argv ({_explain(seen['status'])})")
    assert len(seen["orphans"]) == 3, f"the three orphans never came to PID 1 (found {seen['orphans']})"
    assert seen["status"] is None, (
        f"PID 1 ended ({_explain(seen['status'])}) when the koan killed an orphan: only its own "
        "program's end may end it")
    assert seen["zombies"] == [], (
        f"3 s after the koan killed three orphans, PID 1 still had them as zombies {seen['zombies']}: "
        "wait for any child (-1), not only for the program")


@pytest.mark.timeout(60)
@koan(man="https://docs.docker.com/reference/cli/docker/container/stop/",
      hints=["`sleep 30` as PID 1 ignores SIGTERM; a shell in front of it must catch it and pass it on.",
             "\"$@\" & child=$!; trap 'kill -TERM $child' TERM; wait $child; and wait again while "
             "the child still exists, since a trapped signal interrupts wait; exit $status."],
      needs=["docker"])
def test_docker_stop_is_fast_with_a_forwarding_init(docker_client, busybox_image, docker_cleanup):
    """With an init that forwards SIGTERM, `docker stop` ends the app at once with exit 143;
    without one it waits out the grace period and SIGKILLs (exit 137)."""
    script = tiny_init.init_script()
    # The app prints a mark when SIGTERM reaches it, then dies of it: proof of forwarding.
    app = "trap 'echo kk-got-TERM; trap - TERM; kill -TERM $$' TERM; sleep 30 & wait"
    dockerfile = (f"FROM {busybox_image}\nCOPY kk-init.sh /kk-init.sh\n"
                  f'ENTRYPOINT ["/bin/sh", "/kk-init.sh"]\nCMD ["sh", "-c", "{app}"]\n')
    image, _ = docker_client.images.build(
        fileobj=build_context.tar({"Dockerfile": dockerfile.encode(), "kk-init.sh": script.encode()}, mode=0o755),
        custom_context=True, labels=docker_cleanup, pull=False, rm=True, forcerm=True)
    container = docker_client.containers.run(image.id, detach=True, labels=docker_cleanup)
    container.reload()
    pid1 = container.attrs["State"]["Pid"]
    # Wait until the app's `sleep 30` runs, below PID 1 (or below an init that exec'd the app).
    assert waiting.until(lambda: any(
        _cmdline(p) == ["sleep", "30"]
        for p in [pid1, *(c.pid for c in psutil.Process(pid1).children(recursive=True))]), 10), (
        f"the container never started `sleep 30`: {container.logs()!r}")
    started = time.monotonic()
    container.stop(timeout=6)
    elapsed = time.monotonic() - started
    container.reload()
    code = container.attrs["State"]["ExitCode"]
    assert elapsed < 4 and code == 128 + signal.SIGTERM, (
        f"docker stop took {elapsed:.1f} s and the container exited {code}: a forwarding PID 1 "
        "ends at once with 143 (128 + SIGTERM); 137 after ~6 s means it was SIGKILLed")
    logs = container.logs().decode(errors="replace")
    assert "kk-got-TERM" in logs, (
        f"the app never received SIGTERM (its output: {logs[-200:]!r}): PID 1 exited 143 "
        "itself instead of forwarding the signal (kill -TERM $child) and waiting for it")

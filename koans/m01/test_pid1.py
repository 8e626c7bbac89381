"""M1 · PID 1 and signal forwarding: the duties of a container's first process."""
from __future__ import annotations

import io
import os
import pickle
import random
import shutil
import signal
import tarfile
import time
import traceback

import psutil
import pytest

from kernel_koans import linux
from kernel_koans.child import describe_status, in_child
from kernel_koans.exercise import exercise
from kernel_koans.koan import koan

tiny_init = exercise("m01/tiny_init")

SLEEP = shutil.which("sleep") or "/bin/sleep"
SH = shutil.which("sh") or "/bin/sh"


def _cmdline(pid: int) -> list[str]:
    try:
        return psutil.Process(pid).cmdline()
    except psutil.Error:
        return []


def _is_zombie(proc: psutil.Process) -> bool:
    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.Error:  # reaped in the meantime
        return False


def _reaped(pid: int) -> int | None:
    """The wait status of `pid` if it has ended, else None (WNOHANG)."""
    done, status = os.waitpid(pid, os.WNOHANG)
    return status if done else None


def _as_pid1(argv: list[str], probe: str) -> dict:
    """Runs in a forked child: make a PID namespace whose PID 1 runs the learner's
    tiny_init(argv), then watch it from outside - the parent namespace.

    probe: "exit" (let it end), "sigterm" (send SIGTERM to PID 1), "zombies" (look for
    unreaped children of PID 1, then SIGTERM).
    """
    linux.unshare(linux.CLONE_NEWPID)  # our next child is PID 1 of a new namespace
    read_fd, write_fd = os.pipe()
    init = os.fork()
    if init == 0:
        os.close(read_fd)
        try:
            linux.set_parent_death_signal(signal.SIGKILL)  # the koan's child killed -> so is this namespace
            tiny_init.tiny_init(argv)
            err: BaseException = AssertionError(
                "tiny_init returned: PID 1 must end the process with os._exit(<the child's status>)")
        except BaseException as exc:  # noqa: BLE001 - shipped to the koan
            err = exc
            err.child_traceback = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))  # type: ignore[attr-defined]
        try:
            data = pickle.dumps(err)
        except Exception:  # noqa: BLE001
            data = pickle.dumps(RuntimeError(f"{type(err).__name__}: {err}"))
        os.write(write_fd, data)
        os._exit(99)
    os.close(write_fd)
    seen: dict = {"init": init, "status": None}
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and seen["status"] is None:
            # Started = a child of PID 1 has exec'd (its argv is no longer our forked copy's).
            kids = psutil.Process(init).children()
            if any(_cmdline(k.pid) not in ([], _cmdline(init)) for k in kids):
                seen["started"] = True
                break
            seen["status"] = _reaped(init)
            time.sleep(0.02)
        if probe == "zombies" and seen["status"] is None:
            # The shell waits for each (...) subshell, so once it has exec'd `sleep 30` all
            # three orphans exist; 1 s later they have exited. Has PID 1 reaped them?
            until = time.monotonic() + 5
            while time.monotonic() < until and not any(
                    _cmdline(k.pid) == ["sleep", "30"] for k in psutil.Process(init).children()):
                time.sleep(0.02)
            seen["program"] = any(_cmdline(k.pid) == ["sleep", "30"]
                                  for k in psutil.Process(init).children())
            time.sleep(1.0)
            seen["zombies"] = [k.pid for k in psutil.Process(init).children() if _is_zombie(k)]
        if probe == "sigterm" and seen["status"] is None:
            # The program traps TERM before it starts `sleep 30`: once that runs, it listens.
            until = time.monotonic() + 5
            while time.monotonic() < until and not any(
                    _cmdline(k.pid) == [SLEEP, "30"] for k in psutil.Process(init).children(recursive=True)):
                time.sleep(0.02)
        if probe in ("sigterm", "zombies") and seen["status"] is None:
            os.kill(init, signal.SIGTERM)
        started = time.monotonic()
        while seen["status"] is None and time.monotonic() - started < 5:
            seen["status"] = _reaped(init)
            time.sleep(0.02)
        seen["elapsed"] = time.monotonic() - started
    finally:
        if seen["status"] is None:  # PID 1 dies -> the kernel kills its whole namespace
            os.kill(init, signal.SIGKILL)
            os.waitpid(init, 0)
        data = os.read(read_fd, 1 << 16)
        os.close(read_fd)
    if data:
        seen["error"] = pickle.loads(data)  # raised by the koan itself, traceback intact
    return seen


def _run_as_pid1(argv: list[str], probe: str) -> dict:
    seen = in_child(_as_pid1, argv, probe, timeout=20)
    if "error" in seen:
        raise seen["error"]
    return seen


def _explain(seen: dict) -> str:
    status = seen["status"]
    return "it was still running 5 s later" if status is None else describe_status(status)


@koan(man="waitpid(2)",
      hints=["fork, exec argv in the child, wait for it in the parent, end with its code.",
             "os.waitpid(-1, 0) in a loop until the pid you forked comes back; then "
             "os._exit(os.waitstatus_to_exitcode(status)) (128 + N for a signal N)."],
      needs=["root"])
def test_pid1_exits_with_its_childs_status():
    """A container's exit code is its PID 1's: an init that loses the program's status
    makes every failure look like success to `docker wait`, restart policies and CI."""
    code = random.randrange(3, 120)  # not a number PID 1 could know without running the program
    seen = _run_as_pid1([SH, "-c", f"sleep 0.2; exit {code}"], "exit")
    assert seen.get("started"), "PID 1 never started the program as its child (fork, then exec argv)"
    status = seen["status"]
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == code, (
        f"the program exited {code}; PID 1 (your tiny_init) ended with {_explain(seen)}")


@koan(man="pid_namespaces(7)",
      hints=["The kernel does not apply SIGTERM's default action (terminate) to a namespace's "
             "PID 1. What must PID 1 do so that SIGTERM reaches anyone?",
             "signal.signal(SIGTERM, handler) before the fork, the handler does os.kill(child, "
             "signum); the child dies of SIGTERM and you exit 128 + 15 = 143."],
      needs=["root"])
def test_pid1_forwards_sigterm_to_its_child(scratch):
    """`docker stop` sends SIGTERM to PID 1 only. A PID 1 without a handler never even
    receives it, so the app is SIGKILLed 10 s later with no chance to clean up."""
    # The program notes that SIGTERM reached it, then dies of it (trap reset, kill itself).
    marker = scratch / "got-sigterm"
    program = f"trap 'echo TERM > {marker}; trap - TERM; kill -TERM $$' TERM; {SLEEP} 30 & wait"
    seen = _run_as_pid1([SH, "-c", program], "sigterm")
    assert seen.get("started"), "PID 1 never started the program as its child (fork, then exec argv)"
    assert marker.exists(), (
        "SIGTERM never reached the program: PID 1 must forward it (kill(child, SIGTERM)), "
        f"not just exit ({_explain(seen)})")
    status = seen["status"]
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signal.SIGTERM, (
        f"SIGTERM to PID 1 should reach `sleep 30` and PID 1 then exits 143 (128 + SIGTERM); "
        f"it ended with {_explain(seen)}")
    assert seen["elapsed"] < 3, f"PID 1 took {seen['elapsed']:.1f} s to end after SIGTERM"


@koan(man="wait(2)",
      hints=["An orphan whose parent exited becomes YOUR child. Who calls wait() for it?",
             "Wait with pid -1 (any child), not for your program's pid only: every waitpid(-1) "
             "reaps one zombie, orphans included."],
      needs=["root"])
def test_pid1_reaps_orphaned_zombies():
    """Orphans are re-parented to PID 1 and stay zombies (holding a pid) until it waits
    for them; an init that only waits for its own child slowly fills the pid table."""
    # (sleep &) forks a subshell that starts sleep and exits: each sleep is orphaned.
    argv = [SH, "-c", "(sleep 0.2 &); (sleep 0.2 &); (sleep 0.2 &); exec sleep 30"]
    seen = _run_as_pid1(argv, "zombies")
    assert seen.get("program"), (
        f"PID 1 never ran the program (no `sleep 30` among its children), so no orphan was "
        f"ever made: fork and exec argv ({_explain(seen)})")
    assert seen.get("zombies") == [], (
        f"1 s after three orphans exited, PID 1 still had zombie children {seen.get('zombies')} "
        f"(or ended early: {_explain(seen)})")


def _context(files: dict[str, bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


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
        fileobj=_context({"Dockerfile": dockerfile.encode(), "kk-init.sh": script.encode()}),
        custom_context=True, labels=docker_cleanup, pull=False, rm=True, forcerm=True)
    container = docker_client.containers.run(image.id, detach=True, labels=docker_cleanup)
    container.reload()
    pid1 = container.attrs["State"]["Pid"]
    deadline = time.monotonic() + 10
    # Wait until the app's `sleep 30` runs, below PID 1 (or below an init that exec'd the app).
    while not any(_cmdline(p) == ["sleep", "30"]
                  for p in [pid1, *(c.pid for c in psutil.Process(pid1).children(recursive=True))]):
        assert time.monotonic() < deadline, f"the container never started `sleep 30`: {container.logs()!r}"
        time.sleep(0.05)
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

"""M1 · What a process is: a pid, a state, a parent, an argv and a root, as /proc shows them."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid

import psutil
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel_koans import exercise, koan, procfs, waiting

process = exercise("m01/process")

ODD_NAME = "kk a) (b"
"""An executable name with a space and parentheses: comm is not a simple token."""


def _must_reach(check, timeout: float = 5.0, what: str = "the process") -> None:  # type: ignore[no-untyped-def]
    if not waiting.until(check, timeout, 0.02):
        raise AssertionError(f"{what} did not get there within {timeout:g} s")


@koan(man="proc(5)",
      hints=["One line: `pid (comm) state ppid ...`. Where does comm end if it may contain ')'?",
             "comm runs from the first '(' to the LAST ')'; split what follows on spaces: "
             "state is the first field after it, ppid the second."])
def test_proc_stat_tells_state_and_parent(spawn, scratch):
    """Every process has a state and a parent; `ps` and `docker top` only read them from
    /proc/<pid>/stat. Stop a process with SIGSTOP and the kernel says `T`."""
    # comm is the basename of the file passed to execve(2): run Python under an odd name.
    link = scratch / ODD_NAME
    link.symlink_to(os.path.realpath(sys.executable))
    child = spawn([str(link), "-c", "import time; print('up', flush=True); time.sleep(30)"],
                  stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdout.readline() == b"up\n"
    _must_reach(lambda: psutil.Process(child.pid).status() == psutil.STATUS_SLEEPING, what="time.sleep")
    seen = process.read_stat(child.pid)
    assert (seen.pid, seen.comm, seen.state, seen.ppid) == (child.pid, ODD_NAME, "S", os.getpid()), (
        f"the kernel says pid {child.pid} is ({ODD_NAME!r}, state S, parent {os.getpid()}); "
        f"read_stat gave {seen}")
    os.kill(child.pid, signal.SIGSTOP)
    _must_reach(lambda: psutil.Process(child.pid).status() == psutil.STATUS_STOPPED, what="SIGSTOP")
    stopped = process.read_stat(child.pid)
    assert stopped.state == "T", (
        f"after SIGSTOP the kernel reports state T (stopped) for pid {child.pid}; "
        f"read_stat gave {stopped.state!r}")


_ARG = st.text(st.characters(min_codepoint=1, max_codepoint=0xD7FF), max_size=12)


@koan(man="proc(5)",
      hints=["cmdline is raw bytes. What separates two arguments, and what ends the last one?",
             "Each argument is followed by a NUL byte: split on b'\\0' and drop the empty piece "
             "after the final NUL; decode with os.fsdecode. Empty arguments are arguments too."])
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(args=st.lists(_ARG, max_size=5))
def test_cmdline_is_the_argv_given_to_execve(args):
    """argv is whatever the parent passed to execve(2), spaces and empty strings included;
    it is exactly what ENTRYPOINT and CMD end up as inside a container."""
    argv = [sys.executable, "-c", "import sys, time; print('up', flush=True); time.sleep(20)", *args]
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"up\n"
        seen = process.read_argv(child.pid)
        assert seen == argv, (
            f"the kernel holds argv {argv!r} for pid {child.pid}; read_argv gave {seen!r}")
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


@koan(man="proc(5)",
      hints=["A container's process is an ordinary host process: the engine tells you its host pid. "
             "Where does the kernel show that process's root directory?",
             "open(f'/proc/{pid}/root/' + path) reads through that process's root, across mount "
             "namespaces."],
      needs=["root", "docker"])
def test_a_container_is_a_host_process_with_its_own_root(docker_client, busybox_image, docker_cleanup):
    """A container is a process on your kernel, with its own root filesystem: the file it
    writes exists in its root and nowhere in yours.

    Not told apart here: entering the container's mount namespace (setns) to read the file,
    which is right too."""
    token = f"kk-{uuid.uuid4().hex}"
    # Its working directory is not its root, and holds a decoy under the same name.
    container = docker_client.containers.run(
        busybox_image, ["sh", "-c", f"echo {token} > /kk-token && echo kk-decoy > kk-token && exec sleep 30"],
        detach=True, labels=docker_cleanup, stop_signal="SIGKILL", working_dir="/kk-work")
    container.reload()
    pid = container.attrs["State"]["Pid"]
    _must_reach(lambda: procfs.comm(pid) == "sleep", what="the container's shell")
    assert os.stat(f"/proc/{pid}/ns/mnt").st_ino != os.stat("/proc/self/ns/mnt").st_ino
    assert not os.path.exists("/kk-token"), "the host root must not hold /kk-token"
    seen = process.read_file_in_root_of(pid, "/kk-token")
    assert seen == f"{token}\n".encode(), (
        f"host pid {pid} (the container's PID 1) has /kk-token = {token!r} in its own root; "
        f"read_file_in_root_of gave {seen[:80]!r}"
        + (" (the decoy in its working directory /kk-work, not its root)" if seen == b"kk-decoy\n" else ""))

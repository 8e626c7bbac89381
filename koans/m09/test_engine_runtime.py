"""Docker runs mini-run: the engine calls the learner's runtime through containerd's shim.

dockerd never starts a container itself. containerd's shim (containerd-shim-runc-v2) execs
an OCI runtime binary with runc's command line: `create --bundle B --pid-file P ID`, then
`start ID`, `kill ID SIG`, `delete ID`. Name mini-run as a runtime and the same engine,
the same image and the same `docker run` run it instead of runc.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker.errors

from kernel_koans import koan, procfs
from kernel_koans.engine_runtime import runtime_failure

RUNTIME = "kk-mini"
SHIM = "containerd-shim"  # comm of containerd-shim-runc-v2, cut to 15 characters by the kernel

HINTS_CREATE = [
    "The shim calls your program exactly like runc: global flags first (--root, --log, "
    "--log-format json), then `create --bundle DIR --pid-file FILE ID`, then `start ID`. "
    "Run `mini-run create …` by hand with those flags before you ask Docker.",
    "`create` must return only once the container's init exists and waits, with its host "
    "pid written to --pid-file: the shim reads that file as soon as create exits. "
    "`start` releases the waiting init so it execs process.args; `delete` removes the state.",
]


@koan(man="runc(8)", hints=HINTS_CREATE, needs=["root", "docker", "busybox"])
def test_docker_run_prints_through_mini_run(docker_client: Any, busybox_image: str,
                                            docker_cleanup: dict[str, str], mini_run: Any,
                                            engine_with_runtime: Callable[[str, Path], None]) -> None:
    """`docker run --runtime kk-mini IMAGE echo WORD` prints WORD: the engine unpacked the
    image, wrote the bundle, and your program turned it into a process."""
    engine_with_runtime(RUNTIME, mini_run.path)
    word = secrets.token_hex(8)
    try:
        out = docker_client.containers.run(busybox_image, ["echo", word], runtime=RUNTIME,
                                           network_mode="none", labels=docker_cleanup,
                                           remove=True)
    except docker.errors.ContainerError as err:
        raise AssertionError(f"the container exited {err.exit_status} under {RUNTIME}: "
                             f"{err.stderr!r}") from err
    except docker.errors.APIError as err:
        raise runtime_failure(str(err.explanation or err)) from err
    assert out.decode().strip() == word, (
        f"the container's stdout, as the engine collected it, is {out!r}, not {word!r}: "
        "the process must write to the stdio the shim handed your runtime")


@koan(man="runc(8)",
      hints=["`docker stop` is `kill ID SIGTERM` (by name or number), then `kill ID SIGKILL` "
             "after the timeout; the shim learns of the exit because init is its child.",
             "Init must outlive `create`, reparented to the shim (the shim is a subreaper): "
             "fork it, have it wait for `start`, and never keep it your own child. "
             "`kill` sends the signal to the pid in the state, `delete` removes the state."],
      needs=["root", "docker", "busybox"])
def test_docker_stop_signals_the_init_mini_run_started(
        docker_client: Any, busybox_image: str, docker_cleanup: dict[str, str], mini_run: Any,
        engine_with_runtime: Callable[[str, Path], None]) -> None:
    """`docker run -d` leaves the container's init running as a child of the shim, pid 1 in
    its own PID namespace; `docker stop` reaches it with SIGTERM through your `kill`."""
    engine_with_runtime(RUNTIME, mini_run.path)
    code = 3 + secrets.randbelow(100)
    script = f"trap 'exit {code}' TERM; while :; do sleep 0.1; done"
    try:
        box = docker_client.containers.run(busybox_image, ["sh", "-c", script], runtime=RUNTIME,
                                           network_mode="none", labels=docker_cleanup,
                                           detach=True)
    except docker.errors.APIError as err:
        raise runtime_failure(str(err.explanation or err)) from err
    box.reload()
    pid = int(box.attrs["State"]["Pid"])
    assert box.status == "running" and pid > 0, (
        f"the engine says the container is {box.status!r} (pid {pid}) after `docker run -d`")
    parent = procfs.ppid(pid)
    assert procfs.comm(parent).startswith(SHIM), (
        f"the container's init (host pid {pid}) is a child of {procfs.comm(parent)!r} (pid {parent}), "
        "not of the containerd shim: init must be reparented to the shim that called create")
    assert procfs.nspid(pid)[-1:] == [1], (
        f"NSpid of the container's init is {procfs.nspid(pid)}: it is not pid 1 of a new PID namespace")
    box.stop(timeout=10)
    box.reload()
    status = box.attrs["State"]
    assert status["Status"] == "exited" and status["ExitCode"] == code, (
        f"after `docker stop` the engine reports {status['Status']!r}, exit code "
        f"{status['ExitCode']}; the init's TERM trap exits {code}: SIGTERM did not reach "
        "it through `kill`" + (" (137 is SIGKILL after the timeout)" if status["ExitCode"] == 137 else ""))
    assert not Path(f"/proc/{pid}").exists() or procfs.comm(pid) != "sh", (
        f"the container's init (pid {pid}) still runs after `docker stop`")

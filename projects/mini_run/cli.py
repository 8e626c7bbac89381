"""mini-run's command line: quick mode and the OCI runtime CLI that engines call (yours to write).

    mini-run [--root DIR] [--log FILE] [--log-format text|json] COMMAND ...
    run --rootfs DIR [--memory 64M] [--cpus 0.5] [--hostname H] [--net bridge] -- CMD...
    create [--bundle B] [--pid-file F] ID | start ID | state ID | kill ID [SIGNAL]
    delete [--force] ID | run [--bundle B] [-d] ID | spec [--bundle B]
"""
from __future__ import annotations

import argparse
import json  # noqa: F401
import os
import select
import signal  # noqa: F401
import sys  # noqa: F401
from datetime import datetime, timezone  # noqa: F401
from pathlib import Path
from typing import Any

from kernel_koans import exercise

config_mod = exercise("projects/mini_run/config")
state_mod = exercise("projects/mini_run/state")
cgroup_mod = exercise("projects/mini_run/cgroup")
container = exercise("projects/mini_run/container")

DEFAULT_ROOT = "/run/mini-run"


class Refused(Exception):
    """What the runtime refuses to do, as one sentence for the caller."""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="mini-run", description="a minimal OCI container runtime")
    top.add_argument("--root", default=DEFAULT_ROOT, help="where container state lives")
    top.add_argument("--log", help="append errors to this file")
    top.add_argument("--log-format", choices=("text", "json"), default="text")
    top.add_argument("--systemd-cgroup", action="store_true", help="accepted, ignored")
    top.add_argument("--debug", action="store_true", help="accepted, ignored")
    sub = top.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create")
    create.add_argument("--bundle", "-b", default=".")
    create.add_argument("--pid-file")
    create.add_argument("--console-socket")
    create.add_argument("--no-pivot", action="store_true")
    create.add_argument("--no-new-keyring", action="store_true")
    create.add_argument("id")
    for name in ("start", "state"):
        sub.add_parser(name).add_argument("id")
    kill = sub.add_parser("kill")
    kill.add_argument("--all", "-a", action="store_true")
    kill.add_argument("id")
    kill.add_argument("signal", nargs="?", default="TERM")
    delete = sub.add_parser("delete")
    delete.add_argument("--force", "-f", action="store_true")
    delete.add_argument("id")
    run = sub.add_parser("run")
    run.add_argument("--rootfs")
    run.add_argument("--memory")
    run.add_argument("--cpus")
    run.add_argument("--hostname")
    run.add_argument("--net", choices=("none", "bridge"), default="none")
    run.add_argument("--bridge", default="kk-minibr0")
    run.add_argument("--ip")
    run.add_argument("--bundle", "-b")
    run.add_argument("--pid-file")
    run.add_argument("--console-socket")
    run.add_argument("--detach", "-d", action="store_true")
    run.add_argument("args", nargs=argparse.REMAINDER)
    spec = sub.add_parser("spec")
    spec.add_argument("--bundle", "-b", default=".")
    return top


def parse_signal(text: str) -> int:
    """'KILL', 'SIGKILL', 'kill' or '9' -> 9."""
    raise NotImplementedError('should turn a signal name or number into its number')


def log_error(args: argparse.Namespace, message: str) -> None:
    """stderr always; --log too, a JSON object per line with --log-format json."""
    raise NotImplementedError('should report an error on stderr and in the --log file, in its format')


def make(root: Path, cid: str, bundle: str, config: dict[str, Any], *, wait_for_start: bool,
         pid_file: str | None) -> int:
    """Set a container up (its init held on exec.fifo if wait_for_start); its pid."""
    raise NotImplementedError("should set a container up under --root and return its init's pid")


def create(args: argparse.Namespace) -> int:
    raise NotImplementedError('should create the container of a bundle, its init waiting for start')


def start(args: argparse.Namespace) -> int:
    raise NotImplementedError("should let a created container's program run")


def state(args: argparse.Namespace) -> int:
    raise NotImplementedError("should print the container's state as JSON")


def kill(args: argparse.Namespace) -> int:
    raise NotImplementedError("should send a signal to the container's init")


def gone(pid: int, start_time: Any, timeout: float = 5.0) -> None:
    """Wait until the process `pid` that started at `start_time` has died. The init is not
    our child (waitpid cannot wait for it), but a pidfd (pidfd_open(2)) turns readable when
    its process ends: the kernel wakes us the moment it does, no polling."""
    if start_time is None:
        return
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        if state_mod.starttime(pid) != start_time:
            return  # dead already (a zombie), or the pid is another process's now
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            raise Refused(f"the container's init {pid} did not die")
    finally:
        os.close(fd)


def delete(args: argparse.Namespace) -> int:
    raise NotImplementedError('should remove a container and everything it had')


def exit_code(status: int) -> int:
    """A wait status as a shell reports it: the exit code, or 128 + the signal."""
    raise NotImplementedError('should turn a wait status into the exit status a shell would report')


def run_here(args: argparse.Namespace, root: Path, cid: str, bundle: str, config: dict[str, Any]) -> int:
    """Create, start at once, wait, clean up: the exit status passed on."""
    raise NotImplementedError('should run a container to its end and return its exit status')


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError('should run a container: quick mode from flags, or a bundle')


def spec(args: argparse.Namespace) -> int:
    raise NotImplementedError('should write a default config.json into the bundle')


COMMANDS = {"create": create, "start": start, "state": state, "kill": kill, "delete": delete,
            "run": run, "spec": spec}


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (Refused, config_mod.ConfigError, state_mod.StateError, container.ContainerError,
            OSError) as err:
        log_error(args, str(err))
        return 1

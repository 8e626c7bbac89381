"""mini-run's command line: quick mode and the OCI runtime CLI that engines call (reference).

    mini-run [--root DIR] [--log FILE] [--log-format text|json] COMMAND ...
    run --rootfs DIR [--memory 64M] [--cpus 0.5] [--hostname H] [--net bridge] -- CMD...
    create [--bundle B] [--pid-file F] ID | start ID | state ID | kill ID [SIGNAL]
    delete [--force] ID | run [--bundle B] [-d] ID | spec [--bundle B]
"""
from __future__ import annotations

import argparse
import json
import os
import select
import signal
import sys
from datetime import datetime, timezone
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
    if text.isdigit():
        number = int(text)
        if number not in {s.value for s in signal.Signals}:
            raise Refused(f"{text} is not a signal number")
        return number
    name = text.upper()
    name = name if name.startswith("SIG") else "SIG" + name
    try:
        return int(signal.Signals[name])
    except KeyError:
        raise Refused(f"unknown signal {text!r}") from None


def log_error(args: argparse.Namespace, message: str) -> None:
    """stderr always; --log too, a JSON object per line with --log-format json."""
    print(f"mini-run: {message}", file=sys.stderr, flush=True)
    if not args.log:
        return
    now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    if args.log_format == "json":
        line = json.dumps({"level": "error", "msg": message, "time": now})
    else:
        line = f'time="{now}" level=error msg="{message}"'
    with open(args.log, "a") as out:
        out.write(line + "\n")


def make(root: Path, cid: str, bundle: str, config: dict[str, Any], *, wait_for_start: bool,
         pid_file: str | None) -> int:
    """Set a container up (its init held on exec.fifo if wait_for_start); its pid."""
    directory = state_mod.directory(root, cid)
    try:
        directory.mkdir(parents=True)
    except FileExistsError:
        raise Refused(f"container {cid} already exists") from None
    made: list[str] = []
    rel = cgroup_mod.relative(config.get("linux", {}).get("cgroupsPath"), cid)

    def join(pid: int) -> list[str]:
        made.extend(cgroup_mod.directories(rel))
        return list(cgroup_mod.setup(rel, config.get("linux", {}).get("resources", {}), pid))

    try:
        pid, dirs = container.spawn(config, join, directory if wait_for_start else None)
        state_mod.new(root, cid, bundle, config["root"]["path"], pid, dirs)
        if pid_file:
            state_mod.pid_file(pid_file, pid)  # before create returns: the engine reads it next
    except BaseException:
        cgroup_mod.remove([d for d in made if Path(d).is_dir()])
        state_mod.remove(root, cid)
        raise
    return pid


def create(args: argparse.Namespace) -> int:
    bundle = Path(args.bundle).resolve()
    config = config_mod.load(bundle)
    make(Path(args.root), args.id, str(bundle), config, wait_for_start=True, pid_file=args.pid_file)
    return 0


def start(args: argparse.Namespace) -> int:
    root = Path(args.root)
    saved = state_mod.load(root, args.id)
    now = state_mod.status(root, saved)
    if now != "created":
        raise Refused(f"cannot start a container that is {now}")
    fifo = state_mod.directory(root, args.id) / state_mod.FIFO
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the init's blocked open returns now
    try:
        ready, _, _ = select.select([fd], [], [], 10)
        byte = os.read(fd, 1) if ready else b""
    finally:
        os.close(fd)
    if byte != b"0":
        raise Refused("the container's init is gone: it cannot start")
    fifo.unlink()
    return 0


def state(args: argparse.Namespace) -> int:
    root = Path(args.root)
    print(json.dumps(state_mod.report(root, state_mod.load(root, args.id)), indent=2))
    return 0


def kill(args: argparse.Namespace) -> int:
    root = Path(args.root)
    saved = state_mod.load(root, args.id)
    signum = parse_signal(args.signal)
    if state_mod.status(root, saved) not in ("created", "running"):
        raise Refused("container not running")
    os.kill(int(saved["pid"]), signum)
    return 0


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
    root = Path(args.root)
    try:
        saved = state_mod.load(root, args.id)
    except state_mod.StateError:
        if args.force:
            return 0  # --force: the caller wants it gone, and it is
        raise
    now = state_mod.status(root, saved)
    if now == "running" and not args.force:
        raise Refused("cannot delete a running container (stop it first, or --force)")
    if now != "stopped":
        os.kill(int(saved["pid"]), signal.SIGKILL)
        gone(int(saved["pid"]), saved.get("starttime"))
    cgroup_mod.remove(saved.get("cgroups", []))
    state_mod.remove(root, args.id)
    return 0


def exit_code(status: int) -> int:
    """A wait status as a shell reports it: the exit code, or 128 + the signal."""
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def run_here(args: argparse.Namespace, root: Path, cid: str, bundle: str, config: dict[str, Any]) -> int:
    """Create, start at once, wait, clean up: the exit status passed on."""
    pid = make(root, cid, bundle, config, wait_for_start=False, pid_file=args.pid_file)
    attached = False
    try:
        if args.net == "bridge":
            network = exercise("projects/mini_run/network")
            network.attach(pid, cid, bridge=args.bridge, address=args.ip or "")
            attached = True
        _, status = os.waitpid(pid, 0)
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        saved = state_mod.load(root, cid)
        cgroup_mod.remove(saved.get("cgroups", []))
        state_mod.remove(root, cid)
        if attached:
            exercise("projects/mini_run/network").detach(cid, bridge=args.bridge)
    return exit_code(status)


def run(args: argparse.Namespace) -> int:
    if args.console_socket:
        raise Refused("--console-socket: mini-run gives no terminal (set process.terminal false)")
    root = Path(args.root)
    cmd = args.args[1:] if args.args[:1] == ["--"] else args.args
    if args.rootfs:  # quick mode
        if not cmd:
            raise Refused("run --rootfs DIR -- CMD...: no command given")
        cid = "kk-mr" + os.urandom(5).hex()
        config = config_mod.quick_config(args.rootfs, cmd, hostname=args.hostname,
                                         memory=args.memory, cpus=args.cpus)
        config_mod.validate(config)
        return run_here(args, root, cid, str(Path(args.rootfs).resolve()), config)
    if len(cmd) != 1:
        raise Refused("run wants --rootfs DIR -- CMD... (quick mode) or [--bundle B] ID")
    bundle = Path(args.bundle or ".").resolve()
    config = config_mod.load(bundle)
    if args.detach:
        make(root, cmd[0], str(bundle), config, wait_for_start=True, pid_file=args.pid_file)
        args.id = cmd[0]
        return start(args)
    args.net = "none"
    return run_here(args, root, cmd[0], str(bundle), config)


def spec(args: argparse.Namespace) -> int:
    target = Path(args.bundle) / "config.json"
    if target.exists():
        raise Refused(f"{target} exists: remove it first")
    target.write_text(json.dumps(config_mod.default_spec(), indent=2) + "\n")
    return 0


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

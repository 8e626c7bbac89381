"""A container simulator: run one command in new namespaces, under cgroup limits, in a rootfs.

    python simulator.py --pid --mount --uts --hostname box --memory 64M --cpus 0.5 \\
        --rootfs ./rootfs -- /bin/sh -c 'echo $$; hostname'

This is the reference twin. The process tree it builds:

    simulator (host)                  makes the cgroup, waits, removes the cgroup
      └─ setup child                  joins the cgroup, unshares the namespaces
           └─ PID 1 (with --pid)      sets hostname, mounts, pivots into the rootfs, execs
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from kernel_koans import cgroups, linux, names

CPU_PERIOD_US = 100_000


@dataclass
class Options:
    """What the command line asked for."""

    pid: bool = False
    net: bool = False
    uts: bool = False
    mount: bool = False
    ipc: bool = False
    user: bool = False
    memory: int | None = None  # bytes
    cpus: float | None = None
    hostname: str | None = None
    rootfs: Path | None = None
    command: list[str] = field(default_factory=list)


def parse_args(argv: list[str]) -> Options:
    """argparse for the flags; everything after `--` is the command."""
    parser = argparse.ArgumentParser(prog="simulator", description=__doc__.splitlines()[0])
    for name in ("pid", "net", "uts", "mount", "ipc", "user"):
        parser.add_argument(f"--{name}", action="store_true", help=f"new {name} namespace")
    parser.add_argument("--memory", type=parse_size, help="memory limit, e.g. 64M")
    parser.add_argument("--cpus", type=float, help="CPU limit in CPUs, e.g. 0.5")
    parser.add_argument("--hostname", help="hostname inside (needs --uts)")
    parser.add_argument("--rootfs", type=Path, help="directory to use as /")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- cmd args")
    ns = parser.parse_args(argv)
    command = ns.command[1:] if ns.command[:1] == ["--"] else ns.command
    if not command:
        parser.error("no command given (put it after --)")
    if ns.hostname and not ns.uts:
        parser.error("--hostname needs --uts, or it would rename the host")
    return Options(ns.pid, ns.net, ns.uts, ns.mount, ns.ipc, ns.user, ns.memory, ns.cpus,
                   ns.hostname, ns.rootfs, command)


# --- pure logic -------------------------------------------------------------------------

_SIZE = re.compile(r"(\d+)([bkmg]?)", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def parse_size(text: str) -> int:
    """'64M' -> 67108864: a number with an optional b/k/m/g suffix (binary units, like docker)."""
    match = _SIZE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"not a size: {text!r} (use e.g. 512k, 64M, 1G)")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def cpu_max(cpus: float, period_us: int = CPU_PERIOD_US) -> str:
    """0.5 CPUs -> '50000 100000': the quota per period that cpu.max takes."""
    if cpus <= 0:
        raise ValueError("cpus must be positive")
    return f"{max(1000, round(cpus * period_us))} {period_us}"  # the kernel's minimum quota is 1 ms


def namespace_flags(opts: Options) -> int:
    """The CLONE_NEW* flags to unshare, without CLONE_NEWUSER (that one goes first, alone)."""
    chosen = {"pid": opts.pid, "net": opts.net, "uts": opts.uts, "mnt": opts.mount, "ipc": opts.ipc}
    flags = 0
    for kind, on in chosen.items():
        if on:
            flags |= linux.NAMESPACE_FLAGS[kind]
    return flags


def exit_code(status: int) -> int:
    """A wait status as a shell reports it: the exit code, or 128 + the killing signal."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


# --- cgroup -----------------------------------------------------------------------------

def create_cgroup(opts: Options) -> list[Path]:
    """A kk- cgroup where the koans' fixtures make theirs, with the limits written.

    v2: one directory. v1: one per controller hierarchy (pids always, for clean-up;
    memory and cpu when limited).
    """
    layout = cgroups.read_layout()
    name = names.unique("sim", limit=40)
    wanted = ["pids"] + (["memory"] if opts.memory is not None else []) \
        + (["cpu"] if opts.cpus is not None else [])
    dirs: list[Path] = []
    try:
        for controller in wanted:
            directory = cgroups.ensure_parent(layout, controller) / name
            if directory not in dirs:
                directory.mkdir(exist_ok=True)
                dirs.append(directory)
            v2 = layout.version_for(controller) == 2
            if controller == "memory":
                assert opts.memory is not None
                _limit_memory(directory, opts.memory, v2)
            elif controller == "cpu":
                assert opts.cpus is not None
                quota, period = cpu_max(opts.cpus).split()
                if v2:
                    (directory / "cpu.max").write_text(f"{quota} {period}")
                else:
                    (directory / "cpu.cfs_period_us").write_text(period)
                    (directory / "cpu.cfs_quota_us").write_text(quota)
    except BaseException:
        remove_cgroup(dirs)
        raise
    return dirs


def _limit_memory(directory: Path, limit: int, v2: bool) -> None:
    if v2:
        (directory / "memory.max").write_text(str(limit))
        if (directory / "memory.swap.max").exists():
            (directory / "memory.swap.max").write_text("0")
    else:
        (directory / "memory.limit_in_bytes").write_text(str(limit))
        if (directory / "memory.memsw.limit_in_bytes").exists():
            (directory / "memory.memsw.limit_in_bytes").write_text(str(limit))
        else:  # no swap accounting: keep reclaim from swapping instead of OOM-killing
            (directory / "memory.swappiness").write_text("0")


def join_cgroup(dirs: list[Path]) -> None:
    """Put the calling process into the cgroup; its children are born there."""
    for directory in dirs:
        (directory / "cgroup.procs").write_text(str(os.getpid()))


def remove_cgroup(dirs: list[Path]) -> None:
    """Kill whatever still runs in the cgroup, then rmdir it (and the empty koans' parents)."""
    for directory in dirs:
        cgroups.remove(directory)
    cgroups.remove_empty_parents(cgroups.read_layout())


# --- inside -----------------------------------------------------------------------------

def become_pid1() -> None:
    """After unshare(CLONE_NEWPID): fork; the child goes on as PID 1, this process relays
    its wait status and never returns."""
    child = os.fork()
    if child == 0:
        return
    _forward_signals(child)  # pass polite stops on to PID 1
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except InterruptedError:
            continue
    relay(status)


def _forward_signals(pid: int) -> None:
    """SIGTERM, SIGINT and SIGHUP sent to us go on to `pid` (if it still exists)."""
    def forward(signum: int, _frame: object) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)


def relay(status: int) -> NoReturn:
    """End this process the way the waited-for one ended: same exit code, or same signal."""
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        if signum not in (signal.SIGKILL, signal.SIGSTOP):  # those two cannot be caught anyway
            signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    os._exit(exit_code(status))


def setup_container(opts: Options) -> None:
    """Hostname, mounts and root directory, from inside the new namespaces."""
    if opts.uts and opts.hostname:
        linux.sethostname(opts.hostname)
    if opts.net:
        _loopback_up()
    if opts.mount:
        # Nothing we mount may propagate back to the host's mount namespace.
        linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    if opts.rootfs is None:
        if opts.mount and opts.pid:
            linux.mount("proc", "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
        return
    root = str(opts.rootfs.resolve())
    if opts.mount:
        linux.mount(root, root, None, linux.MS_BIND | linux.MS_REC)  # pivot_root needs a mount point
        linux.mount("proc", f"{root}/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
        os.chdir(root)
        linux.pivot_root(".", ".")  # the old root ends up stacked on top of the new one...
        linux.umount2(".", linux.MNT_DETACH)  # ...and is detached here
    else:
        os.chroot(root)  # no mount namespace: chroot is all we can do without touching the host
    os.chdir("/")


def _loopback_up() -> None:
    """A new network namespace has only `lo`, and it is down."""
    from pyroute2 import IPRoute

    with IPRoute() as ipr:
        ipr.link("set", index=ipr.link_lookup(ifname="lo")[0], state="up")


def _map_ids(pid: int) -> None:
    """Root inside the user namespace is root outside: map uid/gid 0 to 0 (user_namespaces(7))."""
    Path(f"/proc/{pid}/uid_map").write_text("0 0 1")
    Path(f"/proc/{pid}/gid_map").write_text("0 0 1")


def _namespaces() -> dict[str, int]:
    return {kind: linux.ns_inode("self", kind) for kind in ("mnt", "uts", "net", "ipc")}


def _refuse_host_namespaces(opts: Options, before: dict[str, int]) -> None:
    """A safety net: never mount or rename the host because a CLONE_NEW* flag was forgotten."""
    asked = {"mnt": opts.mount, "uts": opts.uts, "net": opts.net, "ipc": opts.ipc}
    after = _namespaces()
    same = [kind for kind, on in asked.items() if on and after[kind] == before[kind]]
    if same:
        raise RuntimeError(f"still in the host's {', '.join(same)} namespace after unshare(): "
                           f"namespace_flags() forgot a flag; refusing to touch the host")


def child(opts: Options, dirs: list[Path], ready: int, mapped: int) -> NoReturn:
    """The setup child: cgroup, namespaces, then exec the command."""
    try:
        join_cgroup(dirs)
        if opts.user:
            linux.unshare(linux.CLONE_NEWUSER)
            os.write(ready, b"u")  # the parent writes our id maps...
            os.read(mapped, 1)  # ...and tells us when it is done
        before = _namespaces()
        linux.unshare(namespace_flags(opts))
        _refuse_host_namespaces(opts, before)
        if opts.pid:
            become_pid1()
        setup_container(opts)
        os.execvp(opts.command[0], opts.command)
    except BaseException:  # noqa: BLE001 - report it, and never return into run()
        try:
            traceback.print_exc()
        finally:
            os._exit(127)


def run(opts: Options) -> int:
    """Make the cgroup, start the setup child, wait, clean up; return the command's exit code."""
    dirs = create_cgroup(opts)
    try:
        ready_r, ready_w = os.pipe()
        mapped_r, mapped_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            os.close(mapped_w)
            child(opts, dirs, ready_w, mapped_r)
        os.close(ready_w)
        os.close(mapped_r)
        _forward_signals(pid)
        if opts.user and os.read(ready_r, 1) == b"u":
            _map_ids(pid)
        os.close(mapped_w)
        os.close(ready_r)
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                break
            except InterruptedError:
                continue
        return exit_code(status)
    finally:
        remove_cgroup(dirs)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    return run(opts)


if __name__ == "__main__":
    sys.exit(main())

"""A container simulator: run one command in new namespaces, under cgroup limits, in a rootfs.

    python simulator.py --pid --mount --uts --hostname box --memory 64M --cpus 0.5 \\
        --rootfs ./rootfs -- /bin/sh -c 'echo $$; hostname'

Your project: the argument parsing, the process structure (child(), run()) and
some helpers are given; the functions that raise NotImplementedError are yours.
The koans in koans/m04/test_simulator.py run this file from the outside. The
process tree it builds:

    simulator (host)                  makes the cgroup, waits, removes the cgroup
      └─ setup child                  joins the cgroup, unshares the namespaces
           └─ PID 1 (with --pid)      sets hostname, mounts, pivots into the rootfs, execs
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from kernel_koans import cgroups, linux, names  # noqa: F401 - cgroups and names are for your code

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

def parse_size(text: str) -> int:
    """'64M' -> 67108864: a number with an optional b/k/m/g suffix (binary units, like docker).

    '512k' -> 524288, '1G' -> 1073741824, '100' -> 100 bytes; upper or lower case.
    Anything else (empty, '1.5G', '64MB', '-1') raises ValueError.
    """
    raise NotImplementedError("should turn '64M' into a number of bytes")


def cpu_max(cpus: float, period_us: int = CPU_PERIOD_US) -> str:
    """0.5 CPUs -> '50000 100000': the "QUOTA PERIOD" line that cpu.max takes.

    quota = round(cpus * period_us), but never below 1000 (the kernel's minimum, 1 ms).
    cpus <= 0 raises ValueError.
    """
    raise NotImplementedError("should turn a CPU count into cpu.max's 'QUOTA PERIOD'")


def namespace_flags(opts: Options) -> int:
    """The CLONE_NEW* flags to unshare for the chosen options, OR-ed together.

    --pid, --net, --uts, --mount and --ipc each add one flag (linux.CLONE_NEWPID,
    ... linux.CLONE_NEWNS for mount). Leave CLONE_NEWUSER out: child() does it first, alone.
    """
    raise NotImplementedError("should return the namespace flags the options ask for")


def exit_code(status: int) -> int:
    """A wait status as a shell reports it: the exit code, or 128 + the killing signal.

    os.WIFSIGNALED / os.WTERMSIG / os.WEXITSTATUS read a status. Killed by SIGKILL (9) -> 137.
    """
    raise NotImplementedError("should return a wait status as a shell reports it")


# --- cgroup -----------------------------------------------------------------------------

def create_cgroup(opts: Options) -> list[Path]:
    """Make a kk- cgroup where the koans make theirs, write the limits, return its directories.

    layout = cgroups.read_layout(); name = names.unique("sim", limit=40).
    For each controller you need ("pids" always, so clean-up can find every process;
    "memory" when opts.memory is set; "cpu" when opts.cpus is set):
    directory = cgroups.ensure_parent(layout, controller) / name; mkdir it (once:
    on cgroup v2 every controller shares one directory). Then write the limits:
    memory.max (and "0" into memory.swap.max if present), cpu.max (use cpu_max).
    On a v1 host (layout.version_for(controller) == 1) the files are
    memory.limit_in_bytes and cpu.cfs_period_us + cpu.cfs_quota_us.
    """
    raise NotImplementedError("should create the container's kk- cgroup with its limits and return its directories")


def join_cgroup(dirs: list[Path]) -> None:
    """Put the calling process into the cgroup: write its pid into each directory's cgroup.procs.

    Everything it forks afterwards is born inside, and so is the command it execs.
    """
    raise NotImplementedError("should put the calling process into the cgroup")


def remove_cgroup(dirs: list[Path]) -> None:
    """Kill whatever still runs in the cgroup, then remove its directories.

    cgroups.remove(directory) does both for one directory; afterwards
    cgroups.remove_empty_parents(cgroups.read_layout()) tidies up the parents.
    """
    raise NotImplementedError("should stop what runs in the cgroup and remove it")


# --- inside -----------------------------------------------------------------------------

def become_pid1() -> None:
    """Called after unshare(CLONE_NEWPID), which only moves our *children* into the new namespace.

    Fork. The child returns from this function and goes on to become PID 1 (it
    will exec the command). The parent stays outside: it calls
    _forward_signals(child) (so a SIGTERM to the simulator reaches PID 1), waits
    for the child (os.waitpid) and then calls relay(status), which never returns.
    """
    raise NotImplementedError("should make the caller's child PID 1 of the new namespace, the parent waiting outside")


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
    """From inside the new namespaces: hostname, mounts, root directory.

    1. opts.uts and opts.hostname: linux.sethostname(opts.hostname).
    2. opts.net: _loopback_up().
    3. opts.mount: first make every mount private, so nothing reaches the host:
       linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE).
    4. No rootfs: with --mount and --pid, mount a fresh proc on /proc; done.
    5. rootfs with --mount: bind-mount the rootfs onto itself (pivot_root needs a
       mount point), mount proc on <rootfs>/proc, chdir into it,
       linux.pivot_root(".", ".") and linux.umount2(".", linux.MNT_DETACH) to drop the old root.
       rootfs without --mount: os.chroot(rootfs).
    6. os.chdir("/").
    """
    raise NotImplementedError("should give the container its hostname, its own mounts and its root directory")


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

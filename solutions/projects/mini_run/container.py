"""The container's init: forked into its namespaces, held until its cgroup is joined, set
up inside (mounts, pivot_root, hostname, ids), then — when `start` says so — exec (reference).

Two pipes order the parent and the child, as runc's do: `go` (parent → child: you are in
your cgroup, carry on) and `report` (child → parent: set up, or what failed). For `create`
the child then waits on exec.fifo in the state directory until `start` opens it.
"""
from __future__ import annotations

import os
import resource
import shutil
import signal
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kernel_koans import exercise, linux

pivot = exercise("m08/pivot")
oci_config = exercise("m08/oci_config")

MS_NOATIME = 1 << 10
MS_RELATIME = 1 << 21
MS_STRICTATIME = 1 << 24
OPTION_FLAGS = {"ro": linux.MS_RDONLY, "nosuid": linux.MS_NOSUID, "nodev": linux.MS_NODEV,
                "noexec": linux.MS_NOEXEC, "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME,
                "noatime": MS_NOATIME}
IGNORED_OPTIONS = {"rw", "suid", "dev", "exec", "bind", "rbind", "private", "rprivate", "shared",
                   "rshared", "slave", "rslave", "nocopyup"}
KINDS = {"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts", "mount": "mnt",
         "cgroup": "cgroup", "user": "user"}
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
FIFO = "exec.fifo"


class ContainerError(Exception):
    """The container could not be set up; the message is the child's own."""


def mount_options(options: list[str]) -> tuple[int, str]:
    """(MS_* flags, the data string) for a mount's options list."""
    flags, data = 0, []
    for option in options:
        if option in OPTION_FLAGS:
            flags |= OPTION_FLAGS[option]
        elif option not in IGNORED_OPTIONS:
            data.append(option)
    return flags, ",".join(data)


def mount_one(rootfs: str, entry: dict[str, Any]) -> None:
    """One entry of config.mounts, below the rootfs (before pivot_root)."""
    target = os.path.join(rootfs, entry["destination"].lstrip("/"))
    options = entry.get("options", [])
    flags, data = mount_options(options)
    kind = entry.get("type", "")
    if kind == "bind" or "bind" in options or "rbind" in options:
        source = entry["source"]
        if os.path.isdir(source):
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.exists(target):
                open(target, "a").close()
        linux.mount(source, target, None, linux.MS_BIND | (linux.MS_REC if "rbind" in options else 0))
        if flags:  # a bind mount takes its flags only on a remount
            linux.mount(None, target, None, linux.MS_BIND | linux.MS_REMOUNT | flags)
        return
    os.makedirs(target, exist_ok=True)
    if kind == "cgroup":
        # v2: the container's own view of the tree; v1 (a tree per controller) is not offered
        # by mini-run: a read-only empty tmpfs stands in.
        if Path("/sys/fs/cgroup/cgroup.controllers").exists():
            linux.mount("cgroup", target, "cgroup2", flags)
        else:
            linux.mount("tmpfs", target, "tmpfs", flags | linux.MS_RDONLY, "mode=755")
        return
    linux.mount(entry.get("source") or kind, target, kind, flags, data or None)


def make_devices(rootfs: str) -> None:
    """A fresh /dev tmpfs is empty: make the few device nodes every program expects,
    with the host's numbers (mknod(2), as runc does when it runs as root)."""
    dev = os.path.join(rootfs, "dev")
    for name in DEVICES:
        target = os.path.join(dev, name)
        try:
            host = os.stat(f"/dev/{name}")
        except OSError:
            continue
        if not os.path.exists(target):
            os.mknod(target, stat.S_IFCHR | 0o666, host.st_rdev)
            os.chmod(target, 0o666)
    for link, to in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                     ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx")):
        if not os.path.lexists(os.path.join(dev, link)):
            os.symlink(to, os.path.join(dev, link))


def hide(config: dict[str, Any]) -> None:
    """readonlyPaths, then maskedPaths (after pivot_root; a missing path is skipped)."""
    linux_section = config.get("linux", {})
    for path in linux_section.get("readonlyPaths", []):
        if os.path.exists(path):
            linux.mount(path, path, None, linux.MS_BIND | linux.MS_REC)
            linux.mount(None, path, None, linux.MS_BIND | linux.MS_REMOUNT | linux.MS_RDONLY
                        | linux.MS_REC)
    for path in linux_section.get("maskedPaths", []):
        if os.path.isdir(path):
            linux.mount("tmpfs", path, "tmpfs", linux.MS_RDONLY)
        elif os.path.exists(path):
            linux.mount("/dev/null", path, None, linux.MS_BIND)


def enter_namespaces(config: dict[str, Any]) -> None:
    """Join each namespace given by path, then unshare the new ones (all but pid: the
    parent did that one, so that this child is born into it)."""
    flags = 0
    for entry in config.get("linux", {}).get("namespaces", []):
        kind = KINDS[entry["type"]]
        if kind == "pid":
            continue
        if entry.get("path"):
            fd = os.open(entry["path"], os.O_RDONLY)
            try:
                linux.setns(fd, linux.NAMESPACE_FLAGS[kind])
            finally:
                os.close(fd)
        else:
            flags |= linux.NAMESPACE_FLAGS[kind]
    if flags:
        linux.unshare(flags)


def prepare(config: dict[str, Any]) -> tuple[str, list[str], dict[str, str]]:
    """Inside the new namespaces: the filesystem, the hostname, limits, ids; returns the
    program's (path, argv, env), found before anything waits so a typo fails `create`."""
    rootfs = config["root"]["path"]
    new = {e["type"] for e in config.get("linux", {}).get("namespaces", []) if not e.get("path")}
    if "mount" in new:
        linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)  # nothing leaks to the host
        for entry in config.get("mounts", []):
            mount_one(rootfs, entry)
            if entry["destination"] == "/dev" and entry.get("type") == "tmpfs":
                make_devices(rootfs)
        pivot.pivot_into(rootfs)
        hide(config)
        if config["root"].get("readonly"):
            linux.mount(None, "/", None, linux.MS_BIND | linux.MS_REMOUNT | linux.MS_RDONLY)
    else:
        os.chroot(rootfs)
        os.chdir("/")
    if config.get("hostname"):
        linux.sethostname(config["hostname"])
    process = oci_config.process_of(config, "/")
    for kind, (soft, hard) in oci_config.rlimits_of(config).items():
        resource.setrlimit(kind, (soft, hard))
    try:
        os.makedirs(process["cwd"], exist_ok=True)
    except OSError:
        pass
    os.chdir(process["cwd"])
    os.setgroups(process["groups"])
    os.setgid(process["gid"])
    os.setuid(process["uid"])
    if config["process"].get("noNewPrivileges"):
        linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
    argv, env = process["argv"], process["env"]
    program = argv[0] if "/" in argv[0] else shutil.which(argv[0], path=env.get("PATH", ""))
    if not program or not os.access(program, os.X_OK):
        raise ContainerError(f"exec: {argv[0]!r}: executable file not found in $PATH")
    return program, argv, env


def wait_for_start(state_fd: int) -> None:
    """Block until `start` opens exec.fifo for reading (opened by its directory's fd:
    after pivot_root the state directory is outside the root)."""
    fd = os.open(FIFO, os.O_WRONLY | os.O_CLOEXEC, dir_fd=state_fd)
    os.write(fd, b"0")
    os.close(fd)


def default_signals() -> None:
    """Give the program the signals as the kernel's defaults leave them: every disposition
    SIG_DFL and nothing blocked. Ignored dispositions and the mask survive fork and exec,
    and a runtime has its own (Python ignores SIGPIPE and SIGXFSZ; a job started in the
    background of a script has SIGINT and SIGQUIT ignored) -- a shell cannot trap a signal
    that was ignored when it started, and a container's PID 1 never sees it."""
    for signum in signal.valid_signals():
        if signum in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(signum, signal.SIG_DFL)
        except (OSError, ValueError):  # one glibc keeps for itself
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def _init(config: dict[str, Any], go: int, report: int, state_fd: int | None) -> None:
    """The child: never returns."""
    told = False
    try:
        enter_namespaces(config)
        if os.read(go, 1) != b"g":  # the parent died before it let us go
            os._exit(1)
        program, argv, env = prepare(config)
        os.write(report, b"ok")
        os.close(report)
        told = True
        if state_fd is not None:
            wait_for_start(state_fd)
        default_signals()
        os.execve(program, argv, env)
    except BaseException as err:  # noqa: BLE001 - the parent reports it
        if not told:
            try:
                os.write(report, (str(err) or type(err).__name__).encode()[:4000])
            except OSError:
                pass
    os._exit(127)


def spawn(config: dict[str, Any], join_cgroup: Callable[[int], list[str]],
          state_dir: Path | None) -> tuple[int, list[str]]:
    """Fork the container's init; returns (its host pid, its cgroup directories) once it
    is set up. With `state_dir` the init then waits on exec.fifo there, else it execs."""
    pivot.module()  # load the M8 modules now: after pivot_root their files are out of reach
    oci_config.module()
    for entry in config.get("linux", {}).get("namespaces", []):
        if entry["type"] == "pid":
            if entry.get("path"):
                fd = os.open(entry["path"], os.O_RDONLY)
                linux.setns(fd, linux.CLONE_NEWPID)
                os.close(fd)
            else:
                linux.unshare(linux.CLONE_NEWPID)  # our next child is its PID 1
    state_fd = None
    if state_dir is not None:
        os.mkfifo(state_dir / FIFO, 0o600)
        state_fd = os.open(state_dir, os.O_PATH | os.O_DIRECTORY)
    go_r, go_w = os.pipe()
    report_r, report_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(go_w)
        os.close(report_r)
        _init(config, go_r, report_w, state_fd)
    os.close(go_r)
    os.close(report_w)
    if state_fd is not None:
        os.close(state_fd)
    dirs: list[str] = []
    try:
        dirs = join_cgroup(pid)  # before the child goes on: its limits hold from the start
        os.write(go_w, b"g")
        answer = os.read(report_r, 4096)
    except BaseException:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(go_w)
        os.close(report_r)
    if answer != b"ok":
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        raise ContainerError(answer.decode(errors="replace") or "the container's init died")
    return pid, dirs

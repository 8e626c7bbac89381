"""The container's init: forked into its namespaces, held until its cgroup is joined, set
up inside (mounts, pivot_root, hostname, ids), then — when `start` says so — exec (yours to write).

Two pipes order the parent and the child, as runc's do: `go` (parent → child: you are in
your cgroup, carry on) and `report` (child → parent: set up, or what failed). For `create`
the child then waits on exec.fifo in the state directory until `start` opens it.
"""
from __future__ import annotations

import os  # noqa: F401
import resource  # noqa: F401
import shutil  # noqa: F401
import signal  # noqa: F401
import stat  # noqa: F401
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
    raise NotImplementedError("should turn a mount's options into MS_* flags and a data string")


def mount_one(rootfs: str, entry: dict[str, Any]) -> None:
    """One entry of config.mounts, below the rootfs (before pivot_root)."""
    raise NotImplementedError('should mount one config.mounts entry below the rootfs')


def make_devices(rootfs: str) -> None:
    """A fresh /dev tmpfs is empty: make the few device nodes every program expects,
    with the host's numbers (mknod(2), as runc does when it runs as root)."""
    raise NotImplementedError('should give a fresh /dev the device nodes programs expect')


def hide(config: dict[str, Any]) -> None:
    """readonlyPaths, then maskedPaths (after pivot_root; a missing path is skipped)."""
    raise NotImplementedError('should apply linux.readonlyPaths and linux.maskedPaths')


def enter_namespaces(config: dict[str, Any]) -> None:
    """Join each namespace given by path, then unshare the new ones (all but pid: the
    parent did that one, so that this child is born into it)."""
    raise NotImplementedError("should put this process into the config's namespaces (all but pid)")


def prepare(config: dict[str, Any]) -> tuple[str, list[str], dict[str, str]]:
    """Inside the new namespaces: the filesystem, the hostname, limits, ids; returns the
    program's (path, argv, env), found before anything waits so a typo fails `create`."""
    raise NotImplementedError('should set the container up from inside its namespaces and find its program')


def wait_for_start(state_fd: int) -> None:
    """Block until `start` opens exec.fifo for reading (opened by its directory's fd:
    after pivot_root the state directory is outside the root)."""
    raise NotImplementedError('should block until `start` releases the init')


def default_signals() -> None:
    """Give the program the signals as the kernel's defaults leave them: every disposition
    SIG_DFL and nothing blocked. Ignored dispositions and the mask survive fork and exec,
    and a runtime has its own (Python ignores SIGPIPE and SIGXFSZ; a job started in the
    background of a script has SIGINT and SIGQUIT ignored) -- a shell cannot trap a signal
    that was ignored when it started, and a container's PID 1 never sees it."""
    raise NotImplementedError("should put every signal back to SIG_DFL and unblock them all")


def _init(config: dict[str, Any], go: int, report: int, state_fd: int | None) -> None:
    """The child: never returns."""
    raise NotImplementedError("should be the container's init: namespaces, wait for the cgroup, setup, report, exec")


def spawn(config: dict[str, Any], join_cgroup: Callable[[int], list[str]],
          state_dir: Path | None) -> tuple[int, list[str]]:
    """Fork the container's init; returns (its host pid, its cgroup directories) once it
    is set up. With `state_dir` the init then waits on exec.fifo there, else it execs."""
    raise NotImplementedError("should fork the container's init, join it to its cgroup, and return once it is set up")

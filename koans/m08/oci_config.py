"""config.json → what the container's process gets.

An OCI bundle is a rootfs and a config.json (the runtime spec's config.md and
config-linux.md). Each function reads a parsed config (a dict) the way runc does
and says what the process will be given. The koans start the same bundle with the
host's runc and compare with what the kernel shows of the real process.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

KINDS = ("pid", "net", "ipc", "uts", "mnt", "user", "cgroup")
"""Namespace kinds by their /proc/<pid>/ns/ names."""


def process_of(config: dict[str, Any], rootfs: str) -> dict[str, Any]:
    """What runc gives the process of `config` (its rootfs at `rootfs`):
    {"argv": [...], "env": {name: value}, "cwd": "/…", "uid": int, "gid": int,
     "groups": sorted supplementary group ids}."""
    raise NotImplementedError("should say the argv, environment, cwd and ids the process gets")


def namespaces_of(config: dict[str, Any]) -> dict[str, str]:
    """For each kind in KINDS: "new" (the container gets its own), "host" (it stays in
    runc's), or "join:<path>" (it enters the namespace that file refers to)."""
    raise NotImplementedError("should say, for each namespace kind, whether the container gets "
                              "a new one, keeps the host's or joins a given one")


def rlimits_of(config: dict[str, Any]) -> dict[int, tuple[int, int]]:
    """The resource limits the config sets: {resource.RLIMIT_* number: (soft, hard)}."""
    raise NotImplementedError("should say which resource limits the config sets, soft and hard")


def hidden_paths_of(config: dict[str, Any], exists: Callable[[str], bool]) -> dict[str, str]:
    """What runc does to each masked or read-only path that exists in the container
    (`exists(path)` tells): "masked" (nothing readable is left there) or "readonly"."""
    raise NotImplementedError("should say which paths the container finds masked and which "
                              "read-only")


def apply_hostname(config: dict[str, Any]) -> None:
    """Give this process (a child the koan keeps) the UTS namespace and hostname that runc
    gives the container's process for `config`; raise ValueError for a config runc refuses."""
    raise NotImplementedError("should give this process the UTS namespace and hostname the "
                              "config asks for")


def apply_mounts(config: dict[str, Any], rootfs: str) -> None:
    """Mount the config's "mounts" under `rootfs` (the container's root, not pivoted into
    yet) in this process's mount namespace (the koan's child made it new and private), so
    that they end up as runc mounts them for the container."""
    raise NotImplementedError("should mount the config's mounts under the rootfs")

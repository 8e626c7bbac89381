"""config.json → what the container's process gets (reference)."""
from __future__ import annotations

import os
import resource
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kernel_koans import linux

KINDS = ("pid", "net", "ipc", "uts", "mnt", "user", "cgroup")
"""Namespace kinds by their /proc/<pid>/ns/ names."""

SPEC_NAMES = {"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts", "mount": "mnt",
              "user": "user", "cgroup": "cgroup"}
"""The runtime spec's namespace types → /proc/<pid>/ns/ names."""


def home_of(uid: int, rootfs: str) -> str:
    """The user's home from the rootfs's /etc/passwd; "/" when it lists no such uid."""
    try:
        lines = (Path(rootfs) / "etc" / "passwd").read_text().splitlines()
    except OSError:
        return "/"
    for line in lines:
        fields = line.split(":")
        if len(fields) >= 6 and fields[2] == str(uid):
            return fields[5]
    return "/"


def process_of(config: dict[str, Any], rootfs: str) -> dict[str, Any]:
    """argv, environment, cwd and ids, as runc sets them up."""
    process = config["process"]
    user = process.get("user", {})
    uid, gid = int(user.get("uid", 0)), int(user.get("gid", 0))
    env = dict(item.split("=", 1) for item in process.get("env", []))
    # runc adds HOME when the config does not set it: the user's, from the rootfs's passwd.
    env.setdefault("HOME", home_of(uid, rootfs))
    return {"argv": list(process["args"]), "env": env, "cwd": process["cwd"], "uid": uid,
            "gid": gid, "groups": sorted(set(user.get("additionalGids", [])))}


def namespaces_of(config: dict[str, Any]) -> dict[str, str]:
    """new / host / join:<path> for every kind."""
    found = {kind: "host" for kind in KINDS}
    for entry in config.get("linux", {}).get("namespaces", []):
        kind = SPEC_NAMES[entry["type"]]
        found[kind] = f"join:{entry['path']}" if entry.get("path") else "new"
    return found


def rlimits_of(config: dict[str, Any]) -> dict[int, tuple[int, int]]:
    """{RLIMIT_*: (soft, hard)} from process.rlimits."""
    return {getattr(resource, limit["type"]): (int(limit["soft"]), int(limit["hard"]))
            for limit in config["process"].get("rlimits", [])}


def hidden_paths_of(config: dict[str, Any], exists: Callable[[str], bool]) -> dict[str, str]:
    """masked / readonly for each listed path that exists; runc skips the others."""
    linux = config.get("linux", {})
    found = {path: "readonly" for path in linux.get("readonlyPaths", []) if exists(path)}
    # Masking comes after read-only: a path in both lists ends up masked.
    found.update({path: "masked" for path in linux.get("maskedPaths", []) if exists(path)})
    return found


def apply_hostname(config: dict[str, Any]) -> None:
    """Give this process the UTS namespace and hostname the config asks for, as runc gives
    them to the container's process; ValueError for a config runc refuses."""
    uts = [entry for entry in config.get("linux", {}).get("namespaces", [])
           if entry["type"] == "uts"]
    hostname = config.get("hostname", "")
    # sethostname(2) renames the caller's UTS namespace: without one of the container's own
    # that would be the host's, so runc refuses the config instead.
    if hostname and not uts:
        raise ValueError("a hostname needs a uts namespace in linux.namespaces")
    for entry in uts:
        if entry.get("path"):
            fd = os.open(entry["path"], os.O_RDONLY)
            try:
                linux.setns(fd, linux.CLONE_NEWUTS)
            finally:
                os.close(fd)
        else:
            linux.unshare(linux.CLONE_NEWUTS)
    if hostname:  # "" (or no key) keeps the name the new namespace copied from runc's
        linux.sethostname(hostname)


MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_STRICTATIME = 1024, 2048, 1 << 21, 1 << 24

FLAGS: dict[str, tuple[bool, int]] = {
    "ro": (True, linux.MS_RDONLY), "rw": (False, linux.MS_RDONLY),
    "nosuid": (True, linux.MS_NOSUID), "suid": (False, linux.MS_NOSUID),
    "nodev": (True, linux.MS_NODEV), "dev": (False, linux.MS_NODEV),
    "noexec": (True, linux.MS_NOEXEC), "exec": (False, linux.MS_NOEXEC),
    "bind": (True, linux.MS_BIND), "rbind": (True, linux.MS_BIND | linux.MS_REC),
    "noatime": (True, MS_NOATIME), "atime": (False, MS_NOATIME),
    "nodiratime": (True, MS_NODIRATIME), "diratime": (False, MS_NODIRATIME),
    "relatime": (True, MS_RELATIME), "norelatime": (False, MS_RELATIME),
    "strictatime": (True, MS_STRICTATIME), "nostrictatime": (False, MS_STRICTATIME),
}
"""mount(8) option words that are mount(2) flags: (set it?, which bits)."""

PROPAGATION = {"private", "rprivate", "shared", "rshared", "slave", "rslave",
               "unbindable", "runbindable"}


def mount_options(options: list[str]) -> tuple[int, str]:
    """(mount(2) flags, the filesystem's own data string) from a mounts entry's options."""
    flags, data = 0, []
    for word in options:
        if word in FLAGS:
            on, bits = FLAGS[word]
            flags = flags | bits if on else flags & ~bits
        elif word not in PROPAGATION:  # size=, mode=, uid=…: for the filesystem itself
            data.append(word)
    return flags, ",".join(data)


def apply_mounts(config: dict[str, Any], rootfs: str) -> None:
    """Mount the config's mounts under `rootfs` (not pivoted into yet), in this process's
    mount namespace, as runc mounts them for the container."""
    for entry in config.get("mounts", []):  # in the listed order: a later one may cover an earlier
        flags, data = mount_options([o for o in entry.get("options", []) if "bind" in o])
        target = os.path.join(rootfs, os.path.normpath(entry["destination"]).lstrip("/"))
        if flags & linux.MS_BIND and not os.path.isdir(entry["source"]):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            Path(target).touch()
        else:
            os.makedirs(target, exist_ok=True)
        if flags & linux.MS_BIND:  # a bind is told by its options; its "type" means nothing
            linux.mount(entry["source"], target, None, flags & (linux.MS_BIND | linux.MS_REC))
            # A bind mount ignores every other flag: ro, nosuid… take a remount of the bind.
            if flags & ~(linux.MS_BIND | linux.MS_REC):
                linux.mount(None, target, None, flags | linux.MS_REMOUNT)
        else:
            linux.mount(entry.get("source") or entry["type"], target, entry["type"], flags,
                        data or None)

"""config.json → what the container's process gets (reference)."""
from __future__ import annotations

import resource
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    found = {path: "readonly" for path in linux.get("readonlyPaths", [])}
    # Masking comes after read-only: a path in both lists ends up masked.
    found.update({path: "masked" for path in linux.get("maskedPaths", [])})
    return found

"""Docker, containerd and runc: who starts a container, who stays its parent, what runc is told.

Reference twin of koans/m03/runtimes.py.
"""
from __future__ import annotations

import json
import os

OCI_TO_PROC = {"pid": "pid", "network": "net", "mount": "mnt", "ipc": "ipc", "uts": "uts",
               "user": "user", "cgroup": "cgroup", "time": "time"}
"""The OCI runtime spec's namespace types and the names /proc/<pid>/ns uses for them."""


def _stat_fields(pid: int) -> list[str]:
    # comm may hold spaces and parentheses: the fields after it start after the LAST ')'.
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()


def lineage(pid: int) -> list[tuple[int, str]]:
    """(pid, comm) of `pid`, its parent, its parent's parent, ... up to pid 1."""
    chain: list[tuple[int, str]] = []
    while pid > 0:
        with open(f"/proc/{pid}/comm") as f:
            chain.append((pid, f.read().rstrip("\n")))
        pid = int(_stat_fields(pid)[1])  # field 4 of stat(5): ppid
    return chain


def shim_of(container_id: str) -> int:
    """The pid of the containerd-shim that serves this container (its -id argument)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue  # gone meanwhile
        if not argv or not os.path.basename(argv[0]).startswith(b"containerd-shim"):
            continue
        if b"-id" in argv and argv[argv.index(b"-id") + 1] == container_id.encode():
            return int(entry)
    raise LookupError(f"no shim serves {container_id}")


def bundle_of(container_id: str) -> str:
    """The bundle directory containerd handed runc for this container."""
    # The shim runs in the bundle (containerd starts it there; config.json is relative to it).
    return os.readlink(f"/proc/{shim_of(container_id)}/cwd")


def bundle_namespaces(bundle: str) -> dict[str, str | None]:
    """{/proc ns name: None (a new namespace) or the path of one to join}, from config.json."""
    with open(os.path.join(bundle, "config.json")) as f:
        config = json.load(f)
    return {ns["type"]: ns.get("path") or None
            for ns in config.get("linux", {}).get("namespaces", [])}


def bundle_cgroup(bundle: str) -> str:
    """The cgroup (as /proc/<pid>/cgroup names it) runc puts the container in."""
    with open(os.path.join(bundle, "config.json")) as f:
        path = str(json.load(f)["linux"]["cgroupsPath"])
    if ":" in path:  # the systemd driver: "slice:prefix:name" -> /slice/prefix-name.scope
        slice_, prefix, name = path.split(":")
        parents = slice_.removesuffix(".slice").split("-")
        nested = ["-".join(parents[:i + 1]) + ".slice" for i in range(len(parents))] if slice_ != "-.slice" else []
        return "/" + "/".join([*nested, f"{prefix}-{name}.scope"])
    return path

"""The leak audit: kk- kernel objects on the host, before vs after, and their removal.

One snapshot function feeds three users: the per-koan check (a learner
function that leaks gets told), the session audit, and `koans clean`.
"""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_koans import cgroups, docker_objects, engine_runtime, linux
from kernel_koans.paths import PREFIX


@dataclass(frozen=True)
class Snapshot:
    """Named kk- objects of each kind present on the host."""

    objects: dict[str, frozenset[str]] = field(default_factory=dict)

    def minus(self, before: Snapshot, ignore: frozenset[str] = frozenset()) -> dict[str, list[str]]:
        """What is here now but was not in `before`, by kind (empty kinds left out)."""
        out: dict[str, list[str]] = {}
        for kind, now in self.objects.items():
            extra = sorted(now - before.objects.get(kind, frozenset()) - ignore)
            if extra:
                out[kind] = extra
        return out


def take(with_docker: Any = None, runtimes: bool = True) -> Snapshot:
    """Look at the host. `with_docker` is a docker client, or None to skip the engine;
    `runtimes` also reads the engine's runtime table (a `docker info` and a /proc scan),
    which only koans that register a runtime can change."""
    objects = {
        "netns": frozenset(_netns()),
        "links": frozenset(_links()),
        "cgroups": frozenset(str(p) for p in cgroups.leftovers(cgroups.read_layout())),
        "mounts": frozenset(_mounts()),
        "processes": frozenset(_children()),
        "tempdirs": frozenset(str(p) for p in Path(tempfile.gettempdir()).glob(f"{PREFIX}*")
                              if p.is_dir()),
    }
    if with_docker is not None:
        try:
            found = docker_objects.leftovers(with_docker)
            objects["docker"] = frozenset(f"{k[:-1]} {n}" for k, names in found.items() for n in names)
            if runtimes:
                objects["engine"] = frozenset(engine_runtime.leftovers(with_docker))
        except Exception:  # noqa: BLE001 - an engine that stops answering is not a leak
            pass
    return Snapshot(objects)


def _netns() -> list[str]:
    run = Path("/run/netns")
    return sorted(p.name for p in run.iterdir()) if run.is_dir() else []


def _links() -> list[str]:
    """kk- links in the host's network namespace, via netlink."""
    try:
        from pyroute2 import IPRoute

        with IPRoute() as ipr:
            return sorted(str(link.get("ifname")) for link in ipr.get_links()
                          if str(link.get("ifname", "")).startswith(PREFIX))
    except Exception:  # noqa: BLE001 - no netlink (not root in a sandbox): nothing to audit
        return []


ENGINE_MOUNT_DIRS = ("/var/lib/docker", "/run/docker", "/run/containerd", "/var/lib/containerd")
"""Mounts the Docker engine makes and removes on its own (container rootfs, netns files)."""

HOST_INFRA_MOUNTS = frozenset({"/run/netns", "/proc/sys/fs/binfmt_misc"})
"""Mount points a tool makes once per host and then keeps: iproute2 and pyroute2 bind-mount
/run/netns onto itself (shared) the first time a named netns is made, and systemd
automounts binfmt_misc on first access. On a fresh host the first koan to trigger one
would be blamed for it, and removing it would only make the next koan trigger it again.
The audit neither counts nor removes these points themselves; what is mounted under
them (a netns file) still counts."""


def _mounts() -> list[str]:
    """Mounts of the host's mount namespace, as 'id point fstype'.

    Every one counts, not only kk- ones: learner code that forgot unshare(CLONE_NEWNS)
    or MS_PRIVATE mounts over the host's own paths (a proc over /proc)."""
    return sorted(_mount_table())


def _mount_table() -> list[str]:
    """'id point fstype' in mountinfo order: of stacked mounts, the top one comes last."""
    out = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(fields) < 5 or not rfields:
            continue
        point = fields[4]
        if point.startswith(ENGINE_MOUNT_DIRS) or point in HOST_INFRA_MOUNTS:
            continue
        out.append(f"{fields[0]} {point} {rfields[0]}")
    return out


def _unmount_new(entries: list[str]) -> list[str]:
    """Detach mounts that appeared during a koan, newest first, each only while it
    is still the top mount at its point (so nothing older is ever taken away)."""
    gone = []
    for entry in sorted(entries, key=lambda e: int(e.split()[0]), reverse=True):
        mount_id, point, fstype = entry.split(" ", 2)
        stacked = [m.split()[0] for m in _mount_table() if m.split(" ", 2)[1] == point]
        if not stacked or stacked[-1] != mount_id:
            continue
        try:
            linux.umount2(point, linux.MNT_DETACH)
            gone.append(f"mount {point} ({fstype})")
        except OSError:
            pass
    return gone


def _children() -> list[str]:
    """Live descendants of this process, as 'pid name' (zombies included: unreaped is a leak)."""
    try:
        import psutil

        return sorted(f"{p.pid} {p.name()}" for p in psutil.Process().children(recursive=True)
                      if p.is_running())
    except Exception:  # noqa: BLE001
        return []


def remove(found: dict[str, list[str]], docker_client: Any = None) -> list[str]:
    """Remove what a diff or a leftover scan found; return one line per object removed."""
    gone: list[str] = []
    for entry in found.get("processes", []):
        pid = int(entry.split()[0])
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError, PermissionError):
            pass
        gone.append(f"process {entry}")
    gone.extend(_unmount_new(found.get("mounts", [])))
    gone.extend(delete_links(found.get("links", [])))
    gone.extend(delete_netns(found.get("netns", [])))
    for path in sorted(found.get("cgroups", []), key=len, reverse=True):
        try:
            cgroups.remove(Path(path))
            gone.append(f"cgroup {path}")
        except OSError:
            pass
    for path in found.get("tempdirs", []):
        shutil.rmtree(path, ignore_errors=True)
        gone.append(f"directory {path}")
    if found.get("docker") and docker_client is not None:
        gone.extend(docker_objects.remove_leftovers(docker_client))
    if found.get("engine") and docker_client is not None:  # after the containers that use it
        gone.extend(engine_runtime.restore(docker_client))
    cgroups.remove_empty_parents(cgroups.read_layout())
    return gone


def delete_links(link_names: list[str]) -> list[str]:
    """Delete links in the host namespace by name; a veth whose peer went first is skipped."""
    if not link_names:
        return []
    from pyroute2 import IPRoute

    gone = []
    with IPRoute() as ipr:
        for name in link_names:
            for index in ipr.link_lookup(ifname=name):
                try:
                    ipr.link("del", index=index)
                    gone.append(f"link {name}")
                except Exception:  # noqa: BLE001 - its veth peer took it with it
                    pass
    return gone


def delete_netns(ns_names: list[str]) -> list[str]:
    """Remove named network namespaces (/run/netns) that still exist."""
    if not ns_names:
        return []
    from pyroute2 import netns

    present = set(netns.listnetns())
    gone = []
    for name in ns_names:
        if name in present:
            try:
                netns.remove(name)
                gone.append(f"netns {name}")
            except OSError:
                pass
    return gone


def leftovers(docker_client: Any = None) -> dict[str, list[str]]:
    """Everything kk- on the host now (for `koans clean`); netns limited to kk- names."""
    snap = take(docker_client)
    found = {k: sorted(v) for k, v in snap.objects.items() if v and k != "processes"}
    if "netns" in found:
        found["netns"] = [n for n in found["netns"] if n.startswith(PREFIX)]
    if "mounts" in found:  # outside a run, only kk- mounts are known to be ours
        found["mounts"] = [m for m in found["mounts"] if PREFIX in m]
    return {k: v for k, v in found.items() if v}


def describe(found: dict[str, list[str]]) -> str:
    return "; ".join(f"{kind}: {', '.join(items)}" for kind, items in sorted(found.items()))

"""M4 · The cgroup namespace: /proc/self/cgroup reads "/" inside a container.

Your code (m04/cgroup_ns.py) runs in a child that the koan first moved into a
kk- cgroup; the koan compares the child's own /proc/self/cgroup with what the
host reads in /proc/<pid>/cgroup.
"""
from __future__ import annotations

import os
from pathlib import Path

from kernel_koans import CgroupFactory, KoanCgroup, exercise, held, koan, linux

cgroup_ns = exercise("m04/cgroup_ns")


def paths(text: str) -> dict[str, str]:
    """hierarchy id:controllers -> cgroup path, from a /proc/<pid>/cgroup text."""
    out = {}
    for line in text.splitlines():
        hierarchy, controllers, path = line.split(":", 2)
        out[f"{hierarchy}:{controllers}"] = path
    return out


def join_then_unshare(group: KoanCgroup) -> str:
    """Run in a held child: join the kk- cgroup, call the learner, read /proc/self/cgroup."""
    group.add(os.getpid())
    cgroup_ns.enter_cgroup_namespace()
    return Path("/proc/self/cgroup").read_text()


@koan(man="cgroup_namespaces(7), cgroups(7)",
      hints=["Which CLONE_NEW* flag virtualises /proc/self/cgroup?",
             "linux.unshare(linux.CLONE_NEWCGROUP): from then on every cgroup path the process "
             "reads is relative to the cgroups it was in at that moment, so they read '/'."],
      needs=["root", "cgroup:memory"])
def test_cgroup_namespace_makes_the_own_cgroup_the_root(cgroup: CgroupFactory) -> None:
    """Inside a cgroup namespace the process's cgroup reads "/": a container does not learn
    the host's cgroup layout, and its cgroup paths stay the same wherever it is placed."""
    group = cgroup("memory", hint="cgns")
    with held(join_then_unshare, group) as h:
        from_host = paths(Path(f"/proc/{h.pid}/cgroup").read_text())
        inside = paths(h.value)
        own_ns = linux.ns_inode(h.pid, "cgroup") != linux.ns_inode(os.getpid(), "cgroup")
    assert any(p.endswith("/" + group.name) for p in from_host.values()), (
        f"setup: the host should see the child in {group.name}, it reads {from_host}")
    assert own_ns, "the child's /proc/<pid>/ns/cgroup is the host's: no new cgroup namespace"
    not_root = {k: v for k, v in inside.items() if v != "/"}
    assert not not_root, (
        f"inside, /proc/self/cgroup still shows {not_root}: in a new cgroup namespace every "
        "hierarchy's path reads '/' (the cgroups the process was in when it unshared)")

"""M3 · Docker vs containerd vs runc: the process tree of a container and the bundle runc is handed.

dockerd is the API; containerd keeps containers; a containerd-shim per container
holds its stdio and exit status; runc creates it from a bundle and exits. The
koans read who is whose parent from /proc and what runc was asked from the bundle,
and check both against what the kernel shows for the container's init.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kernel_koans import exercise, koan, linux
from kernel_koans.cgroups import read_layout
from kernel_koans.names import unique

runtimes = exercise("m03/runtimes")

KINDS = ("cgroup", "ipc", "mnt", "net", "pid", "user", "uts")


def sleeper(client: Any, image: str, labels: dict[str, str], **kwargs: Any) -> tuple[Any, int]:
    """A running kk- container (sleep) and the host pid of its init."""
    container = client.containers.run(image, ["sleep", "120"], detach=True, labels=labels,
                                      name=unique("kk-rt"), **kwargs)
    container.reload()
    return container, int(container.attrs["State"]["Pid"])


def ps_chain(pid: int) -> list[tuple[int, str]]:
    """The same chain as ps(1) reports it (pid, ppid, comm of every process)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,comm="], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    table = {int(p): (int(pp), comm) for p, pp, comm in (line.split(None, 2) for line in out.splitlines())}
    chain = []
    while pid > 0:
        ppid, comm = table[pid]
        chain.append((pid, comm))
        pid = ppid
    return chain


@pytest.mark.timeout(60)
@koan(man="proc(5) (/proc/<pid>/stat, comm, cmdline), ps(1), containerd's runtime v2 shim docs",
      hints=["Walk the parents of the container's init: /proc/<pid>/stat holds each one's ppid. "
             "Which program is the direct parent, and are dockerd or containerd above it at all?",
             "ppid is the 2nd field after the ')' that closes comm (comm may contain spaces). The "
             "shim's /proc/<pid>/cmdline carries `-id <container id>`: match the argument exactly."],
      needs=["docker"])
def test_a_container_is_the_child_of_its_shim_not_of_dockerd(docker_client, busybox_image,
                                                             docker_cleanup) -> None:
    """The container's init is a child of its own containerd-shim, which daemonised away from
    containerd: dockerd and containerd can restart without killing a single container."""
    first, pid1 = sleeper(docker_client, busybox_image, docker_cleanup)
    second, pid2 = sleeper(docker_client, busybox_image, docker_cleanup)
    for container, pid in random.sample([(first, pid1), (second, pid2)], 2):
        chain = runtimes.lineage(pid)
        expected = ps_chain(pid)
        assert chain == expected, f"ps says the chain from {pid} up to init is {expected}; lineage() said {chain}"
        shim = runtimes.shim_of(container.id)
        assert shim == expected[1][0], (
            f"the parent of the container's init ({pid}) is {expected[1]}; shim_of() said {shim}")
        assert expected[1][1].startswith("containerd-shim"), f"the parent of the init is {expected[1]}"
        names = [comm for _, comm in expected]
        assert "dockerd" not in names and "containerd" not in names, (
            f"the chain {expected}: the shim is not below dockerd or containerd here")
    assert runtimes.shim_of(first.id) != runtimes.shim_of(second.id), "each container has a shim of its own"


@pytest.mark.timeout(60)
@koan(man="the OCI runtime spec (config-linux.md: Namespaces), namespaces(7), proc(5) /proc/<pid>/ns",
      hints=["The shim runs in the bundle. Which of its /proc/<pid>/ files tells you its directory? "
             "In config.json, linux.namespaces lists what runc must set up.",
             "An entry without `path` is a new namespace; with `path`, runc joins that one; a kind "
             "not listed stays the runtime's (the host's). The spec says 'network' and 'mount' where "
             "/proc/<pid>/ns says net and mnt."],
      needs=["docker"])
def test_the_bundle_says_which_namespaces_are_new(docker_client, busybox_image, docker_cleanup) -> None:
    """What runc does is written down before it does it: config.json's namespaces are exactly
    what /proc/<pid>/ns of the container's init shows — new ones, joined ones, the host's."""
    host = {kind: linux.ns_inode("self", kind) for kind in KINDS}
    first, pid1 = sleeper(docker_client, busybox_image, docker_cleanup)
    second, pid2 = sleeper(docker_client, busybox_image, docker_cleanup,
                           network_mode=f"container:{first.id}", pid_mode="host")
    bundle = runtimes.bundle_of(second.id)
    assert Path(bundle, "config.json").is_file(), f"bundle_of() said {bundle}: it holds no config.json"
    args = json.loads(Path(bundle, "config.json").read_text())["process"]["args"]
    assert args == ["sleep", "120"], f"{bundle}/config.json runs {args}: not this container's bundle"
    asked = runtimes.bundle_namespaces(bundle)
    for kind in KINDS:
        mine = linux.ns_inode(pid2, kind)
        if mine == host[kind]:
            assert kind not in asked, (
                f"/proc/{pid2}/ns/{kind} is the host's, yet bundle_namespaces() lists {kind}: {asked.get(kind)}")
            continue
        assert kind in asked, (
            f"/proc/{pid2}/ns/{kind} is not the host's: config.json asks for it; bundle_namespaces() lacks it")
        path = asked[kind]
        if path is None:
            assert mine != linux.ns_inode(pid1, kind), (
                f"bundle_namespaces() says {kind} is new, but the init shares the other container's {kind} namespace")
        else:
            assert os.stat(path).st_ino == mine, (
                f"bundle_namespaces() says {kind} joins {path}, which is not /proc/{pid2}/ns/{kind}")
    assert asked.get("net") is not None, "the container joins the first one's network namespace: config.json names its path"


@pytest.mark.timeout(60)
@koan(man="the OCI runtime spec (config-linux.md: Control groups), cgroups(7), proc(5) /proc/<pid>/cgroup",
      hints=["config.json's linux.cgroupsPath says where runc puts the container. How does it "
             "compare with what /proc/<pid>/cgroup shows?",
             "With the cgroupfs driver the path is used as it is; with the systemd driver it reads "
             "slice:prefix:name and becomes /<slice>/<prefix>-<name>.scope."],
      needs=["docker"])
def test_the_bundle_says_which_cgroup_the_container_gets(docker_client, busybox_image, docker_cleanup) -> None:
    """runc puts the init in the cgroup config.json names, and writes the limits there: the
    memory limit `docker run -m` asked for is a file in that directory."""
    limit = random.randrange(64, 128) * 1024 * 1024
    container, pid = sleeper(docker_client, busybox_image, docker_cleanup, mem_limit=limit)
    path = runtimes.bundle_cgroup(runtimes.bundle_of(container.id))
    lines = dict(line.split(":", 2)[1:] for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines())
    layout = read_layout()
    if layout.version_for("memory") == 1:
        shown, limit_file = lines.get("memory"), layout.v1_mounts["memory"] / path.lstrip("/") / "memory.limit_in_bytes"
    else:
        shown, limit_file = lines.get(""), Path("/sys/fs/cgroup") / path.lstrip("/") / "memory.max"
    assert shown == path, f"/proc/{pid}/cgroup puts the init in {shown}; bundle_cgroup() said {path}"
    assert limit_file.is_file() and int(limit_file.read_text()) == limit, (
        f"{limit_file} should hold the {limit} bytes asked for with mem_limit")

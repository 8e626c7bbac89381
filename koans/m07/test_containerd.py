"""M7 · containerd's view: the engine's container as a containerd task, on disk and in /proc.

Your code (m07/containerd_view.py) finds a running kk- container's namespace, bundle, shim
and init process. The koan reads containerd's own configuration for its directories and
asks the engine for the container's pid and hostname: two readings your code never sees.
"""
from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import tomllib

from kernel_koans import exercise, koan

view = exercise("m07/containerd_view")


def containerd_dirs() -> list[tuple[str, str]]:
    """(root, state) of every containerd running here, from its -c/--config file (defaults
    /var/lib/containerd and /run/containerd), symlinks resolved."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            args = Path(f"/proc/{entry}/cmdline").read_bytes().decode().split("\0")[:-1]
        except OSError:
            continue
        if not args or os.path.basename(args[0]) != "containerd":
            continue
        config: dict[str, Any] = {}
        for flag, value in zip(args, args[1:], strict=False):
            if flag in ("-c", "--config"):
                config = tomllib.loads(Path(value).read_text())
        found.append((os.path.realpath(config.get("root", "/var/lib/containerd")),  # /var/run -> /run
                      os.path.realpath(config.get("state", "/run/containerd"))))
    return found


def parent(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    return 0


@koan(man="containerd(8), containerd-config.toml(5), proc(5)",
      hints=["Who runs a container once dockerd has asked containerd to? Look at the process "
             "tree (`ps -ef --forest`) around the container's process, and at that process's "
             "command line and working directory.",
             "Find the containerd-shim whose argv has `-id <container id>`; `-namespace` is the "
             "namespace; /proc/<shim>/cwd is the bundle; bundle/init.pid the init pid; "
             "bundle/work links into containerd's root."],
      needs=["root", "docker", "busybox"])
def test_containerd_task_maps_to_the_process_tree(docker_client: Any, busybox_image: str,
                                                 docker_cleanup: dict[str, str]) -> None:
    """Under `docker run` there is containerd: a namespace per client, a task per container,
    a shim per task and a bundle on disk for runc. Knowing where they are is how you debug a
    container the engine's API no longer explains."""
    hostname = f"kk-{random.randrange(16**8):08x}"
    container = docker_client.containers.run(busybox_image, ["sleep", "120"], detach=True,
                                             hostname=hostname, labels=docker_cleanup)
    container.reload()
    engine_pid = container.attrs["State"]["Pid"]
    task = view.find_task(container.id)
    dirs = containerd_dirs()
    bundle = Path(task.bundle)
    assert task.namespace == "moby", f"namespace {task.namespace!r}: dockerd's containers live in 'moby'"
    assert task.init_pid == engine_pid, (
        f"init pid {task.init_pid}; the engine says the container's process is {engine_pid}")
    assert any(os.path.realpath(task.bundle) == f"{state}/io.containerd.runtime.v2.task/moby/{container.id}"
               for _, state in dirs), (
        f"bundle {task.bundle}: containerd (state dirs {[s for _, s in dirs]}) keeps a task's bundle "
        "in <state>/io.containerd.runtime.v2.task/<namespace>/<id>")
    assert json.loads((bundle / "config.json").read_text())["hostname"] == hostname, (
        f"{bundle}/config.json is not this container's (its hostname is {hostname})")
    assert any(os.path.realpath(task.work_dir) == f"{root}/io.containerd.runtime.v2.task/moby/{container.id}"
               for root, _ in dirs), (
        f"work dir {task.work_dir}: it is under containerd's root dirs {[r for r, _ in dirs]}")
    shim_argv = Path(f"/proc/{task.shim_pid}/cmdline").read_bytes().split(b"\0")
    assert b"containerd-shim" in shim_argv[0] and container.id.encode() in shim_argv, (
        f"pid {task.shim_pid} runs {shim_argv[:1]}: not the shim of this container")
    assert parent(engine_pid) == task.shim_pid, (
        f"the container's process {engine_pid} has parent {parent(engine_pid)}, not the shim "
        f"{task.shim_pid}: the shim is the parent of the container's init")

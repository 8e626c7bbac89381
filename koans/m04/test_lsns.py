"""M4 · /proc/<pid>/ns inspection: an lsns of your own, and the namespaces Docker makes.

Your code (m04/lsns.py) reads /proc; the koan reads the same inodes on its own
and compares, with processes whose namespaces it arranged itself.
"""
from __future__ import annotations

import os
from typing import Any

from kernel_koans import exercise, koan, linux, names
from kernel_koans.child import held, spawn_held

lsns = exercise("m04/lsns")

KINDS = ("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts")


def scan(kind: str) -> dict[int, int]:
    """pid -> namespace inode for every process: the koan's own reading of /proc."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                out[int(entry)] = linux.ns_inode(entry, kind)
            except OSError:
                pass
    return out


def new_netns() -> None:
    linux.unshare(linux.CLONE_NEWNET)


def truth(pid_a: int, pid_b: int) -> set[str]:
    """The kinds the kernel says the two processes share."""
    shared = set()
    for kind in KINDS:
        try:
            if linux.ns_inode(pid_a, kind) == linux.ns_inode(pid_b, kind):
                shared.add(kind)
        except FileNotFoundError:
            pass
    return shared


def start_container(client: Any, image: str, labels: dict[str, str], **options: Any) -> tuple[str, int]:
    """Start a sleeping labelled container; its id, and its init's pid as the host numbers it."""
    container = client.containers.run(image, ["sleep", "60"], detach=True, labels=labels,
                                      name=names.unique("ns", limit=40), **options)
    container.reload()
    return container.id, int(container.attrs["State"]["Pid"])


def run_container(client: Any, image: str, labels: dict[str, str], **options: Any) -> int:
    return start_container(client, image, labels, **options)[1]


def own_user_and_time() -> int:
    """Not a container: a process with a user and a time namespace of its own (the time
    namespace, where the kernel has one, holds only the children of its creator)."""
    try:
        linux.unshare(linux.CLONE_NEWUSER | linux.CLONE_NEWTIME)
    except OSError:  # a kernel before 5.6: no time namespaces
        linux.unshare(linux.CLONE_NEWUSER)
    pid, _ = spawn_held(os.getpid)  # held alive until this process dies
    return pid


def userns_remap(client: Any) -> bool:
    return any("userns" in opt for opt in client.info().get("SecurityOptions", []))


@koan(man="lsns(8), namespaces(7)",
      hints=["os.listdir('/proc'), keep the numeric names, os.stat(f'/proc/{pid}/ns/{kind}').st_ino.",
             "Group pids by that inode in a dict; skip pids whose files vanish "
             "(FileNotFoundError): processes exit while you read."],
      needs=["root", "netns"])
def test_lsns_groups_processes_by_namespace() -> None:
    """A namespace has no name and no list of members: only an inode that each member's
    /proc/<pid>/ns file points at. lsns(8) is a scan of /proc grouped by that inode."""
    with held(new_netns) as a, held(linux.enter, f"/proc/{a.pid}/ns/net", linux.CLONE_NEWNET) as b:
        before = scan("net")
        groups = lsns.list_namespaces("net")
        after = scan("net")
        ours = linux.ns_inode(a.pid, "net")
    stable = {pid: ino for pid, ino in before.items() if after.get(pid) == ino}
    listed = {pid: ino for ino, pids in groups.items() for pid in pids}
    assert sorted(groups.get(ours, [])) == sorted([a.pid, b.pid]), (
        f"the namespace {ours} holds pids {sorted([a.pid, b.pid])} (the koan made it so), "
        f"your listing says {groups.get(ours)}")
    wrong = {pid: (listed.get(pid), ino) for pid, ino in stable.items() if listed.get(pid) != ino}
    assert not wrong, (
        f"{len(wrong)} processes are missing or misplaced; pid: (yours, the kernel's inode): "
        f"{dict(list(wrong.items())[:5])}")


@koan(man="namespaces(7), docker-run(1)",
      hints=["Compare the inodes of /proc/<pid>/ns/<kind> of both processes, kind by kind.",
             "A default container gets new pid, net, mnt, uts and ipc namespaces; it keeps the "
             "host's user namespace (unless the engine runs with userns-remap) and time namespace."],
      needs=["root", "docker"])
def test_default_container_gets_its_own_namespaces_but_shares_the_user_ns(
        docker_client: Any, busybox_image: str, docker_cleanup: dict[str, str]) -> None:
    """A container is a process with some namespaces of its own, nothing more. By default Docker
    does not give it a user namespace: root in the container is root on the host.

    Docker never makes time namespaces, so only the koan's own process tells an answer that
    assumes "time is always shared" apart; a kernel before 5.6 has no time namespace to tell."""
    first, pid = start_container(docker_client, busybox_image, docker_cleanup, ipc_mode="shareable")
    # A second container shares the first one's network and IPC and the host's UTS, with a
    # cgroup namespace of its own; and a process (no container) has its own user and time
    # namespaces: every pair below shares something different, so no one answer fits.
    _, other = start_container(docker_client, busybox_image, docker_cleanup,
                               network_mode=f"container:{first}", ipc_mode=f"container:{first}",
                               uts_mode="host", cgroupns="private")
    with held(own_user_and_time) as h:
        pairs = {"the container and the host": (pid, os.getpid()),
                 "the container and itself": (pid, pid),
                 "a second container and the host": (other, os.getpid()),
                 "the two containers": (pid, other),
                 "the container and a process with its own user and time namespaces": (pid, h.value)}
        answers = {what: (lsns.shared_namespaces(a, b), truth(a, b)) for what, (a, b) in pairs.items()}
    for what, (answer, shared) in answers.items():
        assert answer == shared, (
            f"{what}: the kernel says they share {sorted(shared)}, you said {sorted(answer)}")
    kernel = answers["the container and the host"][1]
    own = {"pid", "net", "mnt", "uts", "ipc"} & kernel
    assert not own, f"the container shares {sorted(own)} with the host: docker gives it its own"
    assert ("user" in kernel) != userns_remap(docker_client), (
        "the container's user namespace is " + ("shared" if "user" in kernel else "its own")
        + " although the engine's userns-remap is " + ("on" if userns_remap(docker_client) else "off"))


@koan(man="namespaces(7), docker-run(1) (--pid)",
      hints=["Run the same comparison on a container started with pid_mode='host'.",
             "--pid=host skips CLONE_NEWPID: the container's processes are numbered by the host, "
             "and `ps` inside shows every host process."],
      needs=["root", "docker"])
def test_pid_mode_host_shares_the_pid_namespace(
        docker_client: Any, busybox_image: str, docker_cleanup: dict[str, str]) -> None:
    """Every namespace is opt-in: `--pid=host` (a monitoring agent, a debugger) leaves the pid
    namespace shared and keeps the others. Kubernetes' hostPID is the same switch."""
    pid = run_container(docker_client, busybox_image, docker_cleanup, pid_mode="host")
    answer = lsns.shared_namespaces(pid, os.getpid())
    kernel = truth(pid, os.getpid())
    assert answer == kernel, (
        f"the kernel says the container shares {sorted(kernel)} with the host, you said {sorted(answer)}")
    itself = lsns.shared_namespaces(pid, pid)
    assert itself == truth(pid, pid), (
        f"a process shares every namespace with itself: {sorted(truth(pid, pid))}; you said {sorted(itself)}")
    assert "pid" in kernel, "with pid_mode='host' the container's /proc/<pid>/ns/pid should be the host's"
    assert not {"net", "mnt", "uts", "ipc"} & kernel, "--pid=host should share the pid namespace only"

"""M7 · the pod sandbox: pause holds the namespaces, app containers join them.

Your code (m07/pause.py) forks the pause process and makes app containers join it;
the koans compare /proc/<pid>/ns inodes, NSpid and process states from the host,
and talk over the pod's 127.0.0.1 from one container to another.
"""
from __future__ import annotations

import os
import random
import select
import socket
import time

from pyroute2 import IPRoute

from kernel_koans import DEFAULT_TIMEOUT, exercise, koan, linux, procfs, waiting
from kernel_koans.child import held, in_child, serve, spawn_held, start

pause = exercise("m07/pause")


def pod(hostname: str) -> int:
    """The runtime's part (in a held child): fork pause with the learner's code; its host pid."""
    child = start(pause.sandbox_setup, hostname, fork=pause.fork_sandbox,
                  then=lambda _: pause.pause_forever())
    try:
        child.report()
    except BaseException:
        child.close()
        raise
    os.close(child.fd)
    return child.pid


def hostname_and_lo(pid: int) -> tuple[str, bool]:
    """In a child: join pid's uts and net namespaces; the hostname, and whether lo is up."""
    for kind in ("uts", "net"):
        fd = os.open(f"/proc/{pid}/ns/{kind}", os.O_RDONLY)
        linux.setns(fd, linux.NAMESPACE_FLAGS[kind])
        os.close(fd)
    with IPRoute() as ipr:
        lo = ipr.get_links(ifname="lo")[0]
    return socket.gethostname(), bool(lo["flags"] & 1)


def orphans(pause_pid: int, count: int) -> list[bool]:
    """In a child: make `count` processes in the pod whose parent dies under them; each
    reports whether it was handed to the pod's PID 1, then they all exit at once."""
    fd = os.open(f"/proc/{pause_pid}/ns/pid", os.O_RDONLY)
    linux.setns(fd, linux.CLONE_NEWPID)
    os.close(fd)
    go_r, go_w = os.pipe()
    handed = []
    for _ in range(count):
        r, w = os.pipe()
        middle = os.fork()
        if middle == 0:  # in the pod's PID namespace
            if os.fork() == 0:  # the orphan-to-be
                os.close(go_w)
                waiting.until(lambda: os.getppid() == 1, 5, 0.001)
                os.write(w, b"1" if os.getppid() == 1 else b"0")
                os.read(go_r, 1)  # EOF once every orphan is ready: they die together
            os._exit(0)
        os.close(w)
        os.waitpid(middle, 0)
        handed.append(os.read(r, 1) == b"1")
        os.close(r)
    os.close(go_w)
    return handed


def listen_in_pod(pause_pid: int, port: int) -> socket.socket:
    pause.join_pod(pause_pid, False)
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    sock.listen(4)
    return sock


def answer_once(sock: socket.socket) -> None:
    if select.select([sock], [], [], DEFAULT_TIMEOUT)[0]:
        conn, _ = sock.accept()
        with conn:
            conn.sendall(b"pod:" + conn.recv(64) + b":" + socket.gethostname().encode())


def call_in_pod(pause_pid: int, port: int, word: bytes) -> bytes:
    pause.join_pod(pause_pid, False)
    with socket.create_connection(("127.0.0.1", port), timeout=DEFAULT_TIMEOUT / 2) as conn:
        conn.sendall(word)
        return conn.recv(256)


def container_process(pause_pid: int, share_pid: bool) -> int:
    """An app container (held child): the learner's join, then one process in it; its host pid."""
    pause.join_pod(pause_pid, share_pid)
    pid, _ = spawn_held(os.getpid)
    return pid


def pod_name() -> str:
    return f"kk-pod-{random.randrange(16**6):06x}"


@koan(man="pid_namespaces(7), namespaces(7), sethostname(2)",
      hints=["Which namespaces does a pod's sandbox own, and which clone flag gives the child "
             "(not the caller) a PID namespace?",
             "unshare(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), then os.fork(). "
             "In the child: sethostname, lo up (pyroute2), then a loop that never returns."],
      needs=["root", "netns"])
def test_pause_holds_the_pod_namespaces() -> None:
    """The pause container does nothing but exist: it is PID 1 of the pod and holds the network,
    IPC and UTS namespaces, so app containers can come and go while the pod's IP stays."""
    name = pod_name()
    with held(pod, name) as runtime:
        pid = runtime.value
        time.sleep(0.2)
        state = procfs.status(pid).get("State", "gone")
        inodes = {kind: linux.ns_inode(pid, kind) for kind in ("pid", "net", "ipc", "uts")}
        ids = procfs.nspid(pid)
        seen = in_child(hostname_and_lo, pid) if state[:1] in ("S", "R") else ("", False)
    assert state[:1] in ("S", "R"), f"the pause process is {state}: it must live as long as the pod"
    shared = [kind for kind, ino in inodes.items() if ino == linux.ns_inode(os.getpid(), kind)]
    assert not shared, f"pause shares the host's {shared} namespaces (same /proc/<pid>/ns inodes)"
    assert ids[-1:] == [1], f"NSpid of pause is {ids}: in the pod's PID namespace it must be 1"
    assert seen == (name, True), (
        f"in pause's uts and net namespaces: hostname {seen[0]!r} (want {name!r}), lo up: {seen[1]}")


@koan(man="wait(2), pid_namespaces(7) (The namespace init process), prctl(2) PR_SET_CHILD_SUBREAPER",
      hints=["When a process's parent dies, who becomes its parent inside a PID namespace? "
             "What must that process do when it gets SIGCHLD?",
             "Loop forever: os.waitpid(-1, os.WNOHANG) until it returns 0 or raises "
             "ChildProcessError, then wait for the next SIGCHLD (signal.sigwait with SIGCHLD "
             "blocked). One SIGCHLD can stand for several children."],
      needs=["root", "netns"])
def test_pause_reaps_orphans_of_the_pod() -> None:
    """A process whose parent died is handed to PID 1 of its PID namespace. If PID 1 never
    wait()s, every such orphan stays a zombie forever: pause's second job is to reap them."""
    with held(pod, pod_name()) as runtime:
        pause_pid = runtime.value
        handed = in_child(orphans, pause_pid, 16)
        zombies = waiting.settle(lambda: [
            p for p in map(int, filter(str.isdigit, os.listdir("/proc")))
            if procfs.status(p).get("PPid") == str(pause_pid) and procfs.status(p).get("State", "")[:1] == "Z"],
            lambda found: not found, 5)
    assert all(handed), f"orphans handed to the pod's PID 1: {handed} (setup: pause must be PID 1)"
    assert not zombies, (
        f"pids {zombies} are zombies (State Z) whose parent is pause: pause must wait() for "
        "every child it inherits")


@koan(man="setns(2), network_namespaces(7), mount_namespaces(7)",
      hints=["An app container joins some of pause's namespaces and gets one of its own. Which?",
             "setns on /proc/<pause>/ns/net, ipc and uts; then unshare(CLONE_NEWNS) (and make "
             "/ private). PID: setns /proc/<pause>/ns/pid when shared, else unshare(CLONE_NEWPID)."],
      needs=["root", "netns"])
def test_app_containers_share_localhost_and_hostname_not_mounts() -> None:
    """Containers of one pod talk over 127.0.0.1 and see one hostname, because they are in
    one network and UTS namespace; each still has its own filesystem (its own mount namespace)."""
    name = pod_name()
    port = random.randrange(20000, 60000)
    word = f"{random.randrange(10**9)}".encode()
    with held(pod, name) as runtime:
        pause_pid = runtime.value
        with held(pause.join_pod, pause_pid, False) as app1, held(pause.join_pod, pause_pid, False) as app2:
            same = {kind: [linux.ns_inode(p, kind) for p in (pause_pid, app1.pid, app2.pid)]
                    for kind in ("net", "ipc", "uts", "mnt")}
        with serve(listen_in_pod, answer_once, pause_pid, port) as server:
            reply = in_child(call_in_pod, pause_pid, port, word)
            server.wait()
    for kind in ("net", "ipc", "uts"):
        assert len(set(same[kind])) == 1, (
            f"{kind} namespace inodes of pause, app 1, app 2: {same[kind]}: a pod shares one")
    mnt = same["mnt"]
    assert len(set(mnt)) == 3, (
        f"mnt namespace inodes of pause, app 1, app 2: {mnt}: each container has its own")
    assert reply == b"pod:" + word + b":" + name.encode(), (
        f"over 127.0.0.1:{port} from one container to another came {reply!r}; want the word "
        f"echoed and the pod's hostname {name!r}")


@koan(man="pid_namespaces(7), setns(2) (CLONE_NEWPID)",
      hints=["setns(2) and unshare(2) with CLONE_NEWPID do not move the caller. Whom do they move?",
             "share_pid: setns(open('/proc/<pause>/ns/pid'), CLONE_NEWPID); else "
             "unshare(CLONE_NEWPID). Either way the next fork lands in that namespace."],
      needs=["root", "netns"])
def test_shared_pid_namespace_makes_pause_pid_1() -> None:
    """With shareProcessNamespace, a pod's containers see each other's processes and pause
    is their PID 1 (it reaps their orphans); without it each container is PID 1 of its own."""
    with held(pod, pod_name()) as runtime:
        pause_pid = runtime.value
        with held(container_process, pause_pid, True) as shared, \
                held(container_process, pause_pid, False) as own:
            pod_ns = linux.ns_inode(pause_pid, "pid")
            shared_ns, own_ns = linux.ns_inode(shared.value, "pid"), linux.ns_inode(own.value, "pid")
            shared_ids, own_ids = procfs.nspid(shared.value), procfs.nspid(own.value)
    assert shared_ns == pod_ns and shared_ids[-1] != 1, (
        f"shared: the process's pid namespace {shared_ns} (pod's {pod_ns}), NSpid {shared_ids}: "
        "it must be in the pod's namespace, where pause is 1")
    assert own_ns not in (pod_ns, linux.ns_inode(os.getpid(), "pid")) and own_ids[-1:] == [1], (
        f"not shared: the process's pid namespace {own_ns} (pod's {pod_ns}), NSpid {own_ids}: "
        "it must be PID 1 of a namespace of its own")

"""setns(2) and namespace files: joining namespaces, and keeping them alive.

Read setns(2) and namespaces(7) ("The /proc/[pid]/ns/ directory"). Each
function runs in a child process the koan forks for you.
"""
from __future__ import annotations

from kernel_koans import linux  # noqa: F401 - setns, unshare, mount, CLONE_*, MS_BIND


def join_namespace(ns_file: str) -> None:
    """Move this process into the namespace that `ns_file` refers to.

    `ns_file` is a namespace file such as /proc/<pid>/ns/net or /run/netns/<name>.
    setns(2) takes an open file descriptor of it.
    """
    raise NotImplementedError("should move this process into the namespace `ns_file` refers to")


def nsenter(pid: int, kinds: list[str]) -> None:
    """Join each namespace `kind` (names as in /proc/<pid>/ns: "uts", "user", "net", ...)
    of process `pid`, like `nsenter --target PID` or `docker exec` do.

    You may be root entering a container that root made, or an ordinary user entering
    a container of your own: read what setns(2) requires for each kind, and what
    joining a user namespace does to your capabilities.
    """
    raise NotImplementedError("should join each namespace in `kinds` of process `pid`")


def create_named_netns(name: str) -> None:
    """Do what `ip netns add NAME` does, for this process.

    Move into a new network namespace, then bind-mount its namespace file
    (/proc/self/ns/net) onto /run/netns/NAME (an empty file you create). The
    mount holds a reference: the namespace outlives this process.
    """
    raise NotImplementedError("should make a network namespace named `name` that outlives this process")

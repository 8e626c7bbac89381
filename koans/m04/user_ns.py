"""User namespaces: root inside, nobody special outside.

Read user_namespaces(7) first, especially "User and group ID mappings:
uid_map and gid_map". The koan runs your code in a child that it has already
switched to an unprivileged uid and gid, as if an ordinary user ran it.
"""
from __future__ import annotations

from pathlib import Path  # noqa: F401 - /proc/self/uid_map is a file you write once

from kernel_koans import linux  # noqa: F401 - unshare and CLONE_NEWUSER


def become_root_in_new_user_namespace() -> None:
    """Unshare a user namespace and map uid 0 and gid 0 inside to your own ids outside.

    Three files in /proc/self, in this order:
      uid_map    "0 <your uid> 1"   one line: inside-start outside-start count
      setgroups  "deny"             an unprivileged writer must deny setgroups(2)
      gid_map    "0 <your gid> 1"
    Careful: once you are in the new namespace, os.getuid() answers in *its*
    terms, and nothing is mapped yet. Which ids do you need, and when?
    """
    raise NotImplementedError("should make this process root in a new user namespace, mapped to your own ids")


def uid_inside(host_uid: int, uid_map: str) -> int:
    """The uid a process in the user namespace sees for `host_uid` (e.g. as a file's owner).

    `uid_map` is the text of /proc/<pid>/uid_map: lines "inside outside count",
    each mapping outside..outside+count-1 to inside..inside+count-1. A host uid
    that no line maps shows as the overflow uid, /proc/sys/kernel/overflowuid
    (65534: "nobody").
    """
    raise NotImplementedError("should return the uid a process in the user namespace sees for `host_uid`")

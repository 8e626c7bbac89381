"""Rootless containers: an ordinary user, its subordinate ids, and the helpers that map them.

Read user_namespaces(7) (uid_map), subuid(5), subgid(5), newuidmap(1) and newgidmap(1).
An unprivileged process may map only its own id into a new user namespace; the
setuid helpers newuidmap/newgidmap (package uidmap) map more: the ranges that
/etc/subuid and /etc/subgid grant the user.
"""
from __future__ import annotations

import os  # noqa: F401
import subprocess  # noqa: F401 - newuidmap and newgidmap are programs
from collections.abc import Callable
from pathlib import Path  # noqa: F401

from kernel_koans import linux  # noqa: F401 - unshare, CLONE_NEWUSER


def subid_map(uid: int, start: int, count: int) -> str:
    """The uid_map text newuidmap writes for a user with `uid` whose /etc/subuid range is
    `start:count`: the user is root inside, and the whole range follows it (uids 1, 2, ...)."""
    raise NotImplementedError("should return the uid_map that maps the user to 0 and its range after it")


def host_uid(inside: int, uid_map: str) -> int | None:
    """The host uid that uid `inside` of a user namespace is, given the text of its
    /proc/<pid>/uid_map ("inside outside count" lines); None when no line maps it."""
    raise NotImplementedError("should return the host uid for uid `inside` of the namespace, or None")


def run_rootless(user: str, work: Callable[[], None]) -> int:
    """You are the ordinary user `user` (already switched to). Start a process in a new user
    namespace whose uids and gids 0.. are mapped like a rootless container's: 0 is you, 1..
    your subordinate ranges. That process runs work() and exits (0 when work() returned).
    Return its wait status."""
    raise NotImplementedError("should run work() in a user namespace mapped with the user's subordinate ranges")

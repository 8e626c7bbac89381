"""The cgroup namespace: a process's own cgroup becomes its "/".

Read cgroup_namespaces(7). The koan puts the child into a kk- cgroup first,
then calls your function.
"""
from __future__ import annotations

from kernel_koans import linux  # noqa: F401 - unshare and CLONE_NEWCGROUP


def enter_cgroup_namespace() -> None:
    """Make the cgroup this process is in right now the root of what it can see.

    The namespace's root is fixed when it is created, at the caller's cgroup
    (in every hierarchy): join the cgroup first, unshare after.
    """
    raise NotImplementedError("should make this process's current cgroup the root of what it sees")

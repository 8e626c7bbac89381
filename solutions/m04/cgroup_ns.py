"""The cgroup namespace (reference)."""
from __future__ import annotations

from kernel_koans import linux


def enter_cgroup_namespace() -> None:
    """Make the cgroup this process is in right now the root of what it can see."""
    # /proc/self/cgroup paths are now shown relative to the cgroups we were in
    # at this moment: a container cannot learn where the host placed it.
    linux.unshare(linux.CLONE_NEWCGROUP)

"""Pod volumes: an emptyDir two containers of a pod share, and files a kubelet projects
(a ConfigMap, a Secret) that it updates while the app reads them.

Read mount(2) (MS_BIND), mount_namespaces(7) (shared subtrees), tmpfs(5), symlink(7)
and rename(2). The first two functions run in children the koan forks for you, inside a
stand-in node whose mount namespace is not the real host's.
"""
from __future__ import annotations

import os  # noqa: F401 - mkdir, symlink, rename, readlink
import shutil  # noqa: F401 - rmtree
import tempfile  # noqa: F401 - mkdtemp
import time  # noqa: F401 - strftime

from kernel_koans import linux  # noqa: F401 - mount, unshare, MS_*, CLONE_NEWNS


def make_empty_dir(path: str, size_bytes: int) -> None:
    """The kubelet's part, on the node: make `path` a memory-backed emptyDir
    (`emptyDir: {medium: Memory, sizeLimit: ...}`) that holds at most `size_bytes`."""
    raise NotImplementedError("should make `path` a memory-backed emptyDir of at most `size_bytes`")


def enter_container_with_volume(volume: str, mount_path: str) -> None:
    """The runtime's part, in the first process of an app container: give it a mount
    namespace of its own, in which the pod's volume (`volume`, on the node) is at
    `mount_path`. Nothing this container mounts may show up on the node."""
    raise NotImplementedError("should give this container its own mounts, with the pod's volume at "
                              "`mount_path`")


def publish(target: str, files: dict[str, bytes]) -> None:
    """Make `files` (name -> content) the content of the projected volume at `target`, as
    the kubelet updates a ConfigMap volume: the app reads `target/<name>` meanwhile, and
    must see the whole old set or the whole new set, never a mix, a half-written file or
    a missing one. Called once per generation; the first call finds `target` empty.

    The layout apps rely on (the kubelet's): `target/<name>` is a symlink to
    `..data/<name>`, and `target/..data` a symlink to the directory of the current
    generation, also in `target`; earlier generations do not stay behind."""
    raise NotImplementedError("should replace the volume's files with `files` in one atomic step")

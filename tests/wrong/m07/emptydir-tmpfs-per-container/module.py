"""Pod volumes: an emptyDir two containers share, and files projected atomically (reference)."""
from __future__ import annotations

import os
import shutil
import tempfile
import time

from kernel_koans import linux


def make_empty_dir(path: str, size_bytes: int) -> None:
    """The kubelet's part: a memory-backed emptyDir of at most `size_bytes` at `path`."""
    # medium: Memory is a tmpfs; sizeLimit becomes its size= (the kernel refuses writes past it).
    linux.mount("kk-emptydir", path, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV,
                f"size={size_bytes},mode=0777")


def enter_container_with_volume(volume: str, mount_path: str) -> None:
    """The runtime's part, in the container's first process: a mount namespace of its own,
    with the pod's volume at `mount_path`."""
    linux.unshare(linux.CLONE_NEWNS)
    # Private first: the node's / is shared, so a bind mount made now would appear on the node too.
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    # A bind mount: the same tmpfs (the same superblock), seen at a second place.
    linux.mount("kk-emptydir", mount_path, "tmpfs", 0, "mode=0777")  # a fresh tmpfs per container


def publish(target: str, files: dict[str, bytes]) -> None:
    """Make `files` the whole content of the projected volume at `target`, in one step:
    target/<name> -> ..data/<name>, ..data -> the current generation's directory."""
    data = os.path.join(target, "..data")
    old = os.readlink(data) if os.path.islink(data) else None
    # 1. The new generation, complete, in a directory no reader can reach yet.
    new = tempfile.mkdtemp(prefix=time.strftime("..%Y_%m_%d_%H_%M_%S.", time.gmtime()), dir=target)
    stamp = os.path.basename(new)  # ..data points at it by this relative name
    for name, content in files.items():
        with open(os.path.join(new, name), "wb") as f:
            f.write(content)
    # 2. A symlink to it under a temporary name, then rename(2) over ..data: the one atomic
    #    step. A reader resolves ..data to the old directory or the new one, never to nothing.
    tmp = os.path.join(target, "..data_tmp")
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(stamp, tmp)
    os.rename(tmp, data)
    # 3. The names users see point through ..data, so they never change again.
    for name in files:
        user = os.path.join(target, name)
        if not os.path.islink(user):
            os.symlink(os.path.join("..data", name), user)
    # 4. The old generation is unreachable now (a reader that opened its files keeps them).
    if old is not None and old != stamp:
        shutil.rmtree(os.path.join(target, old), ignore_errors=True)

"""Reference twin: throttle a cgroup's writes to one block device, and measure the rate."""
from __future__ import annotations

import mmap
import os
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kernel_koans.fixtures.cgroup import KoanCgroup

BLOCK = 64 << 10


def throttle_writes(cg: KoanCgroup, device: str, bytes_per_second: int) -> None:
    """Cap the cgroup's writes to block device `device` (a /dev path) to `bytes_per_second`."""
    rdev = os.stat(device).st_rdev
    majmin = f"{os.major(rdev)}:{os.minor(rdev)}"
    if cg.version == 2:
        (cg.dir("io") / "io.max").write_text(f"{majmin} wbps={bytes_per_second}")
    else:
        (cg.dir("blkio") / "blkio.throttle.write_bps_device").write_text(f"{majmin} {bytes_per_second}")


def direct_write_rate(device: str, nbytes: int) -> float:
    """Write `nbytes` to `device` past the page cache; the achieved rate in bytes per second."""
    fd = os.open(device, os.O_WRONLY | os.O_DIRECT)
    try:
        block = mmap.mmap(-1, BLOCK)  # page-aligned memory, as O_DIRECT wants
        block.write(b"k" * BLOCK)
        start = time.monotonic()
        for _ in range(nbytes // BLOCK):
            os.write(fd, block)
        took = time.monotonic() - start
    finally:
        os.close(fd)
    return nbytes / 1024 / took

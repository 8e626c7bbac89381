"""M6 · IO: throttle a cgroup's writes to one device, and measure what it gets.
`cg.version` says whether the koan's cgroup is v2 (io) or v1 (blkio)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kernel_koans.fixtures.cgroup import KoanCgroup


def throttle_writes(cg: KoanCgroup, device: str, bytes_per_second: int) -> None:
    """Cap the cgroup's writes to block device `device` (a /dev path) to `bytes_per_second`."""
    raise NotImplementedError("should cap the cgroup's write rate to this device")


def direct_write_rate(device: str, nbytes: int) -> float:
    """Write `nbytes` to `device` past the page cache; the achieved rate in bytes per second."""
    raise NotImplementedError("should write nbytes to the device and return the rate achieved")

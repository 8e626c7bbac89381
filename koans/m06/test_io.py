"""M6 · IO throttling: a per-device write rate for a cgroup, measured against the kernel's count."""
from __future__ import annotations

import os
import random

import pytest

from kernel_koans import exercise, in_child, koan
from kernel_koans.child import DEFAULT_TIMEOUT

io_limit = exercise("m06/io_limit")

KiB, MiB = 1 << 10, 1 << 20


def measured_in(dirs: list[str], device: str, nbytes: int) -> float:
    """In a forked child: join the cgroup (every hierarchy), then run the learner's measurement."""
    for directory in dirs:
        with open(os.path.join(directory, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
    return float(io_limit.direct_write_rate(device, nbytes))


def written_bytes(cg, controller: str, majmin: str) -> int:
    """Bytes the kernel counted as written to `majmin` by exactly this cgroup."""
    if cg.version == 2:
        for line in cg.read("io", "io.stat").splitlines():
            dev, *pairs = line.split()
            if dev == majmin:
                return int(dict(p.split("=") for p in pairs).get("wbytes", 0))
        return 0
    for line in cg.read("blkio", "blkio.throttle.io_service_bytes").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == majmin and parts[1] == "Write":
            return int(parts[2])
    return 0


@koan(man="https://docs.kernel.org/admin-guide/cgroup-v2.html#io-interface-files",
      hints=["IO limits are per device and per cgroup: how does the kernel name the device? And which "
             "writes reach the device while you time them?",
             "MAJ:MIN from os.stat(device).st_rdev; \"MAJ:MIN wbps=N\" into io.max (v1: \"MAJ:MIN N\" into "
             "blkio.throttle.write_bps_device). Open with O_DIRECT and write page-aligned blocks "
             "(an mmap), so no page cache absorbs them; rate = bytes / seconds."],
      needs=["root", "loop"])
@pytest.mark.timeout(90)
def test_the_write_rate_matches_the_io_limit(cgroup, loop_device, kk_host):
    """`docker run --device-write-bps` is io.max: the device sees the cgroup's writes no faster
    than the limit. You measure it yourself, in bytes per second, and the kernel counts the bytes.

    Tolerance: 0.7–1.3× the limit. The throttle releases bytes in time slices, so a few
    seconds of writing land close to it; page-cache writes or KiB would be off by far more."""
    controller = "io" if kk_host.cgroup.version_for("io") == 2 else "blkio"
    cg = cgroup(controller, hint="io")
    rdev = os.stat(loop_device).st_rdev
    majmin = f"{os.major(rdev)}:{os.minor(rdev)}"
    rate = random.randrange(1 * MiB, 3 * MiB, 64 * KiB)
    nbytes = (rate * 5 // 2) // (64 * KiB) * (64 * KiB)
    io_limit.throttle_writes(cg, loop_device, rate)
    rate_seen = in_child(measured_in, sorted({str(d) for d in cg.dirs.values()}), loop_device, nbytes,
                         timeout=max(30.0, DEFAULT_TIMEOUT * 3))
    counted = written_bytes(cg, controller, majmin)
    assert counted >= nbytes * 0.95, (
        f"the kernel counts {counted} bytes written to {majmin} by the cgroup, not the {nbytes} you "
        "were asked to write (writes that sit in the page cache are not the cgroup's device IO)")
    assert 0.7 * rate <= rate_seen <= 1.3 * rate, (
        f"with a limit of {rate} bytes/s on {loop_device} ({majmin}), your measurement says "
        f"{rate_seen:.0f} bytes/s")

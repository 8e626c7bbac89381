"""M6 · A metrics collector: your numbers against `docker stats`, for two containers at once.

The engine computes its figures from the same cgroup files you read; the koan asks it
(`container.stats`) and reads the PSI file of each container's exact cgroup itself."""
from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest

from kernel_koans import exercise, koan, waiting

metrics = exercise("m06/metrics")

MiB = 1 << 20


def docker_memory(stats: dict[str, Any]) -> int:
    """MEM USAGE as the docker CLI computes it from the engine's stats: usage less the
    inactive page cache (v1 memory.stat total_inactive_file, v2 inactive_file)."""
    memory = stats["memory_stats"]
    usage, counters = int(memory["usage"]), memory.get("stats", {})
    inactive = counters.get("total_inactive_file", counters.get("inactive_file", 0))
    return usage - inactive if inactive < usage else usage


def pressure_total(pid: int, v2_mount: Path | None) -> int | None:
    """`some total` of memory.pressure in pid's own v2 cgroup (None where it has none)."""
    if v2_mount is None:
        return None
    line = next(x for x in Path(f"/proc/{pid}/cgroup").read_text().splitlines() if x.startswith("0::"))
    path = v2_mount / line[3:].lstrip("/") / "memory.pressure"
    if not path.exists():
        return None
    some = next(x for x in path.read_text().splitlines() if x.startswith("some "))
    return int(some.rsplit("total=", 1)[1])


def start_holder(docker_client, image, labels, shm_mib: int, cache_mib: int, loops: int):
    """A container that holds shm_mib in tmpfs (counted), writes cache_mib to a file (page
    cache, not counted by docker stats), burns some CPU, says ready and sleeps."""
    script = (f"dd if=/dev/zero of=/dev/shm/kk-held bs=1M count={shm_mib} 2>/dev/null && "
              f"dd if=/dev/zero of=/kk-cache bs=1M count={cache_mib} 2>/dev/null && "
              f"i=0 && while [ $i -lt {loops} ]; do i=$((i+1)); done && echo ready && exec sleep 60")
    return docker_client.containers.run(image, ["sh", "-c", script], detach=True, labels=labels,
                                        shm_size="128m")


@koan(man="https://docs.kernel.org/admin-guide/cgroup-v1/memory.html, "
          "https://docs.kernel.org/admin-guide/cgroup-v2.html, "
          "https://docs.kernel.org/accounting/psi.html",
      hints=["Every figure of `docker stats` comes from one cgroup: the one the container's process "
             "is in. Which file names it, in every hierarchy?",
             "/proc/<pid>/cgroup gives the path per hierarchy (v1 `N:memory:/…`, v2 `0::/…`), "
             "/proc/self/mountinfo where each is mounted. Memory as docker counts it: usage "
             "(v1 memory.usage_in_bytes, v2 memory.current) less memory.stat's inactive file pages "
             "(v1 total_inactive_file, v2 inactive_file). CPU: v1 cpuacct.usage (ns), v2 cpu.stat "
             "usage_usec. PSI: memory.pressure in the v2 cgroup, `some … total=`."],
      needs=["root", "docker", "cgroup:memory"])
@pytest.mark.timeout(90)
def test_your_collector_agrees_with_docker_stats(docker_client, busybox_image, docker_cleanup, kk_host):
    """A monitoring agent (cAdvisor, the kubelet) reads cgroup files, not `docker stats`. Read
    the wrong cgroup, or count page cache the kernel would drop, and you page someone for nothing.

    Two containers run side by side, each holding a random amount of tmpfs memory and
    page cache. Tolerance: 2 MiB of memory and 10 ms (+2 %) of CPU (both idle while read);
    your PSI total must lie between two readings of the container's own memory.pressure."""
    small = random.randint(24, 40)
    shm = random.sample([small, small + random.randint(12, 20)], 2)  # MiB each, in random order
    boxes = [start_holder(docker_client, busybox_image, docker_cleanup, mib, random.randint(24, 48),
                   random.randint(20_000, 80_000)) for mib in shm]
    assert waiting.until(lambda: all(b"ready" in box.logs() for box in boxes), 45, 0.1), (
        "setup: the containers did not get ready")
    time.sleep(0.5)
    for box, mib in zip(boxes, shm, strict=True):
        box.reload()
        pid = int(box.attrs["State"]["Pid"])
        before = pressure_total(pid, kk_host.cgroup.v2_mount)
        sample = metrics.collect(pid)
        after = pressure_total(pid, kk_host.cgroup.v2_mount)
        stats = box.stats(stream=False, one_shot=True)
        want = docker_memory(stats)
        assert want >= mib * MiB, f"setup: docker stats counts {want} bytes, less than the {mib} MiB held"
        assert abs(sample.memory_bytes - want) <= 2 * MiB, (
            f"container {box.name} holds {mib} MiB in tmpfs (plus page cache): docker stats shows "
            f"{want / MiB:.1f} MiB, your collector {sample.memory_bytes / MiB:.1f} MiB")
        cpu = int(stats["cpu_stats"]["cpu_usage"]["total_usage"])
        assert abs(sample.cpu_ns - cpu) <= 10_000_000 + cpu // 50, (
            f"container {box.name}: the engine counts {cpu / 1e6:.1f} ms of CPU, your collector "
            f"{sample.cpu_ns / 1e6:.1f} ms")
        if before is None:
            assert sample.memory_pressure_us is None, (
                f"container {box.name}'s cgroup has no memory.pressure, yet you report "
                f"{sample.memory_pressure_us} µs: whose pressure is that?")
        else:
            assert after is not None and sample.memory_pressure_us is not None, (
                f"container {box.name}'s v2 cgroup has a memory.pressure (some total {before} µs); "
                "your collector found none")
            assert before <= sample.memory_pressure_us <= after, (
                f"container {box.name}'s memory.pressure reads some total={before}…{after} µs, "
                f"your collector {sample.memory_pressure_us}")

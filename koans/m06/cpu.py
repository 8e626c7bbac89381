"""M6 · CPU: weights share a busy CPU, a quota caps it. Set them, then predict what the
kernel will do. `cg.version` says whether the koan's cgroup is v2 or v1."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kernel_koans.fixtures.cgroup import KoanCgroup


def set_weight(cg: KoanCgroup, weight: int) -> None:
    """Give the cgroup a CPU weight (v2 scale 1..10000, default 100)."""
    raise NotImplementedError("should give the cgroup this CPU weight")


def set_quota(cg: KoanCgroup, quota_us: int, period_us: int) -> None:
    """Allow `quota_us` of CPU time in every `period_us` of wall time."""
    raise NotImplementedError("should cap the cgroup's CPU time to quota_us per period_us")


def predicted_share(weight: int, other: int) -> float:
    """The fraction of one busy CPU a cgroup of `weight` gets beside a busy sibling of `other`."""
    raise NotImplementedError("should predict the fraction of the CPU this weight wins")


def predicted_cpu_seconds(quota_us: int, period_us: int, wall_s: float, threads: int = 1) -> float:
    """CPU time `threads` busy threads get in `wall_s` seconds under the quota."""
    raise NotImplementedError("should predict the CPU seconds the quota allows")


def predicted_throttled_periods(quota_us: int, period_us: int, wall_s: float, threads: int = 1) -> float:
    """How many periods of `wall_s` end with the group throttled."""
    raise NotImplementedError("should predict how many periods end throttled")

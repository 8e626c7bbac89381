"""Reference twin: CPU weights and quotas, set and predicted.

The learner is taught the v2 names (cpu.weight, cpu.max); this twin also speaks v1
(cpu.shares, cpu.cfs_quota_us / cpu.cfs_period_us), so it passes on hybrid hosts too.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kernel_koans.fixtures.cgroup import KoanCgroup


def set_weight(cg: KoanCgroup, weight: int) -> None:
    """Give the cgroup a CPU weight (v2 scale 1..10000, default 100)."""
    directory = cg.dir("cpu")
    if cg.version == 2:
        (directory / "cpu.weight").write_text(str(weight))
    else:  # v1 shares: 1024 is the default, as 100 is for cpu.weight
        (directory / "cpu.shares").write_text(str(weight * 1024 // 100))


def set_quota(cg: KoanCgroup, quota_us: int, period_us: int) -> None:
    """Allow `quota_us` of CPU time in every `period_us` of wall time."""
    directory = cg.dir("cpu")
    if cg.version == 2:
        (directory / "cpu.max").write_text(f"{quota_us} {period_us}")
    else:  # the quota is checked against the current period: the period goes first
        (directory / "cpu.cfs_period_us").write_text(str(period_us))
        (directory / "cpu.cfs_quota_us").write_text(str(quota_us))


def predicted_share(weight: int, other: int) -> float:
    """The fraction of one busy CPU a cgroup of `weight` gets beside a busy sibling of `other`."""
    return weight / other


def predicted_cpu_seconds(quota_us: int, period_us: int, wall_s: float, threads: int = 1) -> float:
    """CPU time `threads` busy threads get in `wall_s` under the quota: the quota's fraction
    of a CPU, but never more than the threads can use."""
    return min(quota_us / period_us, threads) * wall_s


def predicted_throttled_periods(quota_us: int, period_us: int, wall_s: float, threads: int = 1) -> float:
    """How many periods end throttled: every one, if the threads want more than the quota."""
    if quota_us / period_us >= threads:
        return 0.0
    return wall_s * 1e6 / period_us

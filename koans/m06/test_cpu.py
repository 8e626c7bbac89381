"""M6 · CPU weights and quotas: predict what the scheduler does, then let it prove you right.

The koans measure CPU time from the kernel's own counters (cpu.stat usage_usec on v2,
cpuacct.usage on v1) of exactly the cgroup concerned, never from the wall clock alone.
"""
from __future__ import annotations

import os
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel_koans import child, exercise, koan
from kernel_koans.loadgen import counters, cpu_controllers, cpu_seconds, release, start_worker

cpu = exercise("m06/cpu")

SPIN = 2.0
"""Seconds of wall time each busy worker spins (bounded); the kernel counts what it got."""


def weight_read_back(cg) -> int:
    """The weight the kernel holds for exactly this cgroup, on the v2 scale."""
    if cg.version == 2:
        return int(cg.read("cpu", "cpu.weight"))
    return int(cg.read("cpu", "cpu.shares")) * 100 // 1024


@koan(man="https://docs.kernel.org/admin-guide/cgroup-v2.html#weights",
      hints=["Weights are relative: what fraction of a CPU does weight a get beside weight b?",
             "a / (a + b). The file is cpu.weight on v2 (default 100) and cpu.shares on v1 "
             "(default 1024, so shares = weight × 1024 / 100)."],
      needs=[])
@given(a=st.integers(1, 10_000), b=st.integers(1, 10_000),
       quota=st.integers(1_000, 1_000_000), period=st.integers(1_000, 1_000_000),
       wall=st.floats(0.1, 100.0), threads=st.integers(1, 8))
def test_you_predict_shares_and_budgets(a, b, quota, period, wall, threads):
    """A weight means nothing alone: it is a share among busy siblings. A quota is a fraction of a
    CPU per period, which a single thread can use only up to one CPU."""
    share = cpu.predicted_share(a, b)
    assert share == pytest.approx(a / (a + b)), f"weights {a}:{b} give the first {a}/{a + b}, not {share}"
    assert share + cpu.predicted_share(b, a) == pytest.approx(1.0), "two busy siblings share the whole CPU"
    fraction = quota / period
    want = min(fraction, threads) * wall
    got = cpu.predicted_cpu_seconds(quota, period, wall, threads)
    assert got == pytest.approx(want), (
        f"quota {quota} µs per {period} µs period, {threads} busy thread(s), {wall:.2f} s: "
        f"{want:.3f} CPU seconds, not {got}")
    periods = cpu.predicted_throttled_periods(quota, period, wall, threads)
    want_periods = 0.0 if fraction >= threads else wall * 1e6 / period
    assert periods == pytest.approx(want_periods), (
        f"quota {quota}/{period} µs with {threads} busy thread(s) for {wall:.2f} s: "
        f"{want_periods:.1f} throttled periods, not {periods}")


@koan(man="https://docs.kernel.org/admin-guide/cgroup-v2.html#cpu-interface-files",
      hints=["Two sibling cgroups, both busy on one CPU: which file tells the scheduler how to split it?",
             "Write the weight into cpu.weight (v2) of each cgroup — not of their parent. On v1 the "
             "file is cpu.shares, on a scale where 1024 is the default."],
      needs=["root", "cgroup:cpu"])
@pytest.mark.timeout(60)
def test_weights_split_one_busy_cpu_as_you_predict(cgroup, spawn, kk_host):
    """cpu.weight (`docker run --cpu-shares`) does not cap anyone: it splits a contended CPU.
    Two workers pinned to the same CPU get CPU time in the ratio of their weights.

    Tolerance: ±0.06 of the CPU. CFS converges on the weights within a few scheduler
    periods, so after seconds of spinning the split is close; other tasks on that CPU take
    time from both groups alike. A wrong weight (1:1, or 1:3 the wrong way) misses by ≥ 0.25."""
    outer = cgroup(*cpu_controllers(kk_host.cgroup.version_for("cpu")), hint="wgt")
    light, heavy = cgroup.nested(outer, hint="light"), cgroup.nested(outer, hint="heavy")
    base = random.randint(20, 800)
    weights = {"light": base, "heavy": 3 * base}
    for name, cg in (("light", light), ("heavy", heavy)):
        cpu.set_weight(cg, weights[name])
        held = weight_read_back(cg)
        assert abs(held - weights[name]) <= 1, (
            f"the {name} cgroup holds weight {held} (read back from its own file), not {weights[name]}")
    assert weight_read_back(outer) == 100, "the parent's weight changed: the weights belong to the two children"
    where = min(os.sched_getaffinity(0))
    procs = [start_worker(spawn, cg, "spin", str(SPIN), str(where), go=False) for cg in (light, heavy)]
    for proc in procs:
        release(proc)
    for proc in procs:
        proc.wait(timeout=SPIN * 10)
    used = {"light": cpu_seconds(light), "heavy": cpu_seconds(heavy)}
    total = sum(used.values())
    assert total > 0.2 * SPIN, f"the two workers got only {total:.2f} s of CPU in {SPIN} s: did they run?"
    measured = used["light"] / total
    predicted = cpu.predicted_share(weights["light"], weights["heavy"])
    assert abs(measured - predicted) <= 0.06, (
        f"pinned to CPU {where}, weight {weights['light']} got {used['light']:.2f} s and weight "
        f"{weights['heavy']} got {used['heavy']:.2f} s: a share of {measured:.2f} for the light one, "
        f"you predicted {predicted:.2f}")


@koan(man="https://docs.kernel.org/scheduler/sched-bwc.html",
      hints=["A quota is CPU time per period: how much CPU does a busy thread get, and how often "
             "does it run out?",
             "Write \"QUOTA PERIOD\" into cpu.max (v1: cpu.cfs_period_us first, then cpu.cfs_quota_us). "
             "A busy thread gets quota/period of a CPU and is throttled at the end of every period."],
      needs=["root", "cgroup:cpu"])
@pytest.mark.timeout(60)
def test_a_quota_caps_usage_and_throttles_every_period(cgroup, spawn, kk_host):
    """cpu.max (`docker run --cpus`) caps CPU time per period, whatever else is idle; a busy group
    is throttled once per period, which is the latency a limited service pays.

    Tolerance: the CPU time within 0.6–1.25× your prediction (a loaded host may give less, the
    last period may overrun; 1.6× in an emulated VM), throttled periods within 0.5–1.3× (1.6×).
    The period is random: a prediction that assumes the default 100 ms period misses by 2.5×
    or more."""
    cg = cgroup(*cpu_controllers(kk_host.cgroup.version_for("cpu")), hint="quota")
    period = random.choice([20_000, 25_000, 250_000, 300_000])
    quota = int(period * random.uniform(0.15, 0.4))
    cpu.set_quota(cg, quota, period)
    if cg.version == 2:
        held = cg.read("cpu", "cpu.max").split()
    else:
        held = [cg.read("cpu", "cpu.cfs_quota_us").strip(), cg.read("cpu", "cpu.cfs_period_us").strip()]
    assert held == [str(quota), str(period)], (
        f"the cgroup holds quota/period {held}, not [{quota}, {period}]")
    proc = start_worker(spawn, cg, "spin", str(SPIN))
    proc.wait(timeout=SPIN * 10)
    used = cpu_seconds(cg)
    want = cpu.predicted_cpu_seconds(quota, period, SPIN)
    over = 1.25 if child.slowness() == 1 else 1.6  # an emulated CPU's clocks drift apart
    assert 0.6 * want <= used <= over * want + 0.02, (
        f"one busy thread under {quota} µs per {period} µs spun {SPIN} s and the kernel charged "
        f"{used:.3f} s of CPU; you predicted {want:.3f} s")
    throttled = counters(cg.dir("cpu") / "cpu.stat").get("nr_throttled", 0)
    periods = cpu.predicted_throttled_periods(quota, period, SPIN)
    late = 1.3 if child.slowness() == 1 else 1.6  # the interpreter's exit, still spinning, is slow there
    assert 0.5 * periods <= throttled <= late * periods + 2, (
        f"cpu.stat counts nr_throttled {throttled}; you predicted {periods:.0f} throttled periods "
        f"of {period} µs in {SPIN} s")

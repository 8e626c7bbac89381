"""M6 · Project — the benchmark suite: startup time and memory of images under the same limits.

projects/bench_suite/bench.py measures each image several times and summarizes min/median/max;
the report shows the comparison as a chart. The images: kernel-koans/busybox and
kernel-koans/python here (a list of tags: any image that prints "ready" and waits will do).
"""
from __future__ import annotations

import statistics

import pytest
import pytest_html
from hypothesis import given
from hypothesis import strategies as st

from kernel_koans import exercise, koan
from kernel_koans.benchchart import whiskers

bench = exercise("projects/bench_suite/bench")

MiB = 1 << 20
LIMITS = {"memory": 256 * MiB, "nano_cpus": 1_000_000_000}
APPS = {"busybox": ["sh", "-c", "echo ready; sleep 20"],
        "python": ["python3", "-c", "print('ready', flush=True); import time; time.sleep(20)"]}


@koan(man="https://docs.python.org/3/library/statistics.html#statistics.median",
      hints=["Repeated timings scatter: which three numbers describe them honestly?",
             "min(values), statistics.median(values) (the middle, or the mean of the two middle ones), "
             "max(values)."],
      needs=[])
@given(st.lists(st.floats(0.0, 1e6, allow_nan=False), min_size=1, max_size=30))
def test_summaries_are_min_median_max(values):
    """One run of a benchmark is an anecdote; repeated runs summarized by min, median and max
    show both the typical figure and the noise around it."""
    got = bench.summarize(values)
    want = (min(values), statistics.median(values), max(values))
    assert (got.min, got.median, got.max) == pytest.approx(want), f"{values} summarize to {want}, not {got}"


@koan(man="https://docs.docker.com/reference/cli/docker/container/run/#memory",
      hints=["Same limits for every image, several runs each: time from start to the app's first "
             "line, and the resident memory then.",
             "containers.create(image, argv, mem_limit=…, nano_cpus=…), start, poll logs() for "
             "\"ready\"; RSS is VmRSS in /proc/<State.Pid>/status (in kB); remove the container."],
      needs=["root", "docker"])
@pytest.mark.timeout(120)
def test_the_suite_compares_images_under_the_same_limits(docker_client, busybox_image, python_image,
                                                         docker_cleanup, extras):
    """Comparing images is only fair under the same limits and with repeats: a single start
    is noise. The chart in this koan's report row is the comparison (median bar, min–max line)."""
    tags = {busybox_image: APPS["busybox"], python_image: APPS["python"]}
    results = bench.run_suite(docker_client, tags, 3, LIMITS["memory"], LIMITS["nano_cpus"], docker_cleanup)
    assert set(results) == set(tags), f"the suite measured {sorted(results)}, not {sorted(tags)}"
    for tag, figures in results.items():
        for name in ("startup_s", "rss_bytes"):
            s = figures[name]
            assert s.min <= s.median <= s.max, f"{tag} {name}: min {s.min}, median {s.median}, max {s.max}"
        assert 0.01 < figures["startup_s"].median < 20, (
            f"{tag} started in {figures['startup_s'].median:.3f} s: not a start time")
        assert 64 * 1024 < figures["rss_bytes"].median < LIMITS["memory"], (
            f"{tag}: RSS {figures['rss_bytes'].median:.0f} bytes is no process's resident memory")
    sh, py = results[busybox_image]["rss_bytes"].median, results[python_image]["rss_bytes"].median
    assert py > 2 * sh, (f"a Python interpreter ({py / MiB:.1f} MiB) should hold several times the "
                         f"memory of busybox sh ({sh / MiB:.1f} MiB): is RSS in bytes, of the right process?")
    sample = bench.measure(docker_client, busybox_image, APPS["busybox"], LIMITS["memory"],
                           LIMITS["nano_cpus"], docker_cleanup)
    assert sample.memory_limit == LIMITS["memory"], (
        f"the engine applied a memory limit of {sample.memory_limit}, not the {LIMITS['memory']} asked for")
    extras.append(pytest_html.extras.html(
        whiskers({t: (r["startup_s"].min * 1e3, r["startup_s"].median * 1e3, r["startup_s"].max * 1e3)
                  for t, r in results.items()}, "startup (ms)", "ms")
        + whiskers({t: (r["rss_bytes"].min / MiB, r["rss_bytes"].median / MiB, r["rss_bytes"].max / MiB)
                    for t, r in results.items()}, "resident memory (MiB)", "MiB")))

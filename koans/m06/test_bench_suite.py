"""M6 · Project — the benchmark suite: startup time and memory of images under the same limits.

projects/bench_suite/bench.py measures each image several times and summarizes min/median/max;
the report shows the comparison as a chart. The images: the four language services of the
M3 project (go, java, python, node), as the reference twins build them (the `m3_images`
fixture), so the suite runs whatever your M3 progress. Each answers GET /hello?name=NAME on
:8080; ready is its first right answer (kernel_koans.readiness). The first run builds the
four images (a minute or two); they are kept for the next.
"""
from __future__ import annotations

import secrets
import statistics

import pytest
import pytest_html
from hypothesis import given
from hypothesis import strategies as st

from kernel_koans import engine_watch, exercise, koan
from kernel_koans.benchchart import whiskers

bench = exercise("projects/bench_suite/bench")

MiB = 1 << 20
LIMITS = {"memory": 256 * MiB, "nano_cpus": 1_000_000_000}
REPEATS = 3
RUN_LABEL = "kernel-koans.bench"
"""A label drawn per run: the engine's events of this koan's containers, and no one else's."""
SUITE_TIMEOUT = 120
"""Seconds for 4 x REPEATS runs on a loaded host (the images are built before, at fixture setup)."""
JVM_BEYOND_START_S = 0.1
"""Seconds a JVM needs, at the very least, beyond the engine's own start of its container
(create to started, on the engine's clock) to answer: the start's noise, the host's load,
is in both figures and cancels out (a static Go binary answers within milliseconds of it)."""


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


@koan(man="https://docs.docker.com/reference/cli/docker/container/run/#memory, proc(5) VmRSS",
      hints=["Same limits for every image, several runs each: time from the start request until the "
             "service first answers a real request, and the resident memory of its process then.",
             "containers.create(image, labels=labels, mem_limit=…, nano_cpus=…); the clock starts "
             "before start(); readiness.wait_for_hello(container, lang) returns at the first right "
             "answer. RSS: VmRSS in /proc/<State.Pid>/status, which the kernel writes in kB. "
             "State.Pid is the service itself (an exec-form CMD): not the shim above it, and not "
             "the cgroup's usage, which also counts the page cache of every file the runtime "
             "read. Remove the container."],
      needs=["root", "docker", "busybox"])
@pytest.mark.timeout(SUITE_TIMEOUT)
def test_the_suite_compares_images_under_the_same_limits(docker_client, m3_images, docker_cleanup, extras):
    """Comparing images is only fair under the same limits and with repeats: a single start
    is noise. The chart in this koan's report row is the comparison (median bar, min–max line)."""
    images = {tag: lang for lang, tag in m3_images.items()}
    labels = {**docker_cleanup, RUN_LABEL: secrets.token_hex(4)}
    with engine_watch.containers(f"{RUN_LABEL}={labels[RUN_LABEL]}") as engine:
        results = bench.run_suite(docker_client, images, REPEATS, LIMITS["memory"], LIMITS["nano_cpus"], labels)
    assert set(results) == set(images), f"the suite measured {sorted(results)}, not {sorted(images)}"
    for tag in images:
        assert engine.starts.get(tag, 0) == REPEATS, (
            f"the engine started {tag} {engine.starts.get(tag, 0)} times, not {REPEATS}: "
            "each figure summarizes that many runs")
    for box in engine.created:
        assert box.memory is not None, f"container {box.id[:12]} ({box.image}) was gone before it could be read"
        assert (box.memory, box.nano_cpus) == (LIMITS["memory"], LIMITS["nano_cpus"]), (
            f"the engine ran {box.image} with memory {box.memory} and NanoCpus {box.nano_cpus}, "
            f"not the same limits for all ({LIMITS['memory']}, {LIMITS['nano_cpus']})")
    by_lang = {images[tag]: figures for tag, figures in results.items()}
    for lang, figures in by_lang.items():
        for name in ("startup_s", "rss_bytes"):
            s = figures[name]
            assert s.min <= s.median <= s.max, f"{lang} {name}: min {s.min}, median {s.median}, max {s.max}"
        assert figures["startup_s"].min < figures["startup_s"].max, (
            f"{lang}: {REPEATS} startups timed {figures['startup_s'].min} s each: real runs never tie "
            f"to the nanosecond (one run reported {REPEATS} times?)")
        assert 0.001 < figures["startup_s"].median < 60, (
            f"{lang} started in {figures['startup_s'].median:.3f} s: not a start time")
        assert MiB < figures["rss_bytes"].median < LIMITS["memory"], (
            f"{lang}: RSS {figures['rss_bytes'].median:.0f} bytes is no runtime's resident memory (bytes?)")
    go, java = by_lang["go"], by_lang["java"]
    assert java["rss_bytes"].median > 2 * go["rss_bytes"].median, (
        f"a JVM ({java['rss_bytes'].median / MiB:.1f} MiB) should hold several times the memory of a "
        f"static Go binary ({go['rss_bytes'].median / MiB:.1f} MiB): RSS of the service's own process?")
    engine_start = statistics.median(engine.start_s(m3_images["java"]))
    assert java["startup_s"].median - engine_start > JVM_BEYOND_START_S, (
        f"the JVM answered {java['startup_s'].median:.3f} s after its start request, and the engine alone "
        f"took {engine_start:.3f} s to start its containers: a JVM needs more than "
        f"{JVM_BEYOND_START_S} s beyond that before it answers; is startup timed until the first "
        "answer, not until the container started?")
    extras.append(pytest_html.extras.html(
        whiskers({lang: (r["startup_s"].min * 1e3, r["startup_s"].median * 1e3, r["startup_s"].max * 1e3)
                  for lang, r in by_lang.items()}, "startup until the first answer (ms)", "ms")
        + whiskers({lang: (r["rss_bytes"].min / MiB, r["rss_bytes"].median / MiB, r["rss_bytes"].max / MiB)
                    for lang, r in by_lang.items()}, "resident memory (MiB)", "MiB")))

"""Health checks: what the engine does with a probe, live and as a model."""
from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel_koans import exercise, koan, names, waiting

health = exercise("m02/health")

READY = "/tmp/ready"


def _status(container) -> tuple[str, int]:
    container.reload()
    state = container.attrs["State"].get("Health") or {}
    return str(state.get("Status", "none")), int(state.get("FailingStreak", 0))


def _wait_for_status(container, status: str, seconds: float) -> tuple[str, int]:
    return waiting.settle(lambda: _status(container), lambda seen: seen[0] == status, seconds, 0.1)


@koan(man="docker run --health-cmd/--health-interval/--health-retries/--health-start-period",
      hints=["The SDK takes healthcheck={'test': [...], 'interval': ..., ...}: durations are "
             "nanoseconds.",
             "['CMD-SHELL', 'test -e /tmp/ready'] exits 0 while the file exists; the engine "
             "execs it in the container every interval."],
      needs=["root", "docker", "busybox"])
@pytest.mark.timeout(60)
def test_healthcheck_goes_starting_healthy_unhealthy(docker_client, busybox_image, docker_cleanup):
    """Health is what a probe inside the container says, not whether the process runs.
    Orchestrators route traffic and restart by it; `depends_on: service_healthy` waits for it."""
    check = health.ready_file_healthcheck(READY, interval_s=0.3, timeout_s=2, retries=2,
                                          start_period_s=30)
    box = docker_client.containers.run(busybox_image, ["sleep", "120"], name=names.unique("hc"),
                                       labels=docker_cleanup, detach=True, healthcheck=check)
    time.sleep(1.0)  # about three probes, all failing, all inside the start period
    status, streak = _status(box)
    assert status == "starting", f"before {READY} exists the status is {status!r}, not 'starting'"
    assert streak == 0, f"failures inside the start period counted: FailingStreak={streak}"
    box.exec_run(["touch", READY])
    status, _ = _wait_for_status(box, "healthy", 10)
    assert status == "healthy", f"with {READY} present the probe should pass; status is {status!r}"
    box.exec_run(["rm", READY])
    status, streak = _wait_for_status(box, "unhealthy", 10)
    assert status == "unhealthy", f"with {READY} gone the status stayed {status!r}"
    assert streak >= 2, f"unhealthy after FailingStreak={streak}: it takes `retries` (2) failures"


statuses = st.sampled_from(["starting", "healthy", "unhealthy"])


healths = st.tuples(statuses, st.integers(0, 6))


@koan(man="moby daemon/health.go (handleProbeResult), Dockerfile HEALTHCHECK",
      hints=["Three rules: a pass resets; a failure in the start period (while starting) is "
             "ignored; otherwise the streak grows and hits `retries`.",
             "Return Health('healthy', 0) on a pass; the same Health when starting and "
             "since_start_s < start_period_s; else streak + 1, 'unhealthy' once it reaches retries."],
      needs=[])
@settings(max_examples=80, deadline=None)
@given(start=healths, results=st.lists(st.booleans(), min_size=1, max_size=25),
       retries=st.integers(1, 5), start_period=st.floats(0, 10), interval=st.floats(0.1, 3))
def test_health_model_follows_the_engine_rules(start, results, retries, start_period, interval):
    """A model you can reason about: why a slow starter is not killed, why one blip is no outage.
    Every property below is a rule the engine applies to each probe result."""
    h = health.Health(*start)
    for i, passed in enumerate(results):
        t = (i + 1) * interval
        nxt = health.step(h, passed, t, start_period, retries)
        assert isinstance(nxt, health.Health), "step() returns a Health"
        if passed:
            assert nxt == health.Health("healthy", 0), f"a passing probe gives healthy/0, got {nxt}"
        elif h.status == "starting" and t < start_period:
            assert nxt == h, f"a failure at {t:.1f}s inside a {start_period:.1f}s start period changed {h} to {nxt}"
        else:
            assert nxt.failing_streak == h.failing_streak + 1, \
                f"a counted failure must grow the streak by one: {h} -> {nxt}"
            want = "unhealthy" if nxt.failing_streak >= retries else h.status
            assert nxt.status == want, \
                f"streak {nxt.failing_streak} with retries={retries} from {h.status!r} must be {want!r}, got {nxt}"
        h = nxt
    # From healthy, one blip is no outage: retries - 1 failures keep it healthy, one more does not.
    h = health.Health("healthy", 0)
    for n in range(1, retries + 1):
        h = health.step(h, False, start_period + n * interval, start_period, retries)
        want = "unhealthy" if n == retries else "healthy"
        assert h.status == want, f"after {n} failures (retries={retries}) from healthy: {h}, not {want!r}"

"""The HPA formula: scale by the metric's ratio to its target, rounding up, within a band."""
from __future__ import annotations

from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kernel_koans import exercise, koan

hpa = exercise("m10/hpa")

MAN = "Kubernetes docs: Horizontal Pod Autoscaling, 'Algorithm details'"


def kubernetes(current: int, metric: Fraction, target: Fraction, lo: int, hi: int,
               tolerance: Fraction) -> int:
    """The koan's own statement of the rule, in exact arithmetic: no float can blur it."""
    ratio = metric / target
    if abs(ratio - 1) <= tolerance:
        wanted = current
    else:
        product = ratio * current
        wanted = product.numerator // product.denominator + (product.denominator != 1)
    return min(hi, max(lo, wanted))


def near_an_edge(current: int, metric: int, target: int, tolerance: Fraction) -> bool:
    """Inputs where float and exact arithmetic may round apart: an exact integer product,
    or a ratio exactly on the tolerance band's edge (Kubernetes computes in float64)."""
    ratio = Fraction(metric, target)
    product = ratio * current
    return product.denominator == 1 or abs(ratio - 1) == tolerance


bounds = st.tuples(st.integers(1, 20), st.integers(1, 60)).map(lambda t: (t[0], t[0] + t[1]))


@koan(man=MAN, hints=[
    "The replica count grows with the ratio of what is measured to what is wanted per replica.",
    "ceil(current * metric / target): round up, never down (3.1 replicas' worth of load needs "
    "4). Then clamp into [min_replicas, max_replicas]."], needs=[])
@settings(max_examples=400, deadline=None)
@given(current=st.integers(1, 50), metric=st.integers(0, 5000), target=st.integers(1, 2000),
       limits=bounds)
def test_hpa_scales_by_the_ratio_rounding_up_within_bounds(current, metric, target, limits):
    """desiredReplicas = ceil(currentReplicas x currentMetric / targetMetric), clamped:
    rounding up is what keeps every replica at or under its target."""
    lo, hi = limits
    assume(not near_an_edge(current, metric, target, Fraction(1, 10)))
    want = kubernetes(current, Fraction(metric), Fraction(target), lo, hi, Fraction(1, 10))
    got = hpa.desired_replicas(current, float(metric), float(target), lo, hi)
    assert got == want, (f"{current} replicas at {metric} per replica against a target of "
                         f"{target} (min {lo}, max {hi}): Kubernetes asks for {want}, not {got}")


@koan(man=MAN, hints=[
    "A metric that wobbles around its target must not make the replica count wobble too.",
    "If |1 - metric/target| <= tolerance (0.1 by default), keep the current count; "
    "min/max still apply."], needs=[])
@settings(max_examples=400, deadline=None)
@given(current=st.integers(1, 50), target=st.integers(10, 2000),
       wobble=st.fractions(Fraction(-1, 5), Fraction(1, 5)),
       tolerance=st.sampled_from([Fraction(1, 20), Fraction(1, 10), Fraction(3, 20)]),
       limits=bounds)
def test_hpa_holds_still_inside_the_tolerance_band(current, target, wobble, tolerance, limits):
    """Without a dead band an autoscaler flaps: every small wobble of the metric adds or
    removes a replica, which moves the metric again. Kubernetes ignores changes within 10%."""
    lo, hi = limits
    metric = target * (1 + wobble)
    assume((metric / target * current).denominator != 1)  # float and exact round apart there
    assume(abs(abs(metric / target - 1) - tolerance) > Fraction(1, 10_000))  # and on the edge
    want = kubernetes(current, metric, Fraction(target), lo, hi, tolerance)
    got = hpa.desired_replicas(current, float(metric), float(target), lo, hi, float(tolerance))
    assert got == want, (f"{current} replicas at {float(metric):.3f} against a target of {target} "
                         f"(ratio {float(metric / target):.3f}, tolerance {float(tolerance)}, "
                         f"min {lo}, max {hi}): Kubernetes asks for {want}, not {got}")

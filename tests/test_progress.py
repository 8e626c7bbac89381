"""progress: bars, tallies, the next koan, and what record() keeps."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kernel_koans import progress
from kernel_koans.progress import KoanEntry, Status


@st.composite
def done_total(draw):
    total = draw(st.integers(min_value=1, max_value=500))
    return draw(st.integers(min_value=0, max_value=total)), total


@given(done_total(), st.integers(min_value=1, max_value=60))
def test_bar_shape(dt, width: int) -> None:
    done, total = dt
    text = progress.bar(done, total, width)
    assert text.startswith("[") and text.endswith("]") and len(text) == width + 2
    inner = text[1:-1]
    assert set(inner) <= {"#", "-"}
    assert inner == "#" * inner.count("#") + "-" * inner.count("-"), "filled part first"
    filled = inner.count("#")
    assert abs(filled - width * done / total) <= 0.5, "the bar is as full as the share done"
    if done == total:
        assert filled == width
    if done == 0:
        assert filled == 0


@given(st.integers(min_value=1, max_value=300), st.integers(min_value=1, max_value=60))
def test_bar_grows_with_progress(total: int, width: int) -> None:
    fills = [progress.bar(d, total, width).count("#") for d in range(total + 1)]
    assert fills == sorted(fills) and fills[0] == 0 and fills[-1] == width


def test_bar_without_koans() -> None:
    assert progress.bar(0, 0, 5) == "[·····]"


def _entry(nodeid: str, order: int, milestone: str = "m00") -> KoanEntry:
    return KoanEntry(nodeid=nodeid, name=nodeid.split("::")[1], milestone=milestone, order=[order],
                     man="m(1)", hints=["h"], needs=[], lesson="")


def test_next_koan_order_and_skips() -> None:
    cat = {e.nodeid: e for e in (_entry("f::a", 0), _entry("f::b", 1), _entry("f::c", 2))}
    assert progress.next_koan(cat, {}).nodeid == "f::a"
    passed = Status("passed", 1.0, 1.0)
    skipped = Status("skipped", 1.0, None, "host lacks docker")
    assert progress.next_koan(cat, {"f::a": passed, "f::b": skipped}).nodeid == "f::c"
    # everything passed or skipped for a host reason: the first skipped one
    assert progress.next_koan(cat, {"f::a": passed, "f::b": skipped,
                                    "f::c": passed}).nodeid == "f::b"
    assert progress.next_koan(cat, {k: passed for k in cat}) is None
    assert progress.next_koan({}, {}) is None


def test_tally_counts_per_milestone() -> None:
    cat = {e.nodeid: e for e in (_entry("a::1", 0), _entry("a::2", 1), _entry("b::1", 2, "m01"),
                                 _entry("b::2", 3, "m01"))}
    state = {"a::1": Status("passed", 0), "a::2": Status("skipped", 0, None, "why"),
             "b::1": Status("failed", 0)}
    got = {t.key: t for t in progress.tally(cat, state, {"m00": "Zero", "m01": "One", "m02": "Two"})}
    assert [k for k in got] == ["m00", "m01", "m02"]
    assert (got["m00"].total, got["m00"].passed, got["m00"].skipped, got["m00"].skip_reasons) == (2, 1, 1, ["why"])
    assert (got["m01"].failed, got["m01"].not_run) == (1, 1)
    assert got["m02"].total == 0 and got["m02"].title == "Two"


def _run(**outcomes: tuple[str, str]) -> progress.LastRun:
    run = progress.LastRun()
    for nodeid, (outcome, reason) in outcomes.items():
        run.note(nodeid, outcome, reason)
    return run


def test_record_keeps_first_pass(kk) -> None:
    first = progress.record(_run(k=("passed", "")))["k"].first_passed
    assert first is not None
    later = progress.record(_run(k=("failed", ""), j=("skipped", "no docker")))
    assert later["k"].outcome == "failed" and later["k"].first_passed == first
    assert later["j"] == Status("skipped", later["j"].when, None, "no docker")
    assert progress.load_progress() == later
    (kk.state / "progress.json").write_text("not json")
    assert progress.load_progress() == {}, "a damaged file reads as a fresh start"


def test_hints_seen_round_trip_and_state_dir_owner(kk, monkeypatch, tmp_path) -> None:
    assert progress.load_hints_seen() == {}
    progress.save_hints_seen({"k": 2})
    assert progress.load_hints_seen() == {"k": 2}
    assert (kk.state / "hints.json").is_file()
    assert progress.backup_dir() == kk.state / "backup"
    monkeypatch.setenv("KERNEL_KOANS_STATE", str(tmp_path / "elsewhere"))
    assert progress.state_dir() == tmp_path / "elsewhere"
    assert progress.load_hints_seen() == {}

"""`koans dev check`: the structure check (twin rule, manifest) and the verdict on two runs."""
from __future__ import annotations

from kernel_koans import devcheck


def test_structure_of_an_honest_curriculum(kk) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    kk.write("koans/m00/README.md", "# notes\n")
    kk.write("koans/m00/conftest.py", "")
    kk.write("projects/sim/sim.py", "")
    kk.write("solutions/projects/sim/sim.py", "")
    found = devcheck.Findings()
    devcheck.structure(found)
    assert found.problems == []
    # one koan file, two modules with their twins; the exercise it names; x.py used
    assert found.checked == 5


def test_structure_reports_what_breaks_the_rules(kk) -> None:
    kk.manifest(m00=["test_add.py", "test_gone.py"])
    kk.adder()
    kk.write("koans/m00/test_unlisted.py", "")
    kk.write("koans/m00/orphan.py", "def f():\n    raise NotImplementedError\n")
    kk.write("projects/sim/sim.py", "")
    found = devcheck.Findings()
    devcheck.structure(found)
    assert sorted(found.problems) == sorted([
        "koans/m00/test_unlisted.py is not listed in koans/manifest.toml",
        "koans/manifest.toml lists koans/m00/test_gone.py, which does not exist",
        "koans/m00/orphan.py has no reference twin at solutions/m00/orphan.py",
        "koans/m00/orphan.py is an exercise module no koan file uses (exercise('m00/orphan'))",
        "koans/m00/orphan.py:2 raises NotImplementedError without saying what is missing",
        "projects/sim/sim.py has no reference twin at solutions/projects/sim/sim.py",
    ])


def test_judge_fails_stub_passes_twin_failures_skips_and_leaks() -> None:
    k1, k2 = "koans/m00/test_a.py::test_1", "koans/m00/test_a.py::test_2"
    found = devcheck.Findings()
    stubs = {"outcomes": {k1: "passed", k2: "failed"}, "koan_leaks": {k2: {"netns": ["kk-x"]}}}
    twins = {"outcomes": {k1: "failed", k2: "skipped"}, "reasons": {k2: "host lacks docker"},
             "missing": {k2: ["docker"]}, "session_leaks": {"links": ["kk-y"]}}
    devcheck.judge(stubs, twins, allow_skips=False, f=found)
    text = "\n".join(found.problems)
    assert f"passes on its untouched stub: {k1}" in text
    assert f"fails on its reference twin: {k1}" in text
    assert f"skipped on the twins (host lacks docker): {k2}" in text
    assert f"left kernel objects behind on the stubs: {k2}" in text
    assert "the solutions run left kernel objects behind" in text
    assert len(found.problems) == 5

    allowed = devcheck.Findings()
    devcheck.judge({"outcomes": {k2: "failed"}}, {"outcomes": {k2: "skipped"}}, True, allowed)
    assert allowed.problems == []

    empty = devcheck.Findings()
    devcheck.judge({}, {}, False, empty)
    assert empty.problems == ["a pytest run produced no outcomes (collection error?)"]


def test_judge_allows_skips_only_for_the_named_missing_pieces() -> None:
    from kernel_koans import host

    k1, k2 = "koans/m04/test_a.py::test_v2", "koans/m04/test_a.py::test_engine"
    twins = {"outcomes": {k1: "skipped", k2: "skipped"},
             "reasons": {k1: host.skip_reason(["cgroup2"]), k2: host.skip_reason(["cgroup2", "docker"])},
             "missing": {k1: ["cgroup2"], k2: ["cgroup2", "docker"]}}
    found = devcheck.Findings()
    devcheck.judge({"outcomes": {k1: "failed", k2: "failed"}}, twins, False, found, ("cgroup2",))
    assert len(found.problems) == 1 and k2 in found.problems[0], found.problems


def test_paths_among_the_arguments_narrow_the_check(tmp_path) -> None:
    (tmp_path / "koans" / "m09").mkdir(parents=True)
    (tmp_path / "koans" / "m09" / "test_x.py").write_text("")
    extra = ["koans/m09", "-k", "koans", "koans/m09/test_x.py::test_a", "-x"]
    assert devcheck._targets(tmp_path, extra) == ["koans/m09", "koans/m09/test_x.py::test_a"]
    assert devcheck._targets(tmp_path, ["-k", "pid_1"]) == []

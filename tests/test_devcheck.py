"""`koans dev check`: the structure check (twin rule, manifest) and the verdict on two runs."""
from __future__ import annotations

from kernel_koans.cli.dev import devcheck


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
    # one koan file, two modules with their twins and their parity; the strays, the
    # twins' lint and the shared helpers; the exercise it names; x.py used
    assert found.checked == 10


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


def test_structure_holds_stub_and_twin_to_one_api(kk) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    kk.write("koans/m00/x.py", '''
        def add(a, b, c=0):
            raise NotImplementedError("return the sum of a and b")


        def given(a):
            return a * 2


        def only_here():
            raise NotImplementedError("a name the twin lacks")
    ''')
    kk.write("solutions/m00/x.py", '''
        def add(a, b):
            return a + b


        def given(a):
            return a + a


        def helper():
            return 1
    ''')
    found = devcheck.Findings()
    devcheck.structure(found)
    assert sorted(found.problems) == sorted([
        "koans/m00/x.py::add: the stub's signature ((a, b, c=0)) is not the twin's ((a, b))",
        "koans/m00/x.py::given: the stub gives this function whole, yet it differs from the twin's "
        "(make them one, or say why in kernel_koans.cli.dev.parity.DELIBERATE)",
        "koans/m00/x.py::only_here is in the stub, not in its twin",
    ])


def test_structure_finds_strays_and_unclean_twins(kk) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    kk.write("koans/notes.txt", "mine\n")
    kk.write("solutions/m00/gone.py", "")
    kk.write("solutions/m00/test_add.py", "")
    kk.write("solutions/m00/x.py", "import os\n\n\ndef add(a, b):\n    return a + b\n")
    found = devcheck.Findings()
    devcheck.structure(found)
    text = "\n".join(found.problems)
    assert "koans/notes.txt is neither a milestone folder (mNN) nor the manifest" in text
    assert "solutions/m00/gone.py is the twin of koans/m00/gone.py, which does not exist" in text
    assert "solutions/m00/test_add.py: a koan file among the twins" in text
    assert "not lint-clean: solutions/m00/x.py:1:8: F401" in text


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


def test_a_helper_two_koan_files_write_is_named(kk) -> None:
    kk.manifest(m00=["test_add.py", "test_more.py"])
    kk.adder()
    helper = "def nspid(pid):\n    return [pid]\n\n\ndef other(x):\n    y = x + 1\n    return y\n"
    kk.write("koans/m00/test_more.py", helper.replace("other", "renamed"))
    kk.write("koans/m00/test_add.py", (kk.root / "koans/m00/test_add.py").read_text() + "\n\n" + helper)
    found = devcheck.Findings()
    devcheck.structure(found)
    text = "\n".join(found.problems)
    assert "helper nspid() is defined in 2 koan files (koans/m00/test_add.py, koans/m00/test_more.py)" in text
    assert "the same helper is written twice (koans/m00/test_add.py::other, koans/m00/test_more.py::renamed)" in text

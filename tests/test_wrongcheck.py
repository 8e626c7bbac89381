"""`koans dev check --wrong DIR`: each plausible wrong solution must fail the koans its case names."""
from __future__ import annotations

import json

import pytest

from kernel_koans.cli.dev import wrongcases, wrongcheck
from kernel_koans.runner import wrongsession

CASE = '''
exercise = "m00/x"
koans = [{koans}]
mistake = "{mistake}"
'''

NEEDS_DOCKER = '''
from kernel_koans.exercise import exercise
from kernel_koans.koan import koan

x = exercise("m00/x")


@koan(man="add(1)", hints=["h"], needs=["docker"])
def test_adds_in_an_engine():
    """Needs an engine the fake host lacks."""
    assert x.add(2, 3) == 5
'''

ADDS = "koans/m00/test_add.py::test_m00_adds"


def write_case(kk, name: str, module: str, mistake: str, *koans: str) -> None:
    """cases/m00/NAME: its case.toml and the patch from the twin of m00/x to `module`."""
    quoted = ", ".join(json.dumps(k) for k in koans)
    kk.write(f"cases/m00/{name}/case.toml", CASE.format(koans=quoted, mistake=mistake))
    wrong = kk.root / "wrong-x.py"
    wrong.write_text(module)
    patch = wrongcases.make_patch(kk.root / "solutions/m00/x.py", wrong)
    wrong.unlink()
    kk.write(f"cases/m00/{name}/{wrongcases.PATCH_FILE}", patch)


@pytest.fixture
def cases(kk):
    kk.manifest(m00=["test_add.py", "test_engine.py"])
    kk.adder()
    kk.write("koans/m00/test_engine.py", NEEDS_DOCKER)
    kk.host(docker=None)

    def case(name: str, module: str, mistake: str, *koans: str) -> None:
        write_case(kk, name, module, mistake, *koans)

    case("subtracts", "def add(a, b):\n    return a - b\n", "plus is minus", ADDS)
    case("hard-coded", "def add(a, b):\n    return 5\n", "the koan's own numbers", ADDS)
    case("still-a-stub", "def add(a, b):\n    raise NotImplementedError('should add')\n", "none", ADDS)
    case("engine", "def add(a, b):\n    return a * b\n", "times", "koans/m00/test_engine.py::test_adds_in_an_engine")
    return kk


def test_wrong_cases_fail_their_koans_or_the_case_fails(cases, capsys) -> None:
    code = wrongcheck.main(cases.root / "cases", allow_skips=False, extra=["--no-audit"],
                           allow_missing=("docker",))
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "OK   m00/subtracts: 1 koan(s) fail on it" in lines, out
    assert "FAIL m00/hard-coded: the koan's own numbers" in lines, out
    assert f"       passes {ADDS}: the koan does not catch this mistake" in lines, out
    assert "FAIL m00/still-a-stub: none" in lines, out
    assert any("only because the wrong module still has a stub" in line for line in lines), out
    assert "SKIP m00/engine: times" in lines, out  # the host lacks docker: not checked, not a pass
    assert lines[-1] == "dev-check --wrong: 1 passed, 2 failed, 1 not checked", out
    assert code == 1
    # the swap touched neither the learner's file nor the twin
    assert "NotImplementedError" in (cases.root / "koans/m00/x.py").read_text()
    assert "a + b" in (cases.root / "solutions/m00/x.py").read_text()


def test_a_skip_not_allowed_fails_the_case(cases, capsys) -> None:
    for name in ("subtracts", "hard-coded", "still-a-stub"):
        for f in (cases.root / "cases/m00" / name).iterdir():
            f.unlink()
        (cases.root / "cases/m00" / name).rmdir()
    assert wrongcheck.main(cases.root / "cases", False, ["--no-audit"]) == 1
    out = capsys.readouterr().out
    assert "FAIL m00/engine: times" in out and "skipped koans/m00/test_engine.py" in out


def test_needing_keeps_only_the_cases_whose_koans_all_work_with_the_topic(cases, capsys) -> None:
    code = wrongcheck.main(cases.root / "cases", False, ["--no-audit"], ("docker",), needing="docker")
    out = capsys.readouterr().out
    assert "1 wrong-solution case(s) needing docker" in out, out
    assert "SKIP m00/engine: times" in out and "subtracts" not in out, out
    assert code == 0


def test_malformed_case_is_named(kk, capsys) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    kk.write("cases/m00/bad/case.toml", 'exercise = "m00/nope"\nkoans = []\n')
    assert wrongcheck.main(kk.root / "cases", False, []) == 1
    out = capsys.readouterr().out
    for problem in ("exercise 'm00/nope' does not exist", "case.toml lists no koans",
                    "case.toml says no mistake", "mistake.patch is missing"):
        assert problem in out, out


def test_swap_option_loads_the_given_file_for_one_exercise(kk) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    kk.write("elsewhere/x.py", "def add(a, b):\n    return a + b\n")
    kk.run("--no-audit", "--swap", "m00/x=elsewhere/x.py", "koans").assert_outcomes(passed=1)
    assert kk.last_run()["swaps"] == {"m00/x": str(kk.root / "elsewhere/x.py")}
    assert not (kk.state / "progress.json").exists(), "a swapped run is not the learner's journey"
    kk.run("--no-audit", "koans").assert_outcomes(failed=1)


def test_a_patch_may_span_the_twin_s_folder_and_a_data_exercise(kk) -> None:
    """A data exercise (a pipeline file) is patched like a module, and a mistake may touch
    a file beside it (a project's Dockerfile): the twin's folder is copied, then patched."""
    kk.write("projects/p/ci.toml", "# stub\n")
    kk.write("solutions/projects/p/ci.toml", "[[stage]]\nname = 'build'\n")
    kk.write("solutions/projects/p/go/Dockerfile", "FROM scratch\n")
    kk.write("wrong/ci.toml", "[[stage]]\nname = 'test'\n")
    kk.write("wrong/Dockerfile", "FROM golang\n")
    patch = (wrongcases.make_patch(kk.root / "solutions/projects/p/ci.toml", kk.root / "wrong/ci.toml")
             + wrongcases.make_patch(kk.root / "solutions/projects/p/go/Dockerfile", kk.root / "wrong/Dockerfile"))
    kk.write("cases/m00/toml/case.toml", 'exercise = "projects/p/ci.toml"\nkoans = ["k"]\nmistake = "m"\n')
    kk.write("cases/m00/toml/mistake.patch", patch)
    case = wrongcases.find_cases(kk.root / "cases")[0]
    assert wrongcases.malformed(case) == []
    module = wrongcases.materialize(case, kk.root / "tmp")
    assert module == kk.root / "tmp/solutions/projects/p/ci.toml"
    assert module.read_text() == "[[stage]]\nname = 'test'\n"
    assert (module.parent / "go/Dockerfile").read_text() == "FROM golang\n"
    assert "name = 'build'" in (kk.root / "solutions/projects/p/ci.toml").read_text(), "the twin is untouched"
    assert f"projects/p/ci.toml={module}" in wrongcheck.command(case, module)


def test_a_stale_patch_fails_its_case_by_name(cases, capsys) -> None:
    """The twin moved on and the patch no longer applies: the case fails loudly, named."""
    (cases.root / "solutions/m00/x.py").write_text("def add(a, b):\n    total = a + b\n    return total\n")
    assert wrongcheck.main(cases.root / "cases", False, ["--no-audit"], ("docker",)) == 1
    out = capsys.readouterr().out
    assert "FAIL m00/subtracts: plus is minus" in out, out
    assert "mistake.patch no longer applies to today's twin" in out, out


PARAMETRIZED = '''
import pytest

from kernel_koans.exercise import exercise
from kernel_koans.koan import koan

x = exercise("m00/x")


@pytest.mark.parametrize("a", [1, 2])
@koan(man="add(1)", hints=["h"])
def test_adds_each(a):
    """Every case of a parametrized koan runs against every wrong module."""
    assert x.add(a, 3) == a + 3
'''


def test_many_cases_share_one_session_and_each_koan_runs_per_case(kk, capsys) -> None:
    """Two cases on the same koans, one of them parametrized: one pytest session, and each
    case is judged by its own module (the second's mistake shows only at a=2)."""
    kk.manifest(m00=["test_each.py"])
    kk.adder()
    kk.write("koans/m00/test_each.py", PARAMETRIZED)
    each = ["koans/m00/test_each.py::test_adds_each[1]", "koans/m00/test_each.py::test_adds_each[2]"]
    write_case(kk, "a-times", "def add(a, b):\n    return a * b\n", "times", *each)
    write_case(kk, "b-one", "def add(a, b):\n    return a + b if a == 1 else 0\n", "one is special", *each)
    assert wrongcheck.main(kk.root / "cases", False, ["--no-audit"]) == 1
    out = capsys.readouterr().out
    assert "OK   m00/a-times: 2 koan(s) fail on it" in out, out
    assert "FAIL m00/b-one: one is special" in out, out
    assert f"passes {each[0]}: the koan does not catch this mistake" in out, out
    assert f"passes {each[1]}" not in out, out
    assert "(2 case(s) in 1 pytest session(s); the slowest: " in out, out


def test_a_case_that_changes_the_test_process_ends_its_session(kk, capsys) -> None:
    """A wrong module that changes the process running the koans (here its working
    directory) is judged as usual, and the cases after it run in a fresh process."""
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    write_case(kk, "a-chdir", "import os\n\ndef add(a, b):\n    os.chdir('/')\n    return 0\n", "moves", ADDS)
    write_case(kk, "b-sub", "import os\n\ndef add(a, b):\n    assert os.getcwd() != '/'\n"
             "    return a - b\n", "minus", ADDS)
    assert wrongcheck.main(kk.root / "cases", False, ["--no-audit"]) == 0
    out = capsys.readouterr().out
    assert "OK   m00/a-chdir: 1 koan(s) fail on it (it changed the test process: cwd;" in out, out
    assert "OK   m00/b-sub: 1 koan(s) fail on it" in out, out
    assert "(2 case(s) in 2 pytest session(s); the slowest: " in out, out


def test_a_case_that_kills_the_test_process_fails_and_the_rest_go_on(kk, capsys) -> None:
    kk.manifest(m00=["test_add.py"])
    kk.adder()
    write_case(kk, "a-dies", "import os\n\ndef add(a, b):\n    os._exit(3)\n", "exits", ADDS)
    write_case(kk, "b-sub", "def add(a, b):\n    return a - b\n", "minus", ADDS)
    assert wrongcheck.main(kk.root / "cases", False, ["--no-audit"]) == 1
    out = capsys.readouterr().out
    assert "FAIL m00/a-dies: exits" in out and "the test process died while it ran this case" in out, out
    assert "OK   m00/b-sub: 1 koan(s) fail on it" in out, out


def test_case_nodeids_keep_pytest_s_parameters_last() -> None:
    assert (wrongsession.case_nodeid("koans/m03/t.py::test_x[go-1]", "m03/c")
            == "koans/m03/t.py::test_x@wrong:m03/c[go-1]")
    assert wrongsession.case_nodeid("koans/m03/t.py::test_y", "m03/c") == "koans/m03/t.py::test_y@wrong:m03/c"


def test_dev_mistake_prints_the_patch_that_materializes_back_to_the_wrong_file(kk, capsys) -> None:
    from kernel_koans import cli

    kk.adder()
    kk.write("wrong.py", "def add(a, b):\n    return a - b\n")
    assert cli.main(["dev", "mistake", "m00/x", str(kk.root / "wrong.py")]) == 0
    kk.write("cases/m00/sub/case.toml", CASE.format(koans=json.dumps(ADDS), mistake="minus"))
    kk.write("cases/m00/sub/mistake.patch", capsys.readouterr().out)
    case = wrongcases.find_cases(kk.root / "cases")[0]
    assert wrongcases.materialize(case, kk.root / "tmp").read_text() == "def add(a, b):\n    return a - b\n"
    assert cli.main(["dev", "mistake", "m00/nope", str(kk.root / "wrong.py")]) == 2

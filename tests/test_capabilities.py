"""A host that lacks what a koan needs gives a skip naming the missing piece and its fix."""
from __future__ import annotations

import pytest

from kernel_koans import host
from kernel_koans.runner.report import NOT_ROOT

NEEDS = '''
from kernel_koans.koan import koan


@koan(man="docker(1)", hints=["h"], needs=["docker"])
def test_needs_docker():
    pass


@koan(man="cgroups(7)", hints=["h"], needs=["cgroup:memory"])
def test_needs_memory_controller():
    pass


@koan(man="pid_namespaces(7)", hints=["h"], needs=["root"])
def test_needs_root():
    pass


@koan(man="proc(5)", hints=["h"])
def test_needs_nothing():
    pass
'''


def _skip_reasons(result: pytest.RunResult) -> dict[str, str]:
    out = {}
    for rep in vars(result)["reprec"].getreports("pytest_runtest_logreport"):
        if rep.skipped:
            out[rep.nodeid.split("::")[1]] = str(rep.longrepr[2])
    return out


@pytest.fixture
def needs(kk):
    kk.manifest(m00=["test_needs.py"])
    kk.write("koans/m00/test_needs.py", NEEDS)
    return kk


def test_capable_host_runs_everything(needs) -> None:
    needs.host(root=True, docker="27.0.0")
    needs.run("--no-audit", "koans").assert_outcomes(passed=4)


def test_missing_docker_and_memory_skip_with_the_fix(needs) -> None:
    needs.host(root=True, docker=None, drop_controllers=["memory"])
    result = needs.run("--no-audit", "-rs", "koans")
    result.assert_outcomes(passed=2, skipped=2)
    reasons = _skip_reasons(result)
    assert set(reasons) == {"test_needs_docker", "test_needs_memory_controller"}
    assert "docker" in reasons["test_needs_docker"]
    assert host.FIXES["docker"] in reasons["test_needs_docker"]
    assert "'memory'" in reasons["test_needs_memory_controller"]
    assert host.FIXES["cgroup"] in reasons["test_needs_memory_controller"]
    # -rs shows the learner the same sentence
    result.stdout.fnmatch_lines(["*SKIPPED*host lacks docker*apt-get install -y docker.io*"])
    # progress remembers why, for `koans next` and the report
    stored = needs.progress()
    assert stored["koans/m00/test_needs.py::test_needs_docker"]["outcome"] == "skipped"
    assert host.FIXES["docker"] in stored["koans/m00/test_needs.py::test_needs_docker"]["reason"]
    # the run's record keeps the missing needs as data: nobody parses the sentence
    assert needs.last_run()["missing"] == {"koans/m00/test_needs.py::test_needs_docker": ["docker"],
                                           "koans/m00/test_needs.py::test_needs_memory_controller": ["cgroup:memory"]}


def test_not_root_skips_root_koans_never_fails_them(needs) -> None:
    needs.host(root=False)
    result = needs.run("-rs", "koans")
    result.assert_outcomes(passed=3, skipped=1)
    assert list(_skip_reasons(result)) == ["test_needs_root"]
    assert host.FIXES["root"] in _skip_reasons(result)["test_needs_root"]
    text = result.stdout.str()
    assert NOT_ROOT in text  # header and summary tell the learner why
    assert text.count(NOT_ROOT) >= 2, "NOT_ROOT belongs in the header and in the summary"


def test_skip_reason_names_every_missing_piece() -> None:
    text = host.skip_reason(["root", "cgroup:pids", "overlay"])
    assert text.startswith("host lacks ")
    for piece in ("root", "'pids'", "overlay", host.FIXES["root"], host.FIXES["cgroup"],
                  host.FIXES["overlay"]):
        assert piece in text


def test_unknown_requirement_is_an_authoring_error() -> None:
    from kernel_koans import cgroups

    h = host.Host(root=True, cgroup=cgroups.Layout("none", None, ()), docker=None, userns=False,
                  overlay=False, seccomp=False, netns=False, busybox=None, loop=False)
    with pytest.raises(KeyError, match="unknown host requirement"):
        h.missing(["dockr"])
    assert h.missing(["cgroup2", "cgroup:memory", "root"]) == ["cgroup2", "cgroup:memory"]


def test_a_fixture_that_finds_a_gap_late_records_it_as_data(kk) -> None:
    """host.skip_lacking (for fixtures) skips like a declared need, and the record says which."""
    kk.manifest(m00=["test_late.py"])
    kk.write("koans/m00/test_late.py", '''
        import pytest

        from kernel_koans.host import skip_lacking
        from kernel_koans.koan import koan


        @pytest.fixture
        def engine():
            skip_lacking("docker")


        @koan(man="x(1)", hints=["h"])
        def test_late(engine):
            """Needs what the fixture found missing."""
    ''')
    result = kk.run("--no-audit", "-rs", "koans")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*host lacks docker*"])
    assert kk.last_run()["missing"] == {"koans/m00/test_late.py::test_late": ["docker"]}

"""A kk- object that survives a koan's teardown fails the koan and is removed."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")

LEAKY = '''
from pyroute2 import netns


def make_namespace(name):
    netns.create(name)
    return name
'''

KOANS = '''
from kernel_koans.exercise import exercise
from kernel_koans.koan import koan

leaky = exercise("m00/leaky")


@koan(man="ip-netns(8)", hints=["h"], needs=["root"])
def test_a_leaks(net):
    """The learner's code makes a namespace and forgets it."""
    assert leaky.make_namespace("NAME") == "NAME"


@koan(man="ip-netns(8)", hints=["h"], needs=["root"])
def test_b_tidy(net):
    """The fixture's namespaces are removed by the fixture: no leak."""
    name = net.netns("tidy")
    assert name.startswith("kk-")
'''


def test_leaked_netns_fails_the_koan_and_is_removed(kk) -> None:
    name = f"kk-leak{os.getpid()}"
    assert not Path("/run/netns", name).exists()
    kk.manifest(m00=["test_leak.py"])
    kk.write("koans/m00/leaky.py", LEAKY)
    kk.write("solutions/m00/leaky.py", LEAKY)
    kk.write("koans/m00/test_leak.py", KOANS.replace("NAME", name))
    try:
        result = kk.run("koans")
        # the call passed, the teardown audit failed it
        result.assert_outcomes(passed=2, errors=1)
        reports = kk.reports(result)
        teardown = [r for r in reports if r.when == "teardown" and r.failed]
        assert [r.nodeid.split("::")[1] for r in teardown] == ["test_a_leaks"]
        text = str(teardown[0].longrepr)
        assert text.startswith("This koan left kernel objects behind (now removed)")
        assert f"netns: {name}" in text
        assert "try/finally" in text
        result.stdout.fnmatch_lines(["*kernel objects left behind (removed)*",
                                     f"koans/m00/test_leak.py::test_a_leaks: *{name}*"])
        assert not Path("/run/netns", name).exists(), "the audit did not remove the namespace"
        assert not any(name in line for line in Path("/proc/self/mountinfo").read_text().splitlines())
        assert kk.progress()["koans/m00/test_leak.py::test_a_leaks"]["outcome"] == "failed"
        assert kk.last_run()["koan_leaks"]["koans/m00/test_leak.py::test_a_leaks"]["netns"] == [name]
        assert kk.last_run()["session_leaks"] == {}
    finally:
        if Path("/run/netns", name).exists():  # never leave one on the host, even on failure
            from pyroute2 import netns

            netns.remove(name)


def test_no_audit_flag_turns_it_off(kk) -> None:
    name = f"kk-noaud{os.getpid()}"
    kk.manifest(m00=["test_leak.py"])
    kk.write("koans/m00/leaky.py", LEAKY)
    kk.write("koans/m00/test_leak.py", KOANS.replace("NAME", name))
    try:
        kk.run("--no-audit", "koans/m00/test_leak.py::test_a_leaks").assert_outcomes(passed=1)
        assert Path("/run/netns", name).exists()
    finally:
        from pyroute2 import netns

        if name in netns.listnetns():
            netns.remove(name)

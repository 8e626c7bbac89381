"""`koans doctor` (what the host offers, what each gap blocks) and `koans clean` (leftovers)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kernel_koans import cgroups, cli, host
from kernel_koans.runner import audit, runlock

NEEDS = '''
from kernel_koans.koan import koan


@koan(man="docker(1)", hints=["h"], needs=["docker"])
def test_needs_docker():
    pass


@koan(man="cgroups(7)", hints=["h"], needs=["cgroup:memory", "docker"])
def test_needs_memory_and_docker():
    pass


@koan(man="proc(5)", hints=["h"], needs=["root"])
def test_needs_root():
    pass
'''


@pytest.fixture
def needs(kk):
    kk.manifest(m00=["test_needs.py"])
    kk.write("koans/m00/test_needs.py", NEEDS)
    kk.run("--no-audit", "koans").assert_outcomes(passed=3)
    return kk


def _fake(**overrides) -> host.Host:
    real = cgroups.read_layout()
    values = dict(root=True, cgroup=real, docker="27.0.0", userns=True, overlay=True, seccomp=True,
                  netns=True, busybox="/bin/busybox", loop=True)
    values.update(overrides)
    return host.Host(**values)


def test_doctor_lists_the_real_hosts_facts(needs, capsys) -> None:
    capsys.readouterr()
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("kernel-koans doctor: what this host offers")
    layout = cgroups.read_layout()
    assert layout.mode in out  # unified, hybrid, legacy or none
    facts = {line[2:22].strip(): line[22:].strip() for line in out.splitlines()[1:]
             if line.startswith("  ") and not line.startswith("   ")}
    assert facts["cgroups"] == layout.describe()
    assert facts["root"] == ("yes" if os.geteuid() == 0 else "no")
    for name in ("docker", "user namespaces", "overlayfs", "network namespaces", "static busybox"):
        assert name in facts, f"doctor does not report {name}"
    if layout.mode in ("hybrid", "legacy"):
        assert "this host runs v1 controllers" in out


def test_doctor_names_what_each_gap_blocks(needs, capsys, monkeypatch) -> None:
    no_memory = cgroups.Layout("unified", Path("/sys/fs/cgroup"), ("cpu", "pids"))
    monkeypatch.setattr(host, "probe", lambda: _fake(docker=None, cgroup=no_memory))
    capsys.readouterr()
    assert cli.main(["doctor", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "docker               no engine answers" in out
    assert "Missing pieces:" in out
    assert f"  docker: blocks 2 koan(s) — fix: {host.FIXES['docker']}" in out
    assert "      koans/m00/test_needs.py::test_needs_docker" in out
    assert "… and 1 more" in out  # --limit 1
    assert f"  cgroup:memory: blocks 1 koan(s) — fix: {host.FIXES['cgroup']}" in out
    assert "      koans/m00/test_needs.py::test_needs_memory_and_docker" in out
    assert "test_needs_root" not in out


def test_doctor_on_a_capable_host(needs, capsys, monkeypatch) -> None:
    monkeypatch.setattr(host, "probe", lambda: _fake())
    capsys.readouterr()
    assert cli.main(["doctor"]) == 0
    assert "Every koan's requirements are met on this host." in capsys.readouterr().out


@pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")
def test_clean_removes_a_leftover_netns(kk, capsys, monkeypatch, tmp_path) -> None:
    from pyroute2 import netns

    # temp dirs are looked for in a private /tmp: never another session's kk- work
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    (tmp_path / "kk-leftover-dir").mkdir()
    name = f"kk-clean{os.getpid()}"
    netns.create(name)
    real_leftovers = audit.leftovers
    depth = runlock._depth
    try:
        capsys.readouterr()
        assert cli.main(["clean", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("would remove: ")
        assert name in out and "kk-leftover-dir" in out
        assert name in netns.listnetns(), "--dry-run removed something"
        assert runlock._depth == depth, "clean must release the run lock it took"

        # the real clean, limited to this test's objects (others' leftovers are not ours to judge)
        def ours(client=None):
            found = real_leftovers(client)
            return {k: [v for v in vs if name in v or "kk-leftover-dir" in v]
                    for k, vs in found.items() if k in ("netns", "tempdirs", "mounts")}

        monkeypatch.setattr(audit, "leftovers", ours)
        assert cli.main(["clean"]) == 0
        out = capsys.readouterr().out
        assert f"removed netns {name}" in out
        assert name not in netns.listnetns()
        assert not Path("/run/netns", name).exists()
        assert not (tmp_path / "kk-leftover-dir").exists()

        assert cli.main(["clean"]) == 0
        assert capsys.readouterr().out.startswith("nothing to clean")
    finally:
        if name in netns.listnetns():
            netns.remove(name)

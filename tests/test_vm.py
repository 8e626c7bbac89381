"""`koans vm` and the cgroup v2 lane: choosing a kernel, naming what is missing, selecting koans.

Booting a VM takes half a minute under software emulation; bin/test-all's lane
boots one for real. These tests cover the decisions around the boot.
"""
from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import pytest

from kernel_koans import linux
from kernel_koans.infra import vm


def _kernel(boot: Path, modules: Path, release: str, with_modules: bool = True) -> Path:
    image = boot / f"vmlinuz-{release}"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(b"")
    if with_modules:
        (modules / release).mkdir(parents=True)
    return image


def test_the_newest_kernel_with_modules_is_chosen(tmp_path: Path) -> None:
    boot, modules = tmp_path / "boot", tmp_path / "modules"
    _kernel(boot, modules, "6.1.0-9-amd64")
    newest = _kernel(boot, modules, "6.1.0-57-amd64")  # 57 > 9: numbers, not text, compare
    _kernel(boot, modules, "6.12.0-1-amd64", with_modules=False)  # no modules: cannot boot usefully
    assert vm.find_kernel(boot, modules) == newest


def test_the_running_kernel_wins_when_boot_has_it(tmp_path: Path) -> None:
    boot, modules = tmp_path / "boot", tmp_path / "modules"
    _kernel(boot, modules, "99.0.0-newest")
    running = _kernel(boot, modules, os.uname().release)
    assert vm.find_kernel(boot, modules) == running


def test_no_kernel_image_means_none(tmp_path: Path) -> None:
    assert vm.find_kernel(tmp_path / "boot", tmp_path / "modules") is None


def test_each_missing_piece_comes_with_its_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vm, "find_vng", lambda: None)
    monkeypatch.setattr(vm, "find_kernel", lambda: None)
    monkeypatch.setattr(vm.shutil, "which", lambda name: None)
    gaps = {g.what: g.fix for g in vm.missing()}
    assert "bin/setup --vm" in gaps["virtme-ng (vng)"]
    assert "qemu-system-x86" in gaps[vm.qemu_binary()]
    assert "apt-get install" in gaps["a kernel image in /boot with its modules"]
    with pytest.raises(RuntimeError, match="koans vm needs"):
        vm.prepare(kvm=False)


def test_software_emulation_is_asked_for_when_kvm_is_unusable(tmp_path: Path) -> None:
    machine = vm.Machine("vng", tmp_path / "vmlinuz-x", kvm=False)
    argv = vm._argv(machine, tmp_path, "true", "1G", 2)
    assert "--disable-kvm" in argv and argv[-2:] == ["--", "true"]
    assert ["--rwdir", str(tmp_path)] == argv[argv.index("--rwdir"):argv.index("--rwdir") + 2]
    assert "--disable-kvm" not in vm._argv(vm.Machine("vng", tmp_path, kvm=True), tmp_path, "true", "1G", 2)


def test_a_venv_path_with_spaces_is_named_before_any_boot(tmp_path: Path) -> None:
    assert vm.spaced_venv(tmp_path / ".venv") is None
    gap = vm.spaced_venv(tmp_path / "my koans" / ".venv")
    assert gap is not None and "without spaces" in gap.what and "clone" in gap.fix


def test_a_checkout_path_with_spaces_reaches_virtme_whole(tmp_path: Path) -> None:
    """vng joins its options into one string and shlex-splits it for virtme-run (virtme_ng's
    `_format_cmd`): the shared checkout must come out of that split as one path."""
    checkout = tmp_path / "my koans" / "a clone"
    argv = vm._argv(vm.Machine("vng", tmp_path / "vmlinuz-x", kvm=False), checkout, "true", "1G", 2)
    for option in ("--rwdir", "--cwd"):
        rejoined = shlex.split(f"{option} {argv[argv.index(option) + 1]}")
        assert rejoined == [option, str(checkout)], f"vng would hand virtme-run {rejoined}"


CGROUP_KOANS = '''
from kernel_koans.koan import koan


@koan(man="cgroups(7)", hints=["h"], needs=["cgroup:memory"])
def test_declares_a_controller():
    pass


@koan(man="cgroups(7)", hints=["h"], needs=["cgroup2"])
def test_declares_v2():
    pass


@koan(man="cgroups(7)", hints=["h"])
def test_uses_the_fixture(cgroup):
    pass


@koan(man="ip(8)", hints=["h"], needs=["netns"])
def test_has_nothing_to_do_with_cgroups():
    pass
'''


def test_koans_needing_cgroup_selects_by_need_or_fixture(kk) -> None:
    kk.manifest(m00=["test_cg.py"])
    kk.write("koans/m00/test_cg.py", CGROUP_KOANS)
    kk.host(root=False)  # nothing runs as root here: collection is what counts
    result = kk.run("--collect-only", "-q", "--koans-needing", "cgroup", "koans")
    result.stdout.fnmatch_lines(["*test_declares_a_controller*", "*test_declares_v2*",
                                 "*test_uses_the_fixture*", "*3/4 tests collected (1 deselected)*"])
    assert "test_has_nothing_to_do_with_cgroups" not in result.stdout.str()
    catalog = json.loads((kk.state / "catalog.json").read_text())
    assert len(catalog) == 4, "a narrower run must keep the whole journey in the catalog"


def test_koans_needing_takes_several_topics(kk) -> None:
    kk.manifest(m00=["test_cg.py"])
    kk.write("koans/m00/test_cg.py", CGROUP_KOANS)
    kk.host(root=False)
    result = kk.run("--collect-only", "-q", "--koans-needing", "cgroup,netns", "koans")
    result.stdout.fnmatch_lines(["4 tests collected*"])
    assert "deselected" not in result.stdout.str()


@pytest.mark.parametrize(("value", "factor"), [("5", 5.0), ("0.2", 1.0), ("slow", 1.0), ("", 1.0)])
def test_a_slow_host_scales_the_waits_never_below_one(monkeypatch: pytest.MonkeyPatch, value: str,
                                                       factor: float) -> None:
    from kernel_koans import child

    monkeypatch.setenv(child.SLOWNESS_ENV, value)
    assert child.slowness() == factor


def test_the_engine_is_asked_for_in_the_guest_command_line(tmp_path: Path) -> None:
    inner = vm.inner_command(["pytest", "koans/m05"], emulated=True, engine=True)
    assert "--inside --emulated --engine -- pytest koans/m05" in inner
    assert vm.parse_inside(["--inside", "--emulated", "--engine", "--", "pytest", "-x"]) == (
        ["pytest", "-x"], True, True)
    assert vm.parse_inside(["--inside", "--", "pytest"]) == (["pytest"], False, False)
    assert vm.parse_inside(["--inside", "--engin", "--", "pytest"]) is None, "an unknown flag is refused"
    assert "--engine" not in vm.inner_command(["pytest"], emulated=False, engine=False)


def _runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, object]]]:
    calls: list[tuple[list[str], dict[str, object]]] = []
    monkeypatch.setattr(vm, "run", lambda command, **kw: calls.append((command, kw)) or 0)
    return calls


def test_koans_vm_engine_and_dev_check_vm_engine_boot_with_an_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    from kernel_koans import cli

    calls = _runs(monkeypatch)
    assert cli.main(["vm", "--engine", "koans/m05", "-x"]) == 0
    assert calls[-1][1]["engine"] is True and calls[-1][0][1:] == ["koans/m05", "-x"]
    assert cli.main(["vm", "koans/m04"]) == 0
    assert calls[-1][1]["engine"] is False
    assert cli.main(["dev", "check", "--vm", "--engine", "--needing", "privileged"]) == 0
    command, kw = calls[-1]
    assert kw["engine"] is True and "--needing=privileged" in command


def test_engine_without_vm_is_refused(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from kernel_koans import cli

    calls = _runs(monkeypatch)
    assert cli.main(["dev", "check", "--engine"]) == 2
    assert not calls and "use it with --vm" in capsys.readouterr().err


def test_the_vm_engine_keeps_off_the_host_firewall_and_disk() -> None:
    from kernel_koans.infra import vm_engine
    from kernel_koans.runner import audit

    line = vm_engine.argv("/usr/sbin/dockerd")
    assert {"--iptables=false", "--ip6tables=false"} <= set(line)
    assert f"--data-root={vm_engine.DATA_ROOT}" in line, "the guest's /var/lib/docker is a fresh tmpfs"
    assert str(vm_engine.DATA_ROOT).startswith(audit.ENGINE_MOUNT_DIRS), (
        "the engine's container mounts must be ones the leak audit knows as the engine's")
    assert str(vm_engine.CONTAINERD_STATE).startswith(audit.ENGINE_MOUNT_DIRS)
    assert f"--containerd={vm_engine.CONTAINERD_SOCKET}" in line


def test_a_host_without_privileged_containers_is_pointed_at_the_vm_engine() -> None:
    from kernel_koans import host

    assert "koans vm --engine" in host.skip_reason(["privileged"])


def test_kept_under_names_a_checkout_below_tmp(tmp_path: Path) -> None:
    assert vm.kept_under(tmp_path / "a b" / "kk", tmp_path) == Path("a b/kk")
    assert vm.kept_under(Path("/srv/kk"), tmp_path) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="mount namespaces need root")
def test_a_checkout_under_tmp_stays_in_sight_of_the_private_tmp(tmp_path: Path) -> None:
    """The guest's fresh /tmp, played on this kernel in a mount namespace of a child: the
    checkout (a path with a space) reads as before, the rest of the old /tmp is hidden."""
    from kernel_koans.child import in_child

    tmp = tmp_path / "tmp"
    checkout = tmp / "a clone" / "kk"
    checkout.mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("[project]\n")
    (tmp / "kk-host-leftover").mkdir()

    def guest() -> tuple[str, bool, bool]:
        linux.unshare(linux.CLONE_NEWNS)
        linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
        vm.private_tmp(checkout, tmp)
        return ((checkout / "pyproject.toml").read_text(), (tmp / "kk-host-leftover").exists(),
                os.path.ismount(tmp))

    assert in_child(guest) == ("[project]\n", False, True)

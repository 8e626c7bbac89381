"""host: the static-ELF check behind `busybox`, and how a Host answers a koan's needs."""
from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from kernel_koans import cgroups, host

BUSYBOX: str | None = next((p for p in host.BUSYBOX_CANDIDATES if Path(p).is_file()), None)


@pytest.mark.skipif(BUSYBOX is None, reason="no busybox on this host: apt-get install busybox-static")
def test_static_busybox_is_static() -> None:
    assert BUSYBOX is not None
    assert host.is_static_elf(Path(BUSYBOX))
    assert host.find_static_busybox() is not None


def test_dynamic_binaries_are_not_static() -> None:
    for name in ("ls", "sh", "python3"):
        found = shutil.which(name)
        if found:
            assert not host.is_static_elf(Path(found).resolve()), found


def test_non_elf_and_32_bit_are_not_static(tmp_path: Path) -> None:
    script = tmp_path / "script"
    script.write_text("#!/bin/sh\necho hi\n")
    assert not host.is_static_elf(script)
    elf32 = tmp_path / "elf32"
    elf32.write_bytes(b"\x7fELF\x01\x01\x01" + b"\0" * 57)
    assert not host.is_static_elf(elf32)


def _elf64(tmp_path: Path, types: list[int]) -> Path:
    """A minimal little-endian ELF64 header and program header table with these p_types."""
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 32, 64)  # e_phoff
    struct.pack_into("<HH", header, 54, 56, len(types))  # e_phentsize, e_phnum
    table = b"".join(struct.pack("<I", t) + b"\0" * 52 for t in types)
    path = tmp_path / f"elf-{'-'.join(map(str, types))}"
    path.write_bytes(bytes(header) + table)
    return path


def test_pt_interp_decides(tmp_path: Path) -> None:
    assert host.is_static_elf(_elf64(tmp_path, [1, 1, 4]))  # LOAD, LOAD, NOTE
    assert not host.is_static_elf(_elf64(tmp_path, [6, 3, 1]))  # PHDR, INTERP, LOAD


def _host(**kw) -> host.Host:
    values = dict(root=True, cgroup=cgroups.Layout("unified", Path("/sys/fs/cgroup"), ("memory", "pids")),
                  docker=None, userns=True, overlay=False, seccomp=True, netns=True,
                  busybox="/bin/busybox", loop=False)
    values.update(kw)
    return host.Host(**values)


def test_offers_and_missing() -> None:
    h = _host()
    assert h.offers("root") and h.offers("cgroup:memory") and h.offers("cgroup2")
    assert not h.offers("cgroup:cpu") and not h.offers("docker") and not h.offers("overlay")
    assert h.missing(["root", "docker", "cgroup:cpu", "busybox", "loop"]) == ["docker", "cgroup:cpu", "loop"]
    hybrid = _host(cgroup=cgroups.Layout("hybrid", Path("/sys/fs/cgroup/unified"), (),
                                         {"memory": Path("/sys/fs/cgroup/memory")}))
    assert hybrid.offers("cgroup:memory") and not hybrid.offers("cgroup2")


def test_skip_reason_carries_each_fix() -> None:
    for need, fix in host.FIXES.items():
        asked = "cgroup:memory" if need == "cgroup" else need
        assert fix in host.skip_reason([asked]), need


def test_summary_reports_every_capability() -> None:
    summary = _host(docker="27.0.0").summary()
    assert summary["root"] == "yes" and summary["docker"] == "27.0.0"
    assert summary["overlayfs"] == "no" and summary["static busybox"] == "/bin/busybox"
    assert summary["cgroups"].startswith("cgroup v2 (unified)")
    assert _host().summary()["docker"] == "no engine answers"


def test_realtime_is_missing_under_software_emulation(monkeypatch: pytest.MonkeyPatch) -> None:
    from kernel_koans import child

    monkeypatch.setenv(child.SLOWNESS_ENV, "5")  # what koans vm sets without KVM
    assert not host.probe().offers("realtime")
    assert "not emulated" in host.skip_reason(["realtime"])
    monkeypatch.delenv(child.SLOWNESS_ENV)
    assert host.probe().offers("realtime")

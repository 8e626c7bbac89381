"""cgroups.read_layout on unified, hybrid and legacy mountinfo; own_cgroup_path on /proc/self/cgroup."""
from __future__ import annotations

from pathlib import Path

import pytest

from kernel_koans import cgroups


def _mountinfo(v2: Path | None, v1: dict[str, str], extra: str = "") -> str:
    """Lines shaped like /proc/self/mountinfo (proc(5)); `v1` maps mount dir -> super options."""
    lines = [
        "22 28 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw",
        "26 28 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=4008016k,mode=755",
        "28 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro",
    ]
    n = 40
    if v1:
        lines.append("31 23 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755")
    for mount, opts in v1.items():
        n += 1
        lines.append(f"{n} 31 0:{n} / {mount} rw,nosuid,nodev,noexec,relatime shared:{n} - cgroup cgroup {opts}")
    if v2 is not None:
        lines.append(f"35 31 0:29 / {v2} rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 "
                     "rw,nsdelegate,memory_recursiveprot")
    return "\n".join(lines) + "\n" + extra


@pytest.fixture
def v2_root(tmp_path: Path) -> Path:
    """A directory standing in for a cgroup2 mount: read_layout reads its cgroup.controllers."""
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory hugetlb pids rdma misc\n")
    return tmp_path


def test_unified(v2_root: Path) -> None:
    layout = cgroups.read_layout(_mountinfo(v2_root, {}))
    assert layout.mode == "unified"
    assert layout.v2_mount == v2_root
    assert layout.v2_controllers == ("cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc")
    assert layout.v1_mounts == {}
    assert layout.version_for("memory") == 2 and layout.version_for("blkio") is None
    assert "cgroup v2 (unified)" in layout.describe() and "memory" in layout.describe()


V1 = {
    "/sys/fs/cgroup/systemd": "rw,xattr,name=systemd",
    "/sys/fs/cgroup/cpu,cpuacct": "rw,cpu,cpuacct",
    "/sys/fs/cgroup/memory": "rw,memory",
    "/sys/fs/cgroup/pids": "rw,pids",
    "/sys/fs/cgroup/blkio": "rw,blkio",
    "/sys/fs/cgroup/net_cls,net_prio": "rw,net_cls,net_prio",
}


def test_hybrid(tmp_path: Path) -> None:
    empty_v2 = tmp_path / "unified"
    empty_v2.mkdir()
    (empty_v2 / "cgroup.controllers").write_text("\n")  # systemd's hybrid: a v2 tree without controllers
    layout = cgroups.read_layout(_mountinfo(empty_v2, V1))
    assert layout.mode == "hybrid"
    assert layout.v2_mount == empty_v2 and layout.v2_controllers == ()
    assert layout.v1_mounts == {
        "cpu": Path("/sys/fs/cgroup/cpu,cpuacct"), "cpuacct": Path("/sys/fs/cgroup/cpu,cpuacct"),
        "memory": Path("/sys/fs/cgroup/memory"), "pids": Path("/sys/fs/cgroup/pids"),
        "blkio": Path("/sys/fs/cgroup/blkio"),
        "net_cls": Path("/sys/fs/cgroup/net_cls,net_prio"), "net_prio": Path("/sys/fs/cgroup/net_cls,net_prio"),
    }
    assert "systemd" not in layout.controllers and "name=systemd" not in layout.controllers
    assert layout.version_for("memory") == 1 and layout.version_for("io") is None
    text = layout.describe()
    assert text.startswith("cgroup hybrid — v1 controllers: blkio cpu cpuacct memory")
    assert f"v2 at {empty_v2} with controllers: none" in text


def test_hybrid_with_a_v2_controller_prefers_v2(tmp_path: Path) -> None:
    (tmp_path / "cgroup.controllers").write_text("hugetlb\n")
    layout = cgroups.read_layout(_mountinfo(tmp_path, {"/sys/fs/cgroup/memory": "rw,memory"}))
    assert layout.mode == "hybrid"
    assert layout.version_for("hugetlb") == 2 and layout.version_for("memory") == 1
    assert layout.controllers == ("hugetlb", "memory")


def test_legacy() -> None:
    layout = cgroups.read_layout(_mountinfo(None, V1))
    assert layout.mode == "legacy"
    assert layout.v2_mount is None and layout.v2_controllers == ()
    assert layout.version_for("pids") == 1
    assert layout.describe().startswith("cgroup legacy — v1 controllers: ")


def test_none_and_first_mount_wins(tmp_path: Path) -> None:
    assert cgroups.read_layout(_mountinfo(None, {})).mode == "none"
    assert cgroups.read_layout(_mountinfo(None, {})).describe() == "no cgroup filesystem mounted"
    twice = _mountinfo(None, {"/a": "rw,memory"}) + \
        "99 31 0:99 / /b rw,relatime shared:99 - cgroup cgroup rw,memory\nnot a mountinfo line\n"
    assert cgroups.read_layout(twice).v1_mounts == {"memory": Path("/a")}


def test_v2_mount_without_controllers_file(tmp_path: Path) -> None:
    layout = cgroups.read_layout(_mountinfo(tmp_path / "missing", {}))
    assert layout.mode == "unified" and layout.v2_controllers == ()


def test_real_host_parses() -> None:
    layout = cgroups.read_layout()
    assert layout.mode in ("unified", "hybrid", "legacy", "none")


PROC_CGROUP_HYBRID = """\
12:rdma:/
11:cpu,cpuacct:/user.slice/run-1.scope
10:memory:/process_api/70a6
9:name=systemd:/user.slice/user-1000.slice/session-2.scope
4:pids:/user.slice/user-1000.slice
0::/user.slice/user-1000.slice/session-2.scope
"""


def test_own_cgroup_path() -> None:
    assert cgroups.own_cgroup_path("memory", PROC_CGROUP_HYBRID) == "/process_api/70a6"
    assert cgroups.own_cgroup_path("cpu", PROC_CGROUP_HYBRID) == "/user.slice/run-1.scope"
    assert cgroups.own_cgroup_path("cpuacct", PROC_CGROUP_HYBRID) == "/user.slice/run-1.scope"
    assert cgroups.own_cgroup_path("pids", PROC_CGROUP_HYBRID) == "/user.slice/user-1000.slice"
    assert cgroups.own_cgroup_path(None, PROC_CGROUP_HYBRID) == "/user.slice/user-1000.slice/session-2.scope"
    assert cgroups.own_cgroup_path("blkio", PROC_CGROUP_HYBRID) == "/"  # not mounted: the root
    assert cgroups.own_cgroup_path("systemd", PROC_CGROUP_HYBRID) == "/"  # a name=, not a controller
    assert cgroups.own_cgroup_path(None, "0::/init.scope\n") == "/init.scope"
    assert cgroups.own_cgroup_path(None, "0::/with:colon\n") == "/with:colon"


def test_koans_parent(v2_root: Path) -> None:
    unified = cgroups.read_layout(_mountinfo(v2_root, {}))
    assert cgroups.koans_parent(unified, "memory") == v2_root / cgroups.PARENT
    with pytest.raises(LookupError):
        cgroups.koans_parent(unified, "blkio")
    legacy = cgroups.read_layout(_mountinfo(None, {"/sys/fs/cgroup/memory": "rw,memory"}))
    own = cgroups.own_cgroup_path("memory").lstrip("/")
    assert cgroups.koans_parent(legacy, "memory") == Path("/sys/fs/cgroup/memory") / own / cgroups.PARENT

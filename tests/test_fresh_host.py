"""A host as fresh as a learner's: things a tool creates once per host are not a koan's leak.

`ip netns add` (and pyroute2) bind-mount /run/netns onto itself the first time a
named network namespace is made. On a fresh machine the first netns koan did
that, the leak audit blamed the koan and removed the mount, and so every netns
koan failed on every run. These tests make the host fresh again first.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kernel_koans import linux, paths
from kernel_koans.runner import audit

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")

NETNS_DIR = Path("/run/netns")


def _is_mount_point(path: Path) -> bool:
    return any(line.split()[4] == str(path) for line in Path("/proc/self/mountinfo").read_text().splitlines())


@pytest.fixture
def fresh_netns_dir() -> Iterator[None]:
    """/run/netns neither mounted nor present, as on a machine where no netns was ever named."""
    if NETNS_DIR.is_dir() and any(NETNS_DIR.iterdir()):
        pytest.skip("named network namespaces exist on this host; /run/netns cannot be made fresh")
    while _is_mount_point(NETNS_DIR):
        linux.umount2(str(NETNS_DIR), linux.MNT_DETACH)
    if NETNS_DIR.exists():
        NETNS_DIR.rmdir()
    yield


def test_the_netns_run_dir_is_host_infrastructure_not_a_leak(fresh_netns_dir: None) -> None:
    before = audit.take()
    subprocess.run(["ip", "netns", "add", "kk-fresh-probe"], check=True)
    try:
        assert _is_mount_point(NETNS_DIR), "ip netns add did not mount /run/netns (iproute2 changed?)"
        leaked = audit.take().minus(before)
        assert not any(m.split()[1] == str(NETNS_DIR) for m in leaked.get("mounts", [])), leaked
    finally:
        subprocess.run(["ip", "netns", "del", "kk-fresh-probe"], check=True)


NETNS_KOANS = ["koans/m04/test_net_namespace.py", "koans/m02/test_bridge.py"]


def test_netns_koans_pass_on_twins_on_a_fresh_host_with_no_leak(fresh_netns_dir: None, tmp_path: Path) -> None:
    """The real netns koans, against the twins, as a fresh host runs them."""
    env = dict(os.environ, KERNEL_KOANS_STATE=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "pytest", *NETNS_KOANS, "--solutions", "-q",
                           "-p", "no:cacheprovider", f"--html={tmp_path / 'r.html'}"],
                          cwd=paths.repo_root(), env=env, capture_output=True, text=True, timeout=600)
    last = json.loads((tmp_path / "last-run.json").read_text())
    assert last["outcomes"], done.stdout[-2000:]
    failed = {k: v for k, v in last["outcomes"].items() if v != "passed"}
    assert not failed, f"{failed}\n{done.stdout[-3000:]}"
    assert not last["koan_leaks"] and not last["session_leaks"], (last["koan_leaks"], last["session_leaks"])

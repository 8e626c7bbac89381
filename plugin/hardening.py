"""Attacking a container from inside, and reading its init's security state from the host.

The attack tool (attack/attack.go) is one static binary, so the same attempts run in a
Python image and in a FROM-scratch one: the koan mounts it read-only into the container
(`volume`) and execs it there, so it runs with that container's user, capabilities,
seccomp filter and no_new_privs, exactly as the service's own process does.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).resolve().parent / "attack" / "attack.go"
MOUNT = "/kk-attack"
"""Where the tool's directory appears inside the attacked container."""


def build_attack_tool(dest: Path) -> Path:
    """Compile attack.go into dest/attack (static, offline); the directory is made world-readable."""
    out = dest / "attack"
    env = {**os.environ, "CGO_ENABLED": "0", "GOPROXY": "off", "GO111MODULE": "off",
           "GOFLAGS": ""}
    subprocess.run(["go", "build", "-trimpath", "-ldflags=-s -w", "-o", str(out), str(SOURCE)],
                   env=env, check=True, capture_output=True, timeout=180)
    dest.chmod(0o755)
    return out


def have_go() -> bool:
    return shutil.which("go") is not None


def volume(tool: Path) -> dict[str, dict[str, str]]:
    """The SDK `volumes=` entry that shows the tool's directory read-only at MOUNT."""
    return {str(tool.parent): {"bind": MOUNT, "mode": "ro"}}


def attack(container: Any) -> dict[str, str]:
    """Run the tool inside `container` (as its own user): attempt -> "ok" or an errno name.

    Keys: write_root, raw_socket, mount, ptrace, setuid_root; and from its own
    /proc/self/status: uid, no_new_privs, seccomp, cap_bnd, cap_eff."""
    code, out = container.exec_run([f"{MOUNT}/attack"])
    text = out.decode(errors="replace").strip()
    try:
        return dict(json.loads(text.splitlines()[-1]))
    except (ValueError, IndexError) as err:
        raise AssertionError(f"the attack tool did not run in the container (exit {code}): "
                             f"{text[-400:]}") from err


def init_status(container: Any) -> dict[str, str]:
    """The container init's /proc/<pid>/status, read on the host (name -> value)."""
    container.reload()
    pid = int(container.attrs["State"]["Pid"])
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return fields


def cgroup_dir(pid: int, controller: str) -> Path:
    """The exact cgroup directory of `pid` for `controller` (v1 hierarchy, or v2's unified one)."""
    v2 = None
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return _mount_of(controller) / path.lstrip("/")
        if controllers == "":
            v2 = path
    if v2 is None:
        raise FileNotFoundError(f"pid {pid} is in no {controller} cgroup")
    return _mount_of(None) / v2.lstrip("/")


def _mount_of(controller: str | None) -> Path:
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        pre, _, post = line.partition(" - ")
        fstype, _, options = post.split()[:3]
        if controller is None and fstype == "cgroup2":
            return Path(pre.split()[4])
        if controller is not None and fstype == "cgroup" and controller in options.split(","):
            return Path(pre.split()[4])
    raise FileNotFoundError(f"no {controller or 'cgroup2'} hierarchy is mounted")

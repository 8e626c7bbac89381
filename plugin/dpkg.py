"""dpkg as an oracle and its status database as a fixture: what the package-scanning koans
(M0's database, M5's scanner, M10's CI gate) check the learner's code against, and a way
to run the learner's code where that oracle is out of its reach.

Version order is dpkg's own (`dpkg --compare-versions`), never re-implemented here: an
oracle the koan computes the learner's way would share the learner's mistakes.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from kernel_koans import linux
from kernel_koans.child import in_child

T = TypeVar("T")
ADMINDIR = "/var/lib/dpkg"
TOOLS = ("dpkg", "dpkg-query")


@functools.lru_cache(maxsize=4096)  # two dpkg processes a comparison; koans ask the same pairs again
def order(a: str, b: str) -> int:
    """-1, 0 or 1 as dpkg orders version a against version b."""
    def holds(op: str) -> bool:
        return subprocess.run(["dpkg", "--compare-versions", a, op, b], capture_output=True).returncode == 0
    return -1 if holds("lt") else 0 if holds("eq") else 1


def status_file(installed: Mapping[str, str], config_only: Mapping[str, str] | None = None) -> str:
    """A /var/lib/dpkg/status with `installed` ({package: version}) installed and
    `config_only` removed but for their configuration files (not installed any more)."""
    stanzas = [f"Package: {name}\nStatus: install ok installed\nPriority: optional\n"
               f"Architecture: amd64\nVersion: {version}\nDescription: {name}\n that is it\n"
               for name, version in installed.items()]
    stanzas += [f"Package: {name}\nStatus: deinstall ok config-files\nArchitecture: amd64\n"
                f"Version: {version}\n" for name, version in (config_only or {}).items()]
    return "\n".join(stanzas)


def without_tools(fn: Callable[..., T], *args: Any, status: str | None = None, timeout: float = 60) -> T:
    """fn(*args) where dpkg and dpkg-query cannot be executed, so the learner's code cannot
    ask the koan's own oracle: in a child, in a private mount namespace with /dev/null bound
    over each tool (and the status file replaced by `status`, when given). As root only; a
    run without root calls fn directly (its koans skip on the needs that require root)."""
    if os.geteuid() != 0:
        return fn(*args)
    return in_child(_hidden, status, fn, *args, timeout=timeout)


def _hidden(status: str | None, fn: Callable[..., T], *args: Any) -> T:
    linux.unshare(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    if status is not None:
        linux.mount(status, f"{ADMINDIR}/status", None, linux.MS_BIND)
    for tool in TOOLS:
        for found in {os.path.realpath(p) for d in ("/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin")
                      if (p := shutil.which(tool, path=d))}:
            linux.mount("/dev/null", found, None, linux.MS_BIND)
    return fn(*args)

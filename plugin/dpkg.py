"""dpkg as an oracle and its status database as a fixture: what the package-scanning koans
(M5's scanner, M10's CI gate) check the learner's code against.

Version order is dpkg's own (`dpkg --compare-versions`), never re-implemented here: an
oracle the koan computes the learner's way would share the learner's mistakes.
"""
from __future__ import annotations

import functools
import subprocess
from collections.abc import Mapping


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

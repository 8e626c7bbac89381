"""config.json: the runtime spec's description of one container (yours to write).

Both modes of mini-run end up here: the OCI CLI reads a bundle's config.json; quick mode
writes the same dict from its flags. One path from config to container keeps them honest.
"""
from __future__ import annotations

import json  # noqa: F401
from pathlib import Path
from typing import Any

OCI_VERSION = "1.0.2"
NAMESPACE_TYPES = ("pid", "network", "ipc", "uts", "mount", "user", "cgroup")
PERIOD = 100_000
"""CFS period in microseconds: --cpus 0.5 is a quota of half of it."""


class ConfigError(Exception):
    """The bundle or the flags describe no container this runtime can make."""


def parse_size(text: str) -> int:
    """'64M' -> 67108864: a byte count with an optional k/m/g suffix (powers of 1024)."""
    raise NotImplementedError('should turn a size like 64M into bytes')


def cpu_quota(cpus: str) -> int:
    """'0.5' -> 50000: the CFS quota per PERIOD that gives that many CPUs."""
    raise NotImplementedError('should turn a CPU count like 0.5 into a CFS quota per PERIOD')


def default_spec(rootfs: str = "rootfs", args: list[str] | None = None) -> dict[str, Any]:
    """What `mini-run spec` writes: a runnable config like `runc spec`'s."""
    raise NotImplementedError('should return the config.json that `spec` writes')


def quick_config(rootfs: str, args: list[str], *, hostname: str | None, memory: str | None,
                 cpus: str | None) -> dict[str, Any]:
    """Quick mode's flags as a config: new pid, mount, uts, ipc and network namespaces,
    /proc mounted, the limits as linux.resources."""
    raise NotImplementedError("should describe quick mode's container (namespaces, /proc, limits) as a config")


def load(bundle: Path) -> dict[str, Any]:
    """The bundle's config.json, its root.path made absolute (relative to the bundle), checked."""
    raise NotImplementedError("should read and check a bundle's config.json")


def validate(config: dict[str, Any]) -> None:
    """Refuse what runc refuses, before anything is made."""
    raise NotImplementedError('should refuse a config that describes no container this runtime can make')

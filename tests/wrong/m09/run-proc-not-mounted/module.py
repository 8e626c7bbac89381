"""config.json: the runtime spec's description of one container (reference).

Both modes of mini-run end up here: the OCI CLI reads a bundle's config.json; quick mode
writes the same dict from its flags. One path from config to container keeps them honest.
"""
from __future__ import annotations

import json
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
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    raw = text.strip().lower().removesuffix("b")
    factor = units.get(raw[-1:], 1)
    digits = raw[:-1] if raw[-1:] in units else raw
    if not digits.isdigit() or int(digits) <= 0:
        raise ConfigError(f"--memory wants a size like 64M, not {text!r}")
    return int(digits) * factor


def cpu_quota(cpus: str) -> int:
    """'0.5' -> 50000: the CFS quota per PERIOD that gives that many CPUs."""
    try:
        value = float(cpus)
    except ValueError:
        raise ConfigError(f"--cpus wants a number like 0.5, not {cpus!r}") from None
    if value <= 0:
        raise ConfigError(f"--cpus must be more than 0, not {cpus}")
    return max(1000, round(value * PERIOD))


def default_spec(rootfs: str = "rootfs", args: list[str] | None = None) -> dict[str, Any]:
    """What `mini-run spec` writes: a runnable config like `runc spec`'s."""
    return {
        "ociVersion": OCI_VERSION,
        "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": args or ["sh"],
                    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                            "TERM=xterm"],
                    "cwd": "/", "noNewPrivileges": True,
                    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]},
        "root": {"path": rootfs, "readonly": True},
        "hostname": "mini-run",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
        ],
        "linux": {"namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
                  "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
                  "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                    "/proc/sysrq-trigger"]},
    }


def quick_config(rootfs: str, args: list[str], *, hostname: str | None, memory: str | None,
                 cpus: str | None) -> dict[str, Any]:
    """Quick mode's flags as a config: new pid, mount, uts, ipc and network namespaces,
    /proc mounted, the limits as linux.resources."""
    resources: dict[str, Any] = {}
    if memory:
        resources["memory"] = {"limit": parse_size(memory)}
    if cpus:
        resources["cpu"] = {"quota": cpu_quota(cpus), "period": PERIOD}
    config = default_spec(str(Path(rootfs).resolve()), args)
    config["root"]["readonly"] = False
    config["hostname"] = hostname or "mini-run"
    config["mounts"] = []
    config["linux"] = {"namespaces": [{"type": t} for t in ("pid", "mount", "uts", "ipc", "network")],
                       "resources": resources}
    config["process"]["noNewPrivileges"] = False
    config["process"].pop("rlimits")
    return config


def load(bundle: Path) -> dict[str, Any]:
    """The bundle's config.json, its root.path made absolute (relative to the bundle), checked."""
    try:
        config = json.loads((bundle / "config.json").read_text())
    except FileNotFoundError:
        raise ConfigError(f"no config.json in the bundle {bundle}") from None
    except json.JSONDecodeError as err:
        raise ConfigError(f"config.json is not JSON: {err}") from None
    root = Path(config.get("root", {}).get("path", ""))
    config.setdefault("root", {})["path"] = str(root if root.is_absolute() else (bundle / root).resolve())
    validate(config)
    return config


def validate(config: dict[str, Any]) -> None:
    """Refuse what runc refuses, before anything is made."""
    process = config.get("process")
    if not isinstance(process, dict):
        raise ConfigError("config.json has no process")
    if not process.get("args"):
        raise ConfigError("process.args must not be empty")
    if not str(process.get("cwd", "")).startswith("/"):
        raise ConfigError(f"process.cwd must be an absolute path, not {process.get('cwd')!r}")
    if process.get("terminal"):
        raise ConfigError("process.terminal is true: mini-run gives no terminal")
    root = Path(config["root"]["path"])
    if not root.is_dir():
        raise ConfigError(f"root.path {root} is not a directory")
    kinds = set()
    for entry in config.get("linux", {}).get("namespaces", []):
        kind = entry.get("type")
        if kind not in NAMESPACE_TYPES:
            raise ConfigError(f"namespace type {kind!r} is not one of {', '.join(NAMESPACE_TYPES)}")
        if kind in kinds:
            raise ConfigError(f"namespace {kind} is listed twice")
        if kind == "user":
            raise ConfigError("user namespaces are not supported by mini-run")
        kinds.add(kind)
    if config.get("hostname") and "uts" not in kinds:
        raise ConfigError("a hostname needs a new uts namespace (linux.namespaces has none)")

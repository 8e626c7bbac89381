"""Run a CNI plugin the way a container runtime does, to observe a learner's plugin
independently of the learner's own caller (the koans' oracle for the protocol).

The CNI spec (SPEC.md of containernetworking/cni): a plugin is an executable; the
operation and its target come in CNI_* environment variables, the network
configuration as JSON on stdin; the result or an error comes back as JSON on stdout.
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernel_koans.child import DEFAULT_TIMEOUT
from kernel_koans.host import CNI_PLUGIN_DIR

__all__ = ["CNI_PLUGIN_DIR", "Invocation", "invoke", "python_plugin"]


@dataclass
class Invocation:
    """What a plugin answered: exit status, stdout (parsed when it is JSON), stderr."""

    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.stdout)
        except ValueError:
            return None


def invoke(plugin: Path, command: str, config: dict[str, Any] | None = None, *,
           container_id: str = "", netns: str = "", ifname: str = "",
           path: list[str] | None = None) -> Invocation:
    """Execute `plugin` once with CNI_COMMAND=`command`, `config` as JSON on stdin."""
    env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
           "CNI_COMMAND": command, "CNI_CONTAINERID": container_id, "CNI_NETNS": netns,
           "CNI_IFNAME": ifname, "CNI_PATH": os.pathsep.join(path or [str(plugin.parent), CNI_PLUGIN_DIR])}
    proc = subprocess.run([str(plugin)], input=json.dumps(config or {}), env=env, text=True,
                          capture_output=True, timeout=DEFAULT_TIMEOUT)
    return Invocation(proc.returncode, proc.stdout, proc.stderr)


def python_plugin(module: Path, directory: Path, name: str) -> Path:
    """An executable `directory/name` that runs the Python file `module` as a CNI plugin
    (a runtime finds plugins as executables named by the config's "type")."""
    directory.mkdir(parents=True, exist_ok=True)
    exe = directory / name
    exe.write_text(f"#!/bin/sh\nexec {sys.executable} {module} \"$@\"\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return exe

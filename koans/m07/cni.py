"""A CNI caller: what a container runtime (containerd's CRI plugin, cri-o) does to give a
pod its network.

Read the CNI spec (https://www.cni.dev/docs/spec/): "Section 3: Execution Protocol" and
"Section 5: Result Types". A plugin is an executable found by the config's "type" in
the plugin directories; the operation goes in CNI_* environment variables, the network
config as JSON on stdin; a result or an error comes back as JSON on stdout.
"""
from __future__ import annotations

import json  # noqa: F401
import os  # noqa: F401
import subprocess  # noqa: F401
from typing import Any


class CNIError(Exception):
    """A plugin failed: the spec's error code and message (from its error JSON)."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(f"CNI error {code}: {msg}")
        self.code = code
        self.msg = msg


def add(config: dict[str, Any], container_id: str, netns: str, ifname: str,
        plugin_dirs: list[str]) -> dict[str, Any]:
    """ADD the container whose network namespace is the file `netns` to the network `config`,
    as interface `ifname`; return the plugin's result, parsed. A failure raises CNIError."""
    raise NotImplementedError("should run the config's plugin with CNI_COMMAND=ADD and return its result")


def check(config: dict[str, Any], container_id: str, netns: str, ifname: str,
          plugin_dirs: list[str], prev_result: dict[str, Any]) -> None:
    """CHECK that the container's network is still what ADD made (`prev_result`);
    CNIError when the plugin says it is not."""
    raise NotImplementedError("should run the config's plugin with CNI_COMMAND=CHECK")


def delete(config: dict[str, Any], container_id: str, netns: str, ifname: str,
           plugin_dirs: list[str]) -> None:
    """DEL the container from the network, releasing what ADD took (its address)."""
    raise NotImplementedError("should run the config's plugin with CNI_COMMAND=DEL")


def pod_ip(result: dict[str, Any], ifname: str, netns: str) -> str:
    """The address (CIDR form, "10.1.2.3/24") that `result` gives the interface `ifname`
    inside the sandbox `netns`: what the kubelet reports as the pod's IP."""
    raise NotImplementedError("should find the sandbox interface's address in a CNI result")

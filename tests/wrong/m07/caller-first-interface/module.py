"""A CNI caller, as a container runtime runs plugins (reference)."""
from __future__ import annotations

import json
import os
import subprocess
from typing import Any


class CNIError(Exception):
    """A plugin failed: the spec's error code and message (from its error JSON)."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(f"CNI error {code}: {msg}")
        self.code = code
        self.msg = msg


def _run(command: str, config: dict[str, Any], container_id: str, netns: str, ifname: str,
         plugin_dirs: list[str]) -> dict[str, Any] | None:
    # The plugin is the executable named by "type", searched in CNI_PATH's order.
    plugin = next((os.path.join(d, config["type"]) for d in plugin_dirs
                   if os.access(os.path.join(d, config["type"]), os.X_OK)), None)
    if plugin is None:
        raise CNIError(5, f"no plugin {config['type']!r} in {plugin_dirs}")
    env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
           "CNI_COMMAND": command, "CNI_CONTAINERID": container_id, "CNI_NETNS": netns,
           "CNI_IFNAME": ifname,
           # CNI_PATH: where this plugin finds the plugins it delegates to (bridge -> host-local).
           "CNI_PATH": os.pathsep.join(plugin_dirs)}
    proc = subprocess.run([plugin], input=json.dumps(config), env=env, text=True,
                          capture_output=True, timeout=30)
    answer = json.loads(proc.stdout) if proc.stdout.strip() else None
    if proc.returncode != 0:
        # The spec: a failing plugin prints {"cniVersion", "code", "msg", "details"} on stdout.
        if isinstance(answer, dict) and "code" in answer:
            raise CNIError(int(answer["code"]), str(answer.get("msg", "")))
        raise CNIError(999, proc.stderr.strip() or f"plugin exited {proc.returncode}")
    return answer if isinstance(answer, dict) else None


def add(config: dict[str, Any], container_id: str, netns: str, ifname: str,
        plugin_dirs: list[str]) -> dict[str, Any]:
    """ADD the container to the network; the plugin's result, parsed."""
    result = _run("ADD", config, container_id, netns, ifname, plugin_dirs)
    if result is None:
        raise CNIError(999, "ADD gave no result")
    return result


def check(config: dict[str, Any], container_id: str, netns: str, ifname: str,
          plugin_dirs: list[str], prev_result: dict[str, Any]) -> None:
    """CHECK the container's network against what ADD made."""
    # CHECK (and DEL) get ADD's result inside the config, as "prevResult".
    _run("CHECK", {**config, "prevResult": prev_result}, container_id, netns, ifname, plugin_dirs)


def delete(config: dict[str, Any], container_id: str, netns: str, ifname: str,
           plugin_dirs: list[str]) -> None:
    """DEL the container from the network."""
    _run("DEL", config, container_id, netns, ifname, plugin_dirs)


def pod_ip(result: dict[str, Any], ifname: str, netns: str) -> str:
    """The address the result gives interface `ifname` inside `netns`."""
    # ips[].interface is an index into interfaces[]; the sandbox's own interface is the one
    # whose "sandbox" is the netns (a bridge plugin also lists the bridge and the host veth).
    interfaces = result.get("interfaces", [])
    for ip in result.get("ips", []):
        index = 0
        if index is None or not 0 <= index < len(interfaces):
            continue
        iface = interfaces[index]
        if iface.get("name") == ifname and iface.get("sandbox") == netns:
            return str(ip["address"])
    raise CNIError(999, f"the result gives {ifname} in {netns} no address")

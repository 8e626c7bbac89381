"""A CNI plugin of your own: a veth pair into the sandbox, with a fixed address (reference)."""
from __future__ import annotations

import hashlib
import json
import os
import sys
from typing import Any

from pyroute2 import IPRoute

from kernel_koans import linux

SUPPORTED = ["0.4.0", "1.0.0"]
"""The CNI spec versions this plugin speaks."""


class PluginError(Exception):
    """An error the spec defines: code (1-99 are the spec's), message."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


def open_netns(netns: str) -> int:
    try:
        return os.open(netns, os.O_RDONLY)
    except OSError as err:
        raise PluginError(3, f"cannot open netns {netns}: {err}") from err  # 3: unknown container


def host_end(container_id: str, ifname: str) -> str:
    """The host end's name: derived from what DEL gets too, within IFNAMSIZ, kk- like every koan object."""
    return "kk-" + hashlib.sha256(f"{container_id}/{ifname}".encode()).hexdigest()[:8]


def add(config: dict[str, Any], container_id: str, netns: str, ifname: str) -> dict[str, Any]:
    address = config.get("address")
    if not isinstance(address, str) or "/" not in address:
        raise PluginError(7, "the network config needs an \"address\" such as 10.1.2.3/24")  # 7: invalid config
    ip, prefix = address.split("/")
    ifname = "eth0"
    host, temporary = host_end(container_id, ifname), host_end(container_id, ifname + "/new")
    fd = open_netns(netns)
    try:
        with IPRoute() as ipr:
            # Make the pair on the host (a temporary name: `ifname` may exist here), then move one
            # end into the sandbox.
            ipr.link("add", ifname=host, kind="veth", peer=temporary)
            ipr.link("set", index=ipr.link_lookup(ifname=temporary)[0], net_ns_fd=fd)
            ipr.link("set", index=ipr.link_lookup(ifname=host)[0], state="up")
            host_mac = ipr.get_links(ifname=host)[0].get_attr("IFLA_ADDRESS")
        linux.setns(fd, linux.CLONE_NEWNET)  # the rest happens inside the sandbox
    finally:
        os.close(fd)
    with IPRoute() as ipr:
        index = ipr.link_lookup(ifname=temporary)[0]
        ipr.link("set", index=index, ifname=ifname)
        ipr.addr("add", index=index, address=ip, prefixlen=int(prefix))
        ipr.link("set", index=index, state="up")
        mac = ipr.get_links(index)[0].get_attr("IFLA_ADDRESS")
    # The result: every interface made (the sandbox's carries "sandbox": the netns path) and
    # every address given, pointing at its interface by index.
    result: dict[str, Any] = {
        "cniVersion": config["cniVersion"],
        "interfaces": [{"name": host, "mac": host_mac}, {"name": ifname, "mac": mac, "sandbox": netns}],
        "ips": [{"address": address, "interface": 1}],
    }
    if config["cniVersion"].startswith("0."):
        result["ips"][0]["version"] = "4"  # 0.3.x/0.4.0 results name the IP version
    return result


def delete(netns: str, ifname: str) -> None:
    # DEL must succeed when there is nothing (left) to delete: the runtime retries it, and
    # calls it after failed ADDs and for namespaces already gone.
    try:
        fd = open_netns(netns)
    except PluginError:
        return
    try:
        linux.setns(fd, linux.CLONE_NEWNET)
    finally:
        os.close(fd)
    with IPRoute() as ipr:
        found = ipr.link_lookup(ifname=ifname)
        if found:
            ipr.link("del", index=found[0])  # its peer on the host goes with it


def main() -> int:
    """Do what CNI_COMMAND says with the config on stdin; print the answer; the exit status."""
    command = os.environ.get("CNI_COMMAND", "")
    version = "1.0.0"
    try:
        if command == "VERSION":
            print(json.dumps({"cniVersion": "1.0.0", "supportedVersions": SUPPORTED}))
            return 0
        try:
            config = json.loads(sys.stdin.read())
        except ValueError as err:
            raise PluginError(6, f"cannot decode the network config: {err}") from err  # 6: decoding
        version = str(config.get("cniVersion", version))
        if version not in SUPPORTED:
            raise PluginError(1, f"cniVersion {version} is not one of {SUPPORTED}")  # 1: version
        netns, ifname = os.environ.get("CNI_NETNS", ""), os.environ.get("CNI_IFNAME", "")
        if command == "ADD":
            if not netns or not ifname:
                raise PluginError(4, "ADD needs CNI_NETNS and CNI_IFNAME")  # 4: env missing
            print(json.dumps(add(config, os.environ.get("CNI_CONTAINERID", ""), netns, ifname)))
        elif command == "DEL":
            if netns and ifname:
                delete(netns, ifname)
        elif command == "CHECK":
            pass
        else:
            raise PluginError(4, f"unknown CNI_COMMAND {command!r}")
        return 0
    except PluginError as err:
        print(json.dumps({"cniVersion": version, "code": err.code, "msg": err.msg}))
        return 1


if __name__ == "__main__":
    sys.exit(main())

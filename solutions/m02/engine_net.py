"""The same wiring, done by the Docker engine through the docker SDK.

A user-defined network is a Linux bridge plus the engine's bookkeeping (IPAM,
an embedded DNS server, isolation rules); `docker run --network` is a veth pair
with one end in the container's namespace.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any


def create_network(client: Any, name: str, labels: dict[str, str]) -> Any:
    """A user-defined bridge network called `name` whose Linux bridge is also called `name`."""
    return client.networks.create(
        name, driver="bridge", labels=labels,
        # Without this option the engine names the bridge br-<network id[:12]>.
        options={"com.docker.network.bridge.name": name},
    )


def run_on_network(client: Any, image: str, name: str, network: str,
                   labels: dict[str, str]) -> Any:
    """A detached container `name` on `network` that just waits (sleep), for the koan to exec into."""
    return client.containers.run(image, ["sleep", "120"], name=name, network=network,
                                 labels=labels, detach=True)


def isolate_network(bridge: str) -> None:
    """Stop the host from routing packets that arrive on `bridge` to any other interface.

    Docker does this with iptables (the DOCKER-ISOLATION chains); the kernel's own
    per-interface switch is net.ipv4.conf.<if>.forwarding. Frames bridged between
    the bridge's own ports never reach the IP layer, so they still pass.
    """
    Path(f"/proc/sys/net/ipv4/conf/{bridge}/forwarding").write_text("0\n")


def join_with_alias(network: Any, container: Any, alias: str) -> None:
    """Attach `container` to `network` under the extra DNS name `alias`."""
    network.connect(container, aliases=[alias])

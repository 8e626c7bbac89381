"""The same wiring, done by the Docker engine through the docker SDK.

A user-defined network is a Linux bridge plus the engine's bookkeeping (IPAM,
an embedded DNS server, isolation rules); `docker run --network` is a veth pair
with one end in the container's namespace. Every object you create must carry
the `labels` the koan passes (that is how it is found and removed afterwards).
"""
from __future__ import annotations

from typing import Any


def create_network(client: Any, name: str, labels: dict[str, str]) -> Any:
    """A user-defined bridge network called `name` whose Linux bridge is also called `name`.

    `client.networks.create(name, driver="bridge", labels=..., options={...})`. The
    engine names the bridge br-<id> unless the option
    "com.docker.network.bridge.name" says otherwise: set it to `name`.
    """
    raise NotImplementedError("should create a bridge network whose Linux bridge is called `name`")


def run_on_network(client: Any, image: str, name: str, network: str,
                   labels: dict[str, str]) -> Any:
    """Start a detached container `name` from `image` on `network`, running `sleep 120`.

    `client.containers.run(image, [...], name=..., network=..., labels=..., detach=True)`.
    """
    raise NotImplementedError("should start the container `name` on `network`")


def isolate_network(bridge: str) -> None:
    """Stop the host from routing packets that arrive on `bridge` to other interfaces.

    Docker keeps networks apart with iptables rules (DOCKER-ISOLATION chains). The
    kernel has a per-interface switch for the same effect: write 0 to
    /proc/sys/net/ipv4/conf/<bridge>/forwarding.
    """
    raise NotImplementedError("should stop the host from routing packets that arrive on `bridge`")


def join_with_alias(network: Any, container: Any, alias: str) -> None:
    """Attach the (created, not yet started) `container` to `network` under the DNS name `alias`.

    `network.connect(container, aliases=[...])`.
    """
    raise NotImplementedError("should attach the container to the network under the name `alias`")

"""mini-run's network (`--net bridge`): a veth pair from a kk- bridge into the container.

The container's network namespace starts with a lone loopback, down. Wire it to the
host: a bridge holding the subnet's gateway address, a veth pair whose host end is a
port of the bridge and whose other end becomes the container's eth0.
"""
from __future__ import annotations


def attach(pid: int, container_id: str, *, bridge: str, address: str) -> None:
    """Give pid's network namespace an eth0 with `address` (CIDR, e.g. 10.1.2.3/24), lo up
    and a default route through the subnet's first address, which sits on `bridge`
    (created if missing). The host end of the pair is named kk-… (15 bytes at most),
    derived from `container_id`, so that `detach` finds it again."""
    raise NotImplementedError("should wire pid's network namespace to the bridge: eth0 with "
                              "the address, lo up, a default route through the gateway")


def detach(container_id: str, *, bridge: str) -> None:
    """Undo `attach` for this container: its host-side link goes; the bridge goes once no
    container uses it. Calling it twice is not an error."""
    raise NotImplementedError("should remove the container's host-side link, and the bridge "
                              "once no container uses it")

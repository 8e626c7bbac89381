"""Reference twin: cap the rate of one direction of a veth with a token bucket (tbf).

A qdisc shapes what LEAVES an interface (its egress). Traffic from one namespace to the
other leaves through the sender's end of the pair, so that is where the bucket goes; the
receiver's end only sends the ACKs back. `tc qdisc add dev IF root tbf rate … burst …
latency …` is the same request through iproute2.
"""
from __future__ import annotations

from pyroute2 import NetNS

BURST_BYTES = 32 * 1024
"""The bucket: how many bytes may leave at line speed after a pause. It must hold at least
one full frame (MTU + 14 bytes of Ethernet header), or such frames never leave at all."""


def cap_rate(from_ns: str, from_if: str, to_ns: str, to_if: str, rate_bit: int) -> None:
    """Cap what flows from `from_ns` to `to_ns` at `rate_bit` bits per second.

    The two namespaces are joined by one veth pair: `from_if` is its end in `from_ns`,
    `to_if` its end in `to_ns`. Traffic the other way stays unlimited."""
    with NetNS(from_ns) as ns:
        index = ns.link_lookup(ifname=from_if)[0]
        # pyroute2 reads a bare int rate as BYTES per second; the "bit" suffix says bits,
        # like tc's own "rate 8mbit". latency bounds the queue: limit = rate × latency + burst.
        ns.tc("add", "tbf", index=index, rate=rate_bit, burst=BURST_BYTES, latency="50ms")

"""M6 · Network bandwidth: a token bucket (tbf) caps how fast a link sends.

The koan joins two namespaces with one veth pair and hands you both ends."""
from __future__ import annotations


def cap_rate(from_ns: str, from_if: str, to_ns: str, to_if: str, rate_bit: int) -> None:
    """Cap what flows from `from_ns` to `to_ns` at `rate_bit` bits per second.

    The two namespaces are joined by one veth pair: `from_if` is its end in `from_ns`,
    `to_if` its end in `to_ns`. Traffic the other way stays unlimited."""
    raise NotImplementedError("should cap the rate of the traffic from one namespace to the other")

"""M6 · Network bandwidth: a token bucket caps what TCP gets across a veth.

Measured twice: TCP goodput between two kk- namespaces (what an application sees) and the
qdisc the kernel holds on each end (netlink), never from your code's opinion."""
from __future__ import annotations

import random

import pytest

from kernel_koans import exercise, koan
from kernel_koans.throughput import frame_bytes, root_qdisc, tcp_goodput, wired_pair

shaping = exercise("m06/shaping")

SECONDS = 2.0
"""How long the transfer takes at the cap; the koan gives it three times that, plus 2 s."""


@koan(man="tc-tbf(8), tc(8)",
      hints=["A qdisc decides when the packets LEAVING an interface go out. From which end of the "
             "pair do the bytes leave?",
             "A tbf at the root of the sender's end: `tc qdisc add dev IF root tbf rate 20mbit burst "
             "32kb latency 50ms`; with pyroute2, NetNS(ns).tc('add', 'tbf', index=…, rate=…, burst=…, "
             "latency='50ms'). Mind the units: a bare int rate is BYTES per second to pyroute2 "
             "('…bit' says bits), and the burst must hold one full frame."],
      needs=["root", "netns"])
@pytest.mark.timeout(60)
def test_a_token_bucket_caps_what_tcp_gets_across(net):
    """`tc qdisc … tbf` is how a link's bandwidth is capped (Docker has no flag for it; CNI's
    bandwidth plugin does this). Tokens drip in at the rate; a packet leaves when it has enough.

    Two readings: the rate the kernel holds in the sender's tbf (within 1 % of the cap), and
    what TCP got across (0.5–1.05× the cap). The first says which rate was set; the second
    that the bucket really shapes the data's way. Goodput is never above the cap (the first
    quarter of the transfer, the bucket's head start, is not timed) and may fall well below it:
    a drop at a full bucket costs TCP a retransmit timeout, which a loaded host stretches.
    Every plausible mistake is far outside: a rate in bytes where bits were meant is 8× off,
    a bucket on the wrong end does not shape at all, one too small for a frame sends nothing."""
    pair = wired_pair(net)
    rate = random.randrange(8, 41) * 1_000_000
    shaping.cap_rate(pair.sender_ns, pair.sender_if, pair.receiver_ns, pair.receiver_if, rate)
    sending = root_qdisc(pair.sender_ns, pair.sender_if)
    receiving = root_qdisc(pair.receiver_ns, pair.receiver_if)
    held = f"the kernel holds {sending} on the sender's end, {receiving} on the receiver's"
    got = tcp_goodput(pair, nbytes=int(rate / 8 * SECONDS), seconds=3 * SECONDS + 2)
    assert 0.5 * rate <= got.bits_per_second <= 1.05 * rate, (
        f"capped at {rate / 1e6:g} Mbit/s, TCP carried {got.bits_per_second / 1e6:.1f} Mbit/s from "
        f"{pair.sender_ns} to {pair.receiver_ns} ({got.received} bytes, timed over {got.seconds:.2f} s); "
        f"{held}")
    assert sending is not None and sending.kind == "tbf", (
        f"no token bucket at the root of the sender's end ({held}): what else shaped it?")
    assert sending.rate_bit is not None and abs(sending.rate_bit - rate) <= rate // 100, (
        f"the sender's tbf holds a rate of {sending.rate_bit} bit/s, not {rate}")
    frame = frame_bytes(pair.sender_ns, pair.sender_if)
    assert sending.burst_bytes is not None and sending.burst_bytes >= frame, (
        f"the bucket holds {sending.burst_bytes} bytes: a full {frame}-byte frame never fits, so tbf "
        "drops every one")
    assert receiving is None or receiving.kind != "tbf", (
        f"the receiver's end holds a tbf too ({held}): the traffic back was to stay unlimited")

"""Bounded TCP throughput between two kk- network namespaces, and the root qdisc read back.

The M6 shaping koan wires two namespaces with one veth pair (`wired_pair`), lets the
learner shape it, then measures what TCP gets across (`tcp_goodput`) and what the kernel
holds on each end (`root_qdisc`, netlink). The receiver times the bytes it gets, from a
quarter of the transfer to its end, so the head start a token bucket gives (its burst)
and TCP's ramp stay out of the figure. Every transfer ends by its deadline.
"""
from __future__ import annotations

import errno
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyroute2 import IPRoute, NetNS

from kernel_koans import child
from kernel_koans.fixtures.network import NetFactory
from kernel_koans.probe import enter_netns

TC_H_ROOT = 0xFFFFFFFF
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Pair:
    """Two namespaces joined by one veth pair, one end in each, both up with an address."""

    sender_ns: str
    sender_if: str
    sender_addr: str
    receiver_ns: str
    receiver_if: str
    receiver_addr: str


def wired_pair(net: NetFactory, subnet: str = "10.254.77") -> Pair:
    """Two new kk- namespaces and a veth between them (subnet.1 sends, subnet.2 receives)."""
    sender_ns, receiver_ns = net.netns("tx"), net.netns("rx")
    a_end, b_end = net.veth("sh")
    for ns, end, host in ((sender_ns, a_end, 1), (receiver_ns, b_end, 2)):
        with IPRoute() as ipr:
            ipr.link("set", index=ipr.link_lookup(ifname=end)[0], net_ns_fd=ns)
        with NetNS(ns) as inside:
            index = inside.link_lookup(ifname=end)[0]
            inside.addr("add", index=index, address=f"{subnet}.{host}", prefixlen=24)
            inside.link("set", index=index, state="up")
    return Pair(sender_ns, a_end, f"{subnet}.1", receiver_ns, b_end, f"{subnet}.2")


@dataclass(frozen=True)
class Goodput:
    """What the receiver got: bytes, the window it was timed over, and bits per second."""

    received: int
    seconds: float
    bits_per_second: float
    complete: bool


def _receive(ns: str, addr: str, port: int, nbytes: int, seconds: float) -> Goodput:
    enter_netns(ns)
    deadline = time.monotonic() + seconds
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((addr, port))
        sock.listen(1)
        sock.settimeout(seconds)
        conn, _ = sock.accept()
    start = time.monotonic()
    got, mark_bytes, mark_time, last = 0, -1, 0.0, start
    with conn:
        conn.settimeout(0.2)
        while got < nbytes and time.monotonic() < deadline:
            try:
                data = conn.recv(CHUNK)
            except TimeoutError:
                continue
            if not data:
                break
            got += len(data)
            last = time.monotonic()
            if mark_bytes < 0 and got >= nbytes // 4:
                mark_bytes, mark_time = got, last
    if mark_bytes >= 0 and got > mark_bytes and last > mark_time:
        window = last - mark_time
        return Goodput(got, window, (got - mark_bytes) * 8 / window, got >= nbytes)
    window = max(last, time.monotonic()) - start
    return Goodput(got, window, got * 8 / max(window, 1e-6), got >= nbytes)


def _send(ns: str, addr: str, port: int, nbytes: int, seconds: float) -> int:
    enter_netns(ns)
    deadline = time.monotonic() + seconds
    while True:  # the receiver may still be binding
        try:
            conn = socket.create_connection((addr, port), timeout=1.0)
            break
        except OSError as err:
            if err.errno not in (errno.ECONNREFUSED, errno.ETIMEDOUT, None) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    sent = 0
    block = b"\0" * CHUNK
    with conn:
        while sent < nbytes:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            conn.settimeout(left)
            try:
                sent += conn.send(block[: min(CHUNK, nbytes - sent)])
            except OSError:  # a timeout, or the receiver gone
                break
    return sent


def tcp_goodput(pair: Pair, nbytes: int, seconds: float, port: int = 5201) -> Goodput:
    """Send nbytes over TCP from the sender's namespace to the receiver's, within `seconds`."""
    receiver = child.start(_receive, pair.receiver_ns, pair.receiver_addr, port, nbytes, seconds,
                           timeout=seconds + child.DEFAULT_TIMEOUT)
    try:
        child.in_child(_send, pair.sender_ns, pair.receiver_addr, port, nbytes, seconds,
                       timeout=seconds + child.DEFAULT_TIMEOUT)
        result: Goodput = receiver.report()
        return result
    finally:
        receiver.close()


@dataclass(frozen=True)
class Qdisc:
    """The root qdisc of a link, as the kernel reports it over netlink."""

    kind: str
    rate_bit: int | None = None
    burst_bytes: int | None = None


def _ns_per_tick() -> float:
    """Nanoseconds in one packet-scheduler tick (/proc/net/psched, second field)."""
    return int(Path("/proc/net/psched").read_text().split()[1], 16)


def root_qdisc(ns: str, ifname: str) -> Qdisc | None:
    """The qdisc at the root of ifname's egress in namespace ns (None when there is none)."""
    with NetNS(ns) as inside:
        index = inside.link_lookup(ifname=ifname)[0]
        found: list[Any] = [q for q in inside.get_qdiscs(index=index)
                            if q["index"] == index and q["parent"] == TC_H_ROOT]
    if not found:
        return None
    kind = found[0].get_attr("TCA_KIND")
    if kind != "tbf":
        return Qdisc(kind)
    parms = found[0].get_attr("TCA_OPTIONS").get_attr("TCA_TBF_PARMS")
    rate = int(parms["rate"])  # bytes per second
    burst = rate * parms["buffer"] * _ns_per_tick() / 1e9
    return Qdisc(kind, rate * 8, int(burst))


def frame_bytes(ns: str, ifname: str) -> int:
    """The largest frame the link sends: its MTU plus the 14-byte Ethernet header."""
    with NetNS(ns) as inside:
        link = inside.get_links(inside.link_lookup(ifname=ifname)[0])[0]
    return int(link.get_attr("IFLA_MTU")) + 14

"""M0 · Basic networking: what `ss -ltn` and `ip route` show, read from /proc/net.

Your exercise: parse the kernel's text tables yourself. test_network.py checks
your answers against netlink, the interface `ss` and `ip` use.
Man pages: proc(5) (/proc/net/tcp, /proc/net/route), ss(8), ip-route(8).
"""
from __future__ import annotations


def listening_tcp() -> set[tuple[str, int]]:
    """{(address, port)} of every IPv4 TCP socket in the LISTEN state, from
    /proc/net/tcp, e.g. {("127.0.0.1", 631), ("0.0.0.0", 22)}.

    Each line's local_address is `AAAAAAAA:PPPP` in hex; `st` is the TCP state
    (0A is LISTEN, see include/net/tcp_states.h). Mind the byte order of the address.
    """
    raise NotImplementedError("should return the (address, port) of every listening IPv4 TCP socket")


def default_route() -> tuple[str, str | None] | None:
    """(interface, gateway) of the IPv4 default route, from /proc/net/route, e.g.
    ("eth0", "192.168.1.1"). The gateway is None when the route has none
    (RTF_GATEWAY unset); with several default routes, the lowest Metric wins;
    None when there is no default route at all."""
    raise NotImplementedError("should return (interface, gateway) of the IPv4 default route, or None")

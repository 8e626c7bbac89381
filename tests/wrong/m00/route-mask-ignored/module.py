"""M0 · Basic networking: what `ss -ltn` and `ip route` show, read from /proc/net.
Reference solution. The text tables are parsed by hand on purpose: the lesson is their
format (the koans check against netlink, through pyroute2).

Man pages: proc(5) (/proc/net/tcp, /proc/net/route), ss(8), ip-route(8), route(8).
"""
from __future__ import annotations

import socket
import struct
from pathlib import Path

TCP_LISTEN = 0x0A
RTF_UP = 0x0001
RTF_GATEWAY = 0x0002


def _ipv4(hex_le: str) -> str:
    """/proc/net prints an IPv4 address as the hex of its 32 bits in host byte order."""
    return socket.inet_ntoa(struct.pack("=I", int(hex_le, 16)))


def listening_tcp() -> set[tuple[str, int]]:
    """(address, port) of every IPv4 TCP socket in the LISTEN state, from /proc/net/tcp."""
    found: set[tuple[str, int]] = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state = fields[1], int(fields[3], 16)
        if state != TCP_LISTEN:
            continue
        address, port = local.split(":")
        found.add((_ipv4(address), int(port, 16)))  # the port is printed big-endian
    return found


def default_route() -> tuple[str, str | None] | None:
    """(interface, gateway) of the IPv4 default route in the main table, from
    /proc/net/route; gateway None when the route has none; None when there is no
    default route. With several, the one with the lowest metric."""
    best: tuple[int, str, str | None] | None = None
    for line in Path("/proc/net/route").read_text().splitlines()[1:]:
        fields = line.split()
        iface, dest, gateway, flags = fields[0], fields[1], fields[2], int(fields[3], 16)
        metric = int(fields[6])
        if int(dest, 16) != 0 or not flags & RTF_UP:
            continue
        via = _ipv4(gateway) if flags & RTF_GATEWAY else None
        if best is None or metric < best[0]:
            best = (metric, iface, via)
    return None if best is None else (best[1], best[2])

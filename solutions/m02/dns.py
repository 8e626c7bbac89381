"""A tiny DNS responder's core: turn a query into an answer (RFC 1035, A records only).

Docker's embedded DNS server (127.0.0.11 in every container on a user-defined
network) does this for container names. Hand-written on purpose: the point is
to see the bytes; the stdlib has no DNS encoder and no library is needed for this.
"""
from __future__ import annotations

import socket
import struct

TYPE_A = 1
CLASS_IN = 1
NXDOMAIN = 3


def read_name(packet: bytes, offset: int) -> tuple[str, int]:
    """The dotted name at `offset` (labels, no compression in a question) and the offset after it."""
    labels: list[str] = []
    while True:
        length = packet[offset]
        offset += 1
        if length == 0:
            return ".".join(labels), offset
        labels.append(packet[offset:offset + length].decode("ascii"))
        offset += length


def answer(query: bytes, records: dict[str, str]) -> bytes:
    """The response to a one-question query: an A record from `records`, or NXDOMAIN."""
    ident, flags = struct.unpack_from("!HH", query, 0)
    name, end = read_name(query, 12)
    qtype, qclass = struct.unpack_from("!HH", query, end)
    question = query[12:end + 4]  # echoed back verbatim, as RFC 1035 asks
    known = {k.lower().rstrip("."): v for k, v in records.items()}
    address = known.get(name.lower()) if qtype == TYPE_A and qclass == CLASS_IN else None
    rd = flags & 0x0100  # copy the client's "recursion desired" bit
    if address is None and name.lower() in known:  # name exists, no record of that type
        rcode, answers = 0, b""
    elif address is None:
        rcode, answers = NXDOMAIN, b""
    else:
        rcode = 0
        # 0xC00C: a compression pointer to the name in the question (offset 12).
        answers = struct.pack("!HHHIH", 0xC00C, TYPE_A, CLASS_IN, 30, 4) + socket.inet_aton(address)
    # QR=1 (response), AA=1 (we own these names), RD copied, RCODE.
    out_flags = 0x8000 | 0x0400 | rd | rcode
    header = struct.pack("!HHHHHH", ident, out_flags, 1, 1 if answers else 0, 0, 0)
    return header + question + answers

"""By hand: a DNS answer you encode, served from an address inside a namespace."""
from __future__ import annotations

import random
import socket
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from kernel_koans import exercise, koan

bridge = exercise("m02/bridge")
dns = exercise("m02/dns")

# The koan's own DNS client side, hand-written (the stdlib has none): build a
# query, parse a response, following compression pointers.


def build_query(ident: int, name: str, qtype: int = 1, rd: bool = True) -> bytes:
    header = struct.pack("!HHHHHH", ident, 0x0100 if rd else 0, 1, 0, 0, 0)
    qname = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return header + qname + struct.pack("!HH", qtype, 1)


def _name(packet: bytes, offset: int) -> tuple[str, int]:
    parts: list[str] = []
    end: int | None = None
    jumps = 0
    while True:
        length = packet[offset]
        if length & 0xC0 == 0xC0:
            if end is None:
                end = offset + 2
            offset = struct.unpack_from("!H", packet, offset)[0] & 0x3FFF
            jumps += 1
            assert jumps < 20, "a compression pointer loop in the answer"
            continue
        offset += 1
        if length == 0:
            return ".".join(parts), (end if end is not None else offset)
        parts.append(packet[offset:offset + length].decode("ascii"))
        offset += length


def parse_response(packet: bytes) -> dict:
    ident, flags, qd, an, _, _ = struct.unpack_from("!HHHHHH", packet, 0)
    offset = 12
    questions = []
    for _ in range(qd):
        name, offset = _name(packet, offset)
        questions.append((name, *struct.unpack_from("!HH", packet, offset)))
        offset += 4
    answers = []
    for _ in range(an):
        name, offset = _name(packet, offset)
        rtype, rclass, ttl, rdlen = struct.unpack_from("!HHIH", packet, offset)
        offset += 10
        rdata = packet[offset:offset + rdlen]
        offset += rdlen
        answers.append((name, rtype, rclass, ttl, socket.inet_ntoa(rdata) if rtype == 1 and rdlen == 4 else rdata))
    return {"id": ident, "qr": bool(flags & 0x8000), "rd": bool(flags & 0x0100),
            "rcode": flags & 0xF, "questions": questions, "answers": answers}


labels = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20)
names = st.lists(labels, min_size=1, max_size=4).map(".".join)
addresses = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))


@koan(man="RFC 1035 §4.1 (message format)",
      hints=["Header first: the same ID, QR set; then the question copied back; then one answer.",
             "An answer is NAME (0xC00C points at the question's name), TYPE=1, CLASS=1, a TTL, "
             "RDLENGTH=4 and the four bytes of socket.inet_aton(address)."],
      needs=[])
@settings(max_examples=60, deadline=None)
@given(name=names, address=addresses, other=names, ident=st.integers(0, 0xFFFF),
       rd=st.booleans(), upper=st.booleans())
def test_dns_answer_encodes_the_address(name, address, other, ident, rd, upper):
    """Service discovery is a name turned into an address: a DNS A record on the wire.
    Every resolver, glibc's included, reads exactly these bytes."""
    asked = name.upper() if upper else name
    got = parse_response(dns.answer(build_query(ident, asked, rd=rd), {name: address}))
    assert got["id"] == ident and got["qr"], f"the response must carry the query's ID {ident} and QR=1"
    assert got["rd"] == rd, "the RD bit is copied from the query"
    assert got["questions"] == [(asked, 1, 1)], f"the question must come back as asked: {got['questions']}"
    assert got["rcode"] == 0 and [(a[1], a[4]) for a in got["answers"]] == [(1, address)], \
        f"a query for {asked!r} must get one A record {address}, got rcode {got['rcode']}, {got['answers']}"
    assert got["answers"][0][0].lower() == name.lower(), "the answer must name what was asked"
    if other.lower() != name.lower():
        miss = parse_response(dns.answer(build_query(ident, other), {name: address}))
        assert miss["rcode"] == 3 and not miss["answers"], \
            f"an unknown name {other!r} must get NXDOMAIN (rcode 3) and no answer, got {miss}"


@koan(man="udp(7), RFC 1035 §4.2.1 (UDP usage)",
      hints=["The koan runs your answer() in a server bound to port 53 inside one namespace.",
             "If the koan's client gets no reply, the server could not parse the query or "
             "your answer raised: try dns.answer(query, records) by hand first."],
      needs=["root", "netns"])
def test_dns_responder_in_a_namespace_names_the_peer(net, nsprobe):
    """Docker runs a resolver at 127.0.0.11 inside every container's namespace.
    Here yours answers from 10.251.2.1:53 and a client in another namespace asks it."""
    br = net.bridge("br")
    ns_dns, ns_client = net.netns("dn"), net.netns("dc")
    (d_host, d_ns), (c_host, c_ns) = net.veth("dn"), net.veth("dc")
    bridge.plug(ns_dns, br, d_host, d_ns, "10.251.2.1/24")
    bridge.plug(ns_client, br, c_host, c_ns, "10.251.2.2/24")
    peer = f"db.{ns_client}.internal"
    records = {peer: "10.251.2.2"}
    nsprobe.udp_server(ns_dns, "10.251.2.1", 53, lambda query: dns.answer(query, records))
    ident = random.randrange(1 << 16)
    got = nsprobe.udp_exchange(ns_client, "10.251.2.1", 53, build_query(ident, peer))
    assert not isinstance(got, str), f"no DNS reply came back from 10.251.2.1:53: {got}"
    reply, source = got
    assert source == "10.251.2.1", f"the reply came from {source}, not the responder's address"
    parsed = parse_response(reply)
    assert parsed["id"] == ident and [a[4] for a in parsed["answers"]] == ["10.251.2.2"], \
        f"the responder answered {parsed} for {peer}, not one A record 10.251.2.2 with ID {ident}"

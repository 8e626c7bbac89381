"""A tiny DNS responder's core: turn a query into an answer (RFC 1035, A records only).

Docker's embedded DNS server (127.0.0.11 in every container on a user-defined
network) does this for container names. You write the bytes; the koan sends
real queries over UDP between namespaces and reads your answers.

The wire format (all integers big-endian, `struct` format "!HHHHHH" for the header):
  header   ID, FLAGS, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT            (12 bytes)
  question QNAME as labels (len byte + ascii, ... , 0), QTYPE, QCLASS
  answer   NAME, TYPE, CLASS, TTL (4 bytes), RDLENGTH, RDATA (4 bytes for A)
FLAGS: QR is 0x8000 (this is a response), AA 0x0400, RD 0x0100, RCODE the low 4 bits.
A NAME may be a pointer: 0xC000 | offset of a name earlier in the packet (0xC00C is
the question's name).
"""
from __future__ import annotations

TYPE_A = 1
CLASS_IN = 1
NXDOMAIN = 3


def answer(query: bytes, records: dict[str, str]) -> bytes:
    """The response to a one-question query.

    - same ID as the query; QR set; RD copied from the query; QDCOUNT 1 with the
      question copied back;
    - if the question is type A, class IN, for a name in `records` (compare
      case-insensitively: DNS names are), one answer: that name, type A, class IN,
      a TTL, RDLENGTH 4 and the address (socket.inet_aton);
    - a name not in `records`: no answer, RCODE NXDOMAIN (3).
    """
    raise NotImplementedError("should return the DNS response to this one-question query")

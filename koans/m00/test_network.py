"""M0 koans · basic networking tools: /proc/net versus netlink."""
from __future__ import annotations

import contextlib
import os
import random
import socket

from pyroute2 import DiagSocket, IPRoute

from kernel_koans import exercise, in_child, koan, linux

network = exercise("m00/network")

TCP_LISTEN = 10
RT_TABLE_MAIN = 254
SCENARIOS = {
    "gateway": "one default route, via a gateway on kk-rt0",
    "several": ("the routes `0.0.0.0/1 dev kk-rt0 metric 10`, `default tos 0x10 dev kk-rt0 "
                "metric 300`, `default dev kk-rt1 metric 100` (no gateway) and `default via "
                "<gateway> dev kk-rt0 metric 200`"),
    "none": "no default route",
}
"""The stand-in route tables of test_the_default_route_is_in_proc_net_route."""


def listening_by_netlink() -> set[tuple[str, int]]:
    """IPv4 TCP listeners as sock_diag(7) reports them (what `ss -ltn` asks the kernel)."""
    with DiagSocket() as diag:
        diag.bind()
        found = diag.get_sock_stats(family=socket.AF_INET, states=1 << TCP_LISTEN)
        return {(str(msg.get("idiag_src")), int(msg.get("idiag_sport"))) for msg in found}


def others_by_netlink() -> set[tuple[str, int]]:
    """Local (address, port) of the IPv4 TCP sockets in any state but LISTEN."""
    with DiagSocket() as diag:
        diag.bind()
        found = diag.get_sock_stats(family=socket.AF_INET, states=0xFFF & ~(1 << TCP_LISTEN))
        return {(str(msg.get("idiag_src")), int(msg.get("idiag_sport"))) for msg in found}


@koan(man="proc(5)",
      hints=["A nudge: `ss -ltn` and `netstat -ltn` show these sockets; netstat reads "
             "/proc/net/tcp. `cat` it and find the koan's port (in hex).",
             "The mechanism: skip the header line; column 2 is local_address `AAAAAAAA:PPPP`, "
             "column 4 the state (0A = LISTEN). The port hex is big-endian, but the address "
             "hex is the 32-bit value in host order: on x86 0100007F is 127.0.0.1 "
             "(socket.inet_ntoa(struct.pack('=I', int(hex, 16))))."])
def test_listening_sockets_are_in_proc_net_tcp() -> None:
    """A server is a socket in the LISTEN state, and the kernel lists them all. When
    `docker run -p` \"does not work\", this table tells you who is (not) listening."""
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        server.bind((f"127.{random.randrange(1, 255)}.{random.randrange(256)}.1", 0))
        while server.getsockname()[1] % 257 == 0:  # 0xABAB reads the same in either byte order
            server = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            server.bind(("127.0.0.1", 0))
        server.listen()
        ours = server.getsockname()
        # Sockets in other states, held open while you read: a connection (ESTABLISHED at
        # both ends) and one its client half-closed (FIN_WAIT2 / CLOSE_WAIT).
        for half_closed in (False, True):
            client = stack.enter_context(socket.create_connection(ours, timeout=5))
            stack.enter_context(server.accept()[0])
            if half_closed:
                client.shutdown(socket.SHUT_WR)
        others = others_by_netlink() - {ours}
        assert len(others) >= 2, f"setup: sock_diag(7) shows no non-listening socket: {others}"
        before = listening_by_netlink()
        got = network.listening_tcp()
        after = listening_by_netlink()
    assert isinstance(got, set), f"listening_tcp() returned {type(got).__name__}, not a set"
    assert ours in got, (f"the koan listens on {ours[0]}:{ours[1]}; listening_tcp() did not "
                         f"find it among {sorted(got)[:8]}")
    missing = (before & after) - got
    extra = got - (before | after)
    assert not missing, f"sock_diag(7) reports listeners listening_tcp() missed: {sorted(missing)}"
    assert not extra, (f"listening_tcp() names sockets sock_diag(7) never saw listening: "
                       f"{sorted(extra)}{' (not listening: connected)' if extra & others else ''}")


def default_routes_by_netlink() -> set[tuple[str, str | None]]:
    """(interface, gateway) of the lowest-metric IPv4 default routes of the main table,
    as rtnetlink(7) reports them (what `ip route show default` asks the kernel)."""
    with IPRoute() as ipr:
        names = {link["index"]: link.get("ifname") for link in ipr.get_links()}
        routes = [r for r in ipr.get_routes(family=socket.AF_INET, table=RT_TABLE_MAIN)
                  if r["dst_len"] == 0]
        if not routes:
            return set()
        best = min(r.get("RTA_PRIORITY") or 0 for r in routes)
        out: set[tuple[str, str | None]] = set()
        for route in routes:
            if (route.get("RTA_PRIORITY") or 0) != best:
                continue
            if route.get("RTA_MULTIPATH"):  # /proc/net/route shows a multipath route's first hop
                first = route.get("RTA_MULTIPATH")[0]
                oif, gateway = first["oif"], first.get("RTA_GATEWAY")
            else:
                oif, gateway = route.get("RTA_OIF"), route.get("RTA_GATEWAY")
            out.add((str(names.get(oif)), gateway))
        return out


@koan(man="proc(5)",
      hints=["A nudge: `ip route show default` names it; `route -n` prints /proc/net/route "
             "with the hex decoded. Which line has Destination 00000000 and Mask 00000000?",
             "The mechanism: the columns are Iface, Destination, Gateway, Flags, RefCnt, Use, "
             "Metric, Mask. Addresses are 32-bit values in host order (like /proc/net/tcp); "
             "Flags & 0x2 (RTF_GATEWAY) says whether Gateway means anything."])
def test_the_default_route_is_in_proc_net_route() -> None:
    """Packets to anywhere not on a local network leave by the default route. Containers get
    one too, through the bridge: knowing where to read it is half of debugging it.

    Not told apart here: ignoring RTF_UP (a route the kernel marks down is not kept long
    enough to be shown)."""
    expected = default_routes_by_netlink()
    got = network.default_route()
    if not expected:
        assert got is None, f"rtnetlink(7) shows no IPv4 default route; default_route() said {got!r}"
        return
    got = tuple(got) if isinstance(got, (tuple, list)) else got
    assert got in expected, (f"rtnetlink(7) says the default route is "
                             f"{' or '.join(map(str, sorted(expected, key=str)))}; "
                             f"default_route() said {got!r}")
    if os.geteuid() != 0:
        return
    # Stand-in network namespaces with default routes the koan draws now: one via a gateway;
    # several (the best one without a gateway, listed neither first nor last, next to a
    # 0.0.0.0/1 route that is not a default route); none. /proc/net/route is the reader's
    # namespace's table, so no fixed answer fits them all.
    gateway = f"10.{random.randrange(1, 250)}.{random.randrange(1, 250)}.1"
    for scenario in ("gateway", "several", "none"):
        expected, got = in_child(_default_route_in_new_netns, scenario, gateway)
        got = tuple(got) if isinstance(got, (tuple, list)) else got
        if not expected:
            assert got is None, (f"in a new network namespace without a default route "
                                 f"(rtnetlink(7) shows none), default_route() said {got!r}")
        else:
            assert got in expected, (f"in a new network namespace with {SCENARIOS[scenario]}, "
                                     f"rtnetlink(7) says the default route is "
                                     f"{sorted(expected, key=str)}; default_route() said {got!r}")


def _default_route_in_new_netns(scenario: str, gateway: str
                                ) -> tuple[set[tuple[str, str | None]], object]:
    """Run in a child: a new network namespace with a veth pair and the scenario's routes;
    (what netlink shows, what default_route() says)."""
    linux.unshare(linux.CLONE_NEWNET)
    if scenario != "none":
        with IPRoute() as ipr:
            ipr.link("add", ifname="kk-rt0", kind="veth", peer="kk-rt1")
            for name in ("lo", "kk-rt0", "kk-rt1"):
                ipr.link("set", index=ipr.link_lookup(ifname=name)[0], state="up")
            rt0, rt1 = (ipr.link_lookup(ifname=name)[0] for name in ("kk-rt0", "kk-rt1"))
            ipr.addr("add", index=rt0, address=gateway.rsplit(".", 1)[0] + ".2", prefixlen=24)
            if scenario == "gateway":
                ipr.route("add", dst="0.0.0.0/0", gateway=gateway, oif=rt0)
            else:
                ipr.route("add", dst="0.0.0.0/0", gateway=gateway, oif=rt0, priority=200)
                ipr.route("add", dst="0.0.0.0/0", oif=rt1, priority=100)
                ipr.route("add", dst="0.0.0.0/0", oif=rt0, priority=300, tos=0x10)
                ipr.route("add", dst="0.0.0.0/1", oif=rt0, priority=10)
    return default_routes_by_netlink(), network.default_route()

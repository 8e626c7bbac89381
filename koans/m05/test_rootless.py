"""M5 · Rootless containers: subordinate id ranges, mapped by setuid helpers, owned on the host.

Your code (m05/rootless.py) writes newuidmap-style maps and runs a process as a throwaway
ordinary user (kk-…, removed after the koan); the kernel translates the ids, and the host
reads the owners of the files made inside.
"""
from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel_koans import exercise, held, in_child, koan, linux
from kernel_koans.fixtures.security import KoanUser

rootless = exercise("m05/rootless")


def create_as(pid: int, inside: int, path: str) -> bool:
    """Join pid's user namespace, become uid `inside` there, create `path`. False: unmapped (EINVAL)."""
    with open(f"/proc/{pid}/ns/user") as ns:
        linux.setns(ns.fileno(), linux.CLONE_NEWUSER)
    os.setresgid(0, 0, 0)
    try:
        os.setresuid(inside, inside, inside)
    except OSError as err:
        if err.errno == errno.EINVAL:
            return False
        raise
    Path(path).touch()
    return True


def kernel_host_uid(pid: int, inside: int, scratch: Path) -> int | None:
    path = scratch / f"as-{inside}"
    if not in_child(create_as, pid, inside, str(path)):
        return None
    return path.stat().st_uid


@koan(man="newuidmap(1), subuid(5), user_namespaces(7)",
      hints=["Two lines: one for the user itself, one for its range. Where does the range start "
             "inside, and how long is it?",
             "'0 {uid} 1' and '1 {start} {count}': count ids, start..start+count-1; host_uid looks "
             "for the line with first <= inside < first + count."],
      needs=["root", "userns"])
@pytest.mark.timeout(90)
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(uid=st.integers(1000, 60000), start=st.integers(100000, 2_000_000_000),
       count=st.integers(1, 200000), data=st.data())
def test_subordinate_ranges_map_like_newuidmap(scratch: Path, uid: int, start: int, count: int,
                                                data: st.DataObject) -> None:
    """A rootless container's uid 0 is its user; uids 1..N are the user's subordinate range from
    /etc/subuid. The kernel translates every id through those two lines, edges included."""
    scratch.chmod(0o1777)
    text = rootless.subid_map(uid, start, count)
    probes = sorted({0, 1, count, count + 1, data.draw(st.integers(1, count), label="inside")})
    with held(linux.unshare, linux.CLONE_NEWUSER) as h:
        try:
            Path(f"/proc/{h.pid}/uid_map").write_text(text)
        except OSError as err:
            pytest.fail(f"the kernel refused the uid_map {text!r}: {os.strerror(err.errno or 0)}")
        Path(f"/proc/{h.pid}/gid_map").write_text("0 0 4294967295\n")
        kernel_map = Path(f"/proc/{h.pid}/uid_map").read_text()
        kernel = {i: kernel_host_uid(h.pid, i, scratch) for i in probes}
        for path in scratch.iterdir():
            path.unlink()
    wanted = {i: (uid if i == 0 else start + i - 1 if i <= count else None) for i in probes}
    assert kernel == wanted, (
        f"with subid_map's {text!r} the kernel maps uids inside to {kernel} on the host; newuidmap "
        f"maps 0 to {uid} and 1..{count} to {start}..{start + count - 1} ({wanted})")
    learner = {i: rootless.host_uid(i, kernel_map) for i in probes}
    assert learner == kernel, (
        f"for the kernel's uid_map {kernel_map!r}, host_uid answered {learner}; the kernel made "
        f"files owned by {kernel} (None: setuid refused, unmapped)")


def rootless_files(user: KoanUser, scratch: str) -> int:
    """As the koan's user: the learner's rootless process creates files as its uid 0 and uid 1000."""
    os.setgroups([])
    os.setgid(user.gid)
    os.setuid(user.uid)
    linux.prctl(linux.PR_SET_DUMPABLE, 1)  # changing uid made /proc/self root-owned; undo that

    def work() -> None:
        Path(scratch, "as-root").write_text(os.readlink("/proc/self/ns/user"))
        os.setresgid(1000, 1000, 1000)
        os.setresuid(1000, 1000, 1000)
        Path(scratch, "as-1000").write_text(os.readlink("/proc/self/ns/user"))

    return int(rootless.run_rootless(user.name, work))


@koan(man="newuidmap(1), newgidmap(1), subuid(5), user_namespaces(7)",
      hints=["An ordinary user may map only its own id. Who may map more, and where do they look "
             "up how much?",
             "Fork; the child unshares CLONE_NEWUSER and waits on a pipe; the parent runs "
             "`newuidmap PID 0 UID 1 1 START COUNT` (and newgidmap with the subgid range, read "
             "from /etc/subuid and /etc/subgid: name:start:count), then lets the child go."],
      needs=["root", "userns"])
def test_a_rootless_container_owns_files_as_its_subordinate_uids(kk_user: KoanUser, scratch: Path) -> None:
    """Files a rootless container's root makes belong to the user on the host; its uid 1000's
    files belong to subordinate uid start+999: inside it is root, outside it is nobody special."""
    scratch.chmod(0o1777)
    status = in_child(rootless_files, kk_user, str(scratch))
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (
        f"the rootless process's wait status is {status}: work() did not finish (were its ids mapped?)")
    as_root, as_1000 = scratch / "as-root", scratch / "as-1000"
    host_ns = os.readlink("/proc/self/ns/user")
    assert as_root.exists() and as_root.read_text() != host_ns, (
        "the rootless process ran in the host's user namespace, not a new one")
    owner = (as_root.stat().st_uid, as_root.stat().st_gid)
    assert owner == (kk_user.uid, kk_user.gid), (
        f"the file made by uid 0 inside is owned by {owner} on the host, not by the user "
        f"{kk_user.name} ({kk_user.uid}, {kk_user.gid})")
    wanted = (kk_user.subuid[0] + 999, kk_user.subgid[0] + 999)
    owner = (as_1000.stat().st_uid, as_1000.stat().st_gid) if as_1000.exists() else None
    assert owner == wanted, (
        f"the file made by uid 1000 inside is owned by {owner} on the host: subordinate "
        f"uid/gid {wanted} (range start + 999) should own it")

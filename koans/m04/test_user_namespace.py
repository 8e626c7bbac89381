"""M4 · User namespaces: uid 0 inside, an ordinary uid outside.

Your code (m04/user_ns.py) runs in a child the koan has made unprivileged;
the koan reads that child's credentials and maps from the host's /proc, and
uses the kernel itself as the oracle for id translation.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel_koans import exercise, held, in_child, koan, linux, procfs

user_ns = exercise("m04/user_ns")


def unprivileged_then_learner(uid: int) -> dict[str, object]:
    """Run in a held child: drop to `uid`/`uid` like an ordinary login, then call the
    learner's function, then report what the process sees of itself."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    linux.prctl(linux.PR_SET_DUMPABLE, 1)  # changing uid made /proc/self root-owned; undo that
    user_ns.become_root_in_new_user_namespace()
    try:
        os.setgroups([])
        setgroups = "allowed"
    except PermissionError:
        setgroups = "EPERM"
    return {"uid": os.getuid(), "gid": os.getgid(), "setgroups": setgroups}


def write_once_more(path: str, text: str) -> str:
    """Try to write a map again; the errno name, or 'accepted'."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
        return "accepted"
    except OSError as err:
        return os.strerror(err.errno) if err.errno else str(err)
    finally:
        os.close(fd)


def some_uid() -> int:
    return random.randrange(200000, 260000)


@koan(man="user_namespaces(7)",
      hints=["Which ids do you need to write into uid_map, and can you still read them after unshare?",
             "uid, gid = os.getuid(), os.getgid(); linux.unshare(linux.CLONE_NEWUSER); then write "
             "'0 {uid} 1' to /proc/self/uid_map, 'deny' to /proc/self/setgroups, '0 {gid} 1' to "
             "/proc/self/gid_map (Path.write_text: it closes the file, so errors show)."],
      needs=["root", "userns"])
def test_root_inside_is_an_unprivileged_uid_outside() -> None:
    """In its own user namespace an ordinary user is uid 0 with every capability, over that
    namespace only. Rootless containers and `docker --userns-remap` rest on this."""
    uid = some_uid()
    with held(unprivileged_then_learner, uid) as h:
        ids = {k: v for k, v in procfs.ids(h.pid).items() if k in ("Uid", "Gid")}
        own_userns = linux.ns_inode(h.pid, "user") != linux.ns_inode(os.getpid(), "user")
        seen = h.value
    assert own_userns, "the child's /proc/<pid>/ns/user is the host's: no new user namespace"
    assert (seen["uid"], seen["gid"]) == (0, 0), (
        f"inside, getuid()/getgid() return {seen['uid']}/{seen['gid']}: with uid 0 and gid 0 "
        "mapped to the process's own ids it is root in its namespace")
    assert ids == {"Uid": [uid] * 4, "Gid": [uid] * 4}, (
        f"the host's /proc/<pid>/status reads {ids}: outside, the namespace's root is still "
        f"uid {uid}, nothing more")


@koan(man="user_namespaces(7)",
      hints=["Try writing /proc/<pid>/uid_map twice. What does the kernel say the second time?",
             "uid_map and gid_map accept exactly one write per namespace: put every line into "
             "that single write(2). Any later write fails with EPERM, even from root."],
      needs=["root", "userns"])
def test_id_maps_can_be_written_only_once() -> None:
    """A user namespace's id maps are set once and frozen, so nobody can widen them later.
    Runtimes write all lines in one write(2) (newuidmap does exactly that)."""
    uid = some_uid()
    with held(unprivileged_then_learner, uid) as h:
        maps = {name: Path(f"/proc/{h.pid}/{name}").read_text().split()
                for name in ("uid_map", "gid_map")}
        again = {name: write_once_more(f"/proc/{h.pid}/{name}", f"0 {uid} 1\n")
                 for name in ("uid_map", "gid_map")}
    assert maps == {"uid_map": ["0", str(uid), "1"], "gid_map": ["0", str(uid), "1"]}, (
        f"/proc/<pid>/uid_map and gid_map read {maps}: each should map 0 inside to {uid} outside")
    assert again == {"uid_map": os.strerror(1), "gid_map": os.strerror(1)}, (
        f"a second write from the host (root) got {again}: once written, a map is frozen (EPERM)")


@koan(man="user_namespaces(7) (\"Interaction with system calls that change process UIDs or GIDs\")",
      hints=["Why would the kernel refuse gid_map from an unprivileged writer?",
             "Write 'deny' to /proc/self/setgroups before gid_map: then setgroups(2) fails with "
             "EPERM for the namespace's whole life, so no one can drop a group that was keeping "
             "them out of a file."],
      needs=["root", "userns"])
def test_setgroups_is_denied_for_good() -> None:
    """An unprivileged user may write gid_map only after giving up setgroups(2) for good.
    Dropping a supplementary group could otherwise unlock files that group was denied."""
    with held(unprivileged_then_learner, some_uid()) as h:
        setgroups_file = Path(f"/proc/{h.pid}/setgroups").read_text().strip()
        seen = h.value
    assert setgroups_file == "deny", f"/proc/<pid>/setgroups reads {setgroups_file!r}, not 'deny'"
    assert seen["setgroups"] == "EPERM", (
        "setgroups(2) inside the namespace was allowed: with setgroups denied it fails with "
        "EPERM, even for the namespace's root")


# --- id translation, checked against the kernel -------------------------------------------

@st.composite
def id_maps(draw: st.DrawFn) -> list[tuple[int, int, int]]:
    """1-4 extents (inside, outside, count), disjoint on both sides, as the kernel demands."""
    n = draw(st.integers(1, 4))
    counts = draw(st.lists(st.integers(1, 3000), min_size=n, max_size=n))

    def lay_out(order: list[int]) -> dict[int, int]:
        starts, pos = {}, draw(st.integers(0, 300000))
        for i in order:
            pos += draw(st.integers(0, 5000))
            starts[i] = pos
            pos += counts[i]
        return starts

    inside = lay_out(list(range(n)))
    outside = lay_out(draw(st.permutations(range(n))))
    return [(inside[i], outside[i], counts[i]) for i in range(n)]


def probes_for(extents: list[tuple[int, int, int]]) -> st.SearchStrategy[list[int]]:
    """Host uids to look up: every extent's edges (just outside and just inside), plus a few more."""
    edges = {0}
    for _, outside, count in extents:
        edges |= {max(outside - 1, 0), outside, outside + count - 1, outside + count}
    inner = [st.integers(o, o + c - 1) for _, o, c in extents]
    return st.lists(st.one_of(*inner, st.integers(0, 400000)), max_size=4).map(
        lambda extra: sorted(edges) + extra)


def stat_uids_in(pid: int, paths: list[str]) -> list[int]:
    """Join pid's user namespace and stat the files: the kernel translates their owners."""
    with open(f"/proc/{pid}/ns/user") as ns:
        linux.setns(ns.fileno(), linux.CLONE_NEWUSER)
    return [os.stat(p).st_uid for p in paths]


@koan(man="user_namespaces(7)",
      hints=["Each uid_map line is 'inside outside count'. Which line, if any, holds the host uid?",
             "inside + (host_uid - outside) for the line with outside <= host_uid < outside + count; "
             "no such line: the overflow uid from /proc/sys/kernel/overflowuid (65534)."],
      needs=["root", "userns"])
@pytest.mark.timeout(90)  # a failing example is shrunk against the kernel, one namespace per try
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_id_translation_matches_the_kernel(scratch: Path, data: st.DataObject) -> None:
    """Files keep their host owners; inside a user namespace the kernel shows them translated
    through uid_map, and unmapped owners as 65534 ("nobody"): the `nobody` files in containers."""
    extents = data.draw(id_maps(), label="uid_map")
    host_uids = data.draw(probes_for(extents), label="host uids")
    uid_map = "".join(f"{i} {o} {c}\n" for i, o, c in extents)
    learner = [user_ns.uid_inside(u, uid_map) for u in host_uids]
    paths = []
    for n, host_uid in enumerate(host_uids):
        path = scratch / f"owned-{n}"
        path.touch()
        os.chown(path, host_uid, -1)
        paths.append(str(path))
    with held(linux.unshare, linux.CLONE_NEWUSER) as h:
        Path(f"/proc/{h.pid}/uid_map").write_text(uid_map)  # root may map any ids, many lines
        kernel = in_child(stat_uids_in, h.pid, paths)
    assert learner == kernel, (
        f"with uid_map {uid_map.strip()!r}, files owned by host uids {host_uids} stat inside as "
        f"{kernel}; uid_inside answered {learner}")

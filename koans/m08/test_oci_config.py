"""M8 · config.json: what runc gives the process.

Your parser (m08/oci_config.py) reads a config; the koan starts the same bundle with
the host's runc (`runc run -d`, a kk- state root) and reads the real process from
outside: /proc/<pid>/cmdline, environ, status, ns/*, limits and mountinfo. The last two
koans run your code itself (its hostname, its mounts) in a child and compare that child
with runc's container the same way.
"""
from __future__ import annotations

import os
import random
import resource
import string
from pathlib import Path
from typing import Any

import pytest

from kernel_koans import decoy, exercise, held, koan, linux, procfs, uts
from kernel_koans.fixtures.runtime import Runc

oci_config = exercise("m08/oci_config")


def identity(pid: int) -> dict[str, Any]:
    """uid, gid (all four of each must agree, else the four are shown) and supplementary groups."""
    ids = procfs.ids(pid)
    uids, gids = set(ids["Uid"]), set(ids["Gid"])
    return {"uid": uids.pop() if len(uids) == 1 else sorted(uids),
            "gid": gids.pop() if len(gids) == 1 else sorted(gids),
            "groups": sorted(ids["Groups"])}


def observed_process(pid: int, rootfs: Path, cwd: str) -> dict[str, Any]:
    raw_argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:-1]
    raw_env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")[:-1]
    here, there = os.stat(f"/proc/{pid}/cwd"), os.stat(rootfs / cwd.lstrip("/"))
    return {"argv": [os.fsdecode(a) for a in raw_argv],
            "env": dict(os.fsdecode(e).split("=", 1) for e in raw_env),
            "cwd": cwd if (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino) else "elsewhere",
            **identity(pid)}


ARGS = ["/bin/sh", "-c", "sleep 1000; :", "kk-zero", "two words", ""]

USERS: list[dict[str, Any]] = [
    {"user": {"uid": 0, "gid": 0}, "env": ["PATH=/bin:/usr/bin", "KK=a=b"], "cwd": "/"},
    {"user": {"uid": 1000, "gid": 1000, "additionalGids": [44, 27, 44]},
     "env": ["PATH=/bin", "LANG=C.UTF-8"], "cwd": "/tmp"},
    {"user": {"uid": 65534, "gid": 65534}, "env": ["HOME=/kk-home", "PATH=/bin"], "cwd": "/etc"},
]


@koan(man="the OCI runtime spec (config.md: Process, User), runc(8), proc(5)",
      hints=["Most of process.* is passed through as it is. One variable the process always has "
             "is not in this config: where does runc find it, and for which user?",
             "argv = process.args, env from process.env (split on the first '='), cwd, uid/gid "
             "from process.user, groups = additionalGids (sorted, once each). Without HOME, runc "
             "sets it from the rootfs's /etc/passwd for that uid, or '/' when it lists none."],
      needs=["root", "busybox", "runc"])
@pytest.mark.timeout(60)
def test_config_gives_the_process_its_argv_env_cwd_and_ids(runc: Runc, rootfs: Path) -> None:
    """process.args/env/cwd/user become the real process's cmdline, environ, cwd and ids —
    plus what runc adds on its own. A parser that disagrees with runc misreads every bundle."""
    for variant in USERS:
        def edit(config: dict[str, Any], variant: dict[str, Any] = variant) -> None:
            config["process"].update(variant, args=ARGS)
        bundle, config = runc.bundle(rootfs, edit=edit)
        cid, pid = runc.run_detached(bundle)
        try:
            real = observed_process(pid, rootfs, config["process"]["cwd"])
        finally:
            runc("delete", "--force", cid)
        mine = oci_config.process_of(config, str(rootfs))
        for key in ("argv", "env", "cwd", "uid", "gid", "groups"):
            assert mine.get(key) == real[key], (
                f"for process {variant}: the container's {key} is {real[key]!r} (as the kernel shows "
                f"it), the parser says {mine.get(key)!r}")


def observed_namespaces(pid: int, joined: str) -> dict[str, str]:
    found = {}
    for kind in oci_config.KINDS:
        inode = linux.ns_inode(pid, kind)
        if inode == linux.ns_inode(os.getpid(), kind):
            found[kind] = "host"
        elif inode == os.stat(joined).st_ino and joined.endswith(f"/{kind}"):
            found[kind] = f"join:{joined}"
        else:
            found[kind] = "new"
    return found


@koan(man="the OCI runtime spec (config-linux.md: Namespaces), namespaces(7), setns(2)",
      hints=["A kind missing from linux.namespaces is not 'new'. An entry with a path is not new "
             "either.",
             "Start every kind at 'host'; each entry's type (network → net, mount → mnt) becomes "
             "'new', or 'join:' + its path when it has one."],
      needs=["root", "busybox", "runc"])
@pytest.mark.timeout(60)
def test_config_decides_which_namespaces_are_new(runc: Runc, rootfs: Path) -> None:
    """linux.namespaces lists what the container does not share: each entry is a new namespace,
    or one to join by path (how a pod's containers share one network); an absent kind is the host's."""
    with held(linux.unshare, linux.CLONE_NEWIPC) as keeper:
        joined = f"/proc/{keeper.pid}/ns/ipc"

        def edit(config: dict[str, Any]) -> None:
            config["process"]["args"] = ["sleep", "1000"]
            config["linux"]["namespaces"] = [
                {"type": "pid"}, {"type": "mount"}, {"type": "uts"}, {"type": "cgroup"},
                {"type": "ipc", "path": joined}]
        bundle, config = runc.bundle(rootfs, edit=edit)
        cid, pid = runc.run_detached(bundle)
        try:
            real = observed_namespaces(pid, joined)
        finally:
            runc("delete", "--force", cid)
    mine = oci_config.namespaces_of(config)
    assert mine == real, (
        f"the container's /proc/<pid>/ns inodes say {real}; the parser says {mine}")


RESOURCES = {"RLIMIT_NOFILE": resource.RLIMIT_NOFILE, "RLIMIT_CORE": resource.RLIMIT_CORE,
             "RLIMIT_NPROC": resource.RLIMIT_NPROC, "RLIMIT_STACK": resource.RLIMIT_STACK,
             "RLIMIT_MEMLOCK": resource.RLIMIT_MEMLOCK}


@koan(man="the OCI runtime spec (config.md: POSIX process, rlimits), getrlimit(2), prlimit(1)",
      hints=["Each rlimits entry names a resource the way <sys/resource.h> does. Which module "
             "of the stdlib knows those names?",
             "{getattr(resource, r['type']): (r['soft'], r['hard']) for r in "
             "config['process']['rlimits']}: the rest are inherited from runc."],
      needs=["root", "busybox", "runc"])
def test_config_sets_the_resource_limits(runc: Runc, rootfs: Path) -> None:
    """process.rlimits become setrlimit(2) calls before exec; a limit the config leaves out is
    inherited from whoever ran runc — a classic source of 'works on my machine'."""
    def edit(config: dict[str, Any]) -> None:
        config["process"].update(args=["sleep", "1000"], rlimits=[
            {"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654},
            {"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
            {"type": "RLIMIT_NPROC", "soft": 222, "hard": 333}])
    bundle, config = runc.bundle(rootfs, edit=edit)
    cid, pid = runc.run_detached(bundle)
    try:
        real = {number: resource.prlimit(pid, number) for number in RESOURCES.values()}
    finally:
        runc("delete", "--force", cid)
    mine = oci_config.rlimits_of(config)
    for name, number in RESOURCES.items():
        expected = mine.get(number, resource.getrlimit(number))
        assert tuple(expected) == real[number], (
            f"{name} of the container's process is (soft, hard) = {real[number]}; from the parser "
            f"(or inherited when it sets none) it would be {tuple(expected)}")


def observed_hidden(pid: int, paths: list[str]) -> dict[str, str]:
    """masked (a tmpfs or /dev/null on top) or readonly (a ro bind), by the last mount on each path."""
    last = {}
    for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines():
        left, right = line.split(" - ", 1)
        fields = left.split()
        last[fields[4]] = (right.split()[0], fields[5].split(","))
    found = {}
    for path in paths:
        if path in last:
            fstype, options = last[path]
            found[path] = "masked" if fstype == "tmpfs" else "readonly" if "ro" in options else "?"
    return found


@koan(man="the OCI runtime spec (config-linux.md: Masked Paths, Readonly Paths), mount(2)",
      hints=["runc walks two lists; what does it do with a path that does not exist in the "
             "container, and which list wins for a path in both?",
             "readonlyPaths first, then maskedPaths (so masked wins); a path for which exists() "
             "is False is skipped."],
      needs=["root", "busybox", "runc"])
def test_config_masks_and_write_protects_paths(runc: Runc, rootfs: Path) -> None:
    """maskedPaths and readonlyPaths hide the kernel's knobs from the container: /proc/kcore,
    /proc/keys, /sys/firmware vanish under /dev/null or an empty tmpfs; /proc/sys turns read-only."""
    def edit(config: dict[str, Any]) -> None:
        config["process"]["args"] = ["sleep", "1000"]
        config["linux"]["maskedPaths"] += ["/proc/kk-not-there"]
        config["linux"]["readonlyPaths"] += ["/proc/keys", "/proc/kk-nor-here", "/proc/cmdline"]
    bundle, config = runc.bundle(rootfs, edit=edit)
    cid, pid = runc.run_detached(bundle)
    try:
        listed = config["linux"]["maskedPaths"] + config["linux"]["readonlyPaths"]
        real = observed_hidden(pid, listed)
        mine = oci_config.hidden_paths_of(config, lambda p: os.path.lexists(f"/proc/{pid}/root{p}"))
    finally:
        runc("delete", "--force", cid)
    assert mine == real, (
        f"the container's mountinfo shows {real}; the parser says {mine}")


def adversarial_hostname() -> str:
    """63 characters (one short of the kernel's limit) of kk-, digits, letters and dashes."""
    alphabet = string.ascii_lowercase + string.digits
    words = [f"{random.randint(0, 99999)}"]
    while sum(len(w) + 1 for w in words) < 60:
        words.append("".join(random.choices(alphabet, k=random.randint(1, 9))))
    name = ("kk-" + "-".join(words))[:62]
    return name.rstrip("-") + random.choice(string.digits) * (63 - len(name.rstrip("-")))


def uts_of(pid: int, host_pid: int, host_name: str) -> str:
    """Whose UTS namespace pid is in (its host's, or its own) and the hostname it holds."""
    same = linux.ns_inode(pid, "uts") == linux.ns_inode(host_pid, "uts")
    name = uts.hostname_in(pid)
    return ("the host's UTS namespace, " if same else "a UTS namespace of its own, ") + (
        "hostname = the host's" if name == host_name else f"hostname {name!r}")


def said(outcome: str) -> str:
    return "refuses the config" if outcome == "refused" else f"puts the process in {outcome}"


def applied_or_refused(config: dict[str, Any]) -> str | None:
    """In the learner's held child: apply the config; what it refused, if it refused."""
    try:
        oci_config.apply_hostname(config)
    except ValueError as err:
        return str(err) or "ValueError"
    return None


@koan(man="uts_namespaces(7), sethostname(2), the OCI runtime spec (config.md: Hostname)",
      hints=["Whose name does sethostname(2) change? That of the UTS namespace the caller is in "
             "at that moment. And what does runc do with a hostname when the config lists no "
             "uts namespace?",
             "A {'type': 'uts'} entry in linux.namespaces means linux.unshare(CLONE_NEWUTS) "
             "first; then linux.sethostname(config['hostname']) when that is non-empty. A "
             "non-empty hostname without a uts entry: raise ValueError (runc refuses)."],
      needs=["root", "busybox", "runc"])
@pytest.mark.timeout(90)
def test_config_names_the_container_not_the_host(runc: Runc, rootfs: Path) -> None:
    """"hostname" renames the container's own UTS namespace — never the machine's: runc refuses
    a hostname without one. Your code runs behind a stand-in host; runc, for real, beside it."""
    name = adversarial_hostname()
    variants: list[tuple[bool, str | None]] = [
        (True, name), (True, None), (True, ""), (False, name), (False, None)]
    with uts.kept_hostname() as host_name:
        for own_uts, hostname in variants:
            def edit(config: dict[str, Any], own_uts: bool = own_uts,
                     hostname: str | None = hostname) -> None:
                config["process"]["args"] = ["sleep", "1000"]
                config["linux"]["namespaces"] = [
                    ns for ns in config["linux"]["namespaces"] if own_uts or ns["type"] != "uts"]
                config.pop("hostname", None)
                if hostname is not None:
                    config["hostname"] = hostname
            bundle, config = runc.bundle(rootfs, edit=edit)
            asked = f"hostname {hostname!r}" if hostname is not None else "no hostname"
            asked += " and a uts namespace" if own_uts else " and no uts namespace"
            try:
                cid, pid = runc.run_detached(bundle)
            except RuntimeError:
                real = "refused"
            else:
                try:
                    real = uts_of(pid, os.getpid(), host_name)
                finally:
                    runc("delete", "--force", cid)
            with held(decoy.run_behind, ["uts"], applied_or_refused, config) as h:
                behind: decoy.Behind = h.value
                stand_in = uts.hostname_in(h.pid)
                mine = "refused" if behind.value is not None else uts_of(behind.pid, h.pid, host_name)
            assert stand_in == host_name, (
                f"for a config with {asked}: the stand-in host's hostname became {stand_in!r} — "
                "sethostname ran in the host's UTS namespace, not one of the container's own")
            assert mine == real, (
                f"for a config with {asked}: runc {said(real)}; your code {said(mine)}"
                + (f" ({behind.value})" if behind.value else ""))


def mount_table(pid: int, root: str) -> dict[str, list[dict[str, Any]]]:
    """pid's mounts at or below `root`, by the path the container sees: what is mounted
    (fstype, the directory of it bound), the flags and tmpfs options that matter, and the
    mount it sits on ("/" for the container's root)."""
    def seen(point: str) -> str | None:
        if root == "/":
            return point
        return "/" if point == root else point[len(root):] if point.startswith(root + "/") else None

    entries = []
    for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines():
        left, right = line.split(" - ", 1)
        fields, super_fields = left.split(), right.split()
        entries.append((fields[0], fields[1], fields[3], fields[4], fields[5], super_fields))
    point_of = {mount_id: point for mount_id, _, _, point, _, _ in entries}
    table: dict[str, list[dict[str, Any]]] = {}
    for _, parent, fs_root, point, options, (fstype, _source, super_options) in entries:
        where = seen(point)
        if where is None:
            continue
        table.setdefault(where, []).append({
            "fstype": fstype, "root": fs_root,
            "flags": [o for o in options.split(",") if o in ("ro", "rw", "nosuid", "nodev", "noexec")],
            "tmpfs": [o for o in super_options.split(",") if o.startswith(("size=", "mode="))],
            "on": seen(point_of.get(parent, "")) or "/"})
    return table


def mounts_for(volume: Path) -> list[dict[str, Any]]:
    """A mounts list where options and order matter: binds told by their options alone,
    a bind inside a tmpfs, and a tmpfs listed after one it then covers."""
    size, mode = f"size={4 * random.randint(1, 250)}k", random.choice(["mode=1750", "mode=711"])
    return [
        {"destination": "/kk-data", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "nodev", "noexec", size, mode]},
        {"destination": "/kk-data/volume", "type": "bind", "source": str(volume),
         "options": ["rbind", "ro"]},
        {"destination": "/kk-rw", "type": "none", "source": str(volume),
         "options": ["bind", "nosuid", "rprivate"]},
        {"destination": "/kk-later/covered", "type": "tmpfs", "source": "tmpfs",
         "options": [f"size={4 * random.randint(1, 250)}k"]},
        {"destination": "/kk-later", "type": "tmpfs", "source": "tmpfs",
         "options": ["nodev", "mode=755"]},
    ]


def private_then_mount(config: dict[str, Any], root: str) -> None:
    """The koan gives the child a private mount namespace; the learner mounts in it."""
    linux.unshare(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    oci_config.apply_mounts(config, root)


@koan(man="the OCI runtime spec (config.md: Mounts), mount(2) (MS_BIND, MS_REMOUNT), tmpfs(5), "
          "proc(5) (/proc/[pid]/mountinfo)",
      hints=["Three things decide what a mounts entry becomes: its options (which of them are "
             "mount(2) flags, which go to the filesystem), whether it is a bind, and where it "
             "stands in the list. What does the kernel do with MS_RDONLY in the same call as "
             "MS_BIND?",
             "In the listed order: mkdir -p rootfs+destination; options like ro/nosuid/nodev/"
             "noexec are flags, bind/rbind make it a bind (whatever its type), the rest (size=, "
             "mode=) is the data string. A bind: mount(source, target, None, MS_BIND[|MS_REC]), "
             "then mount(None, target, None, MS_BIND|MS_REMOUNT|flags) when it has other flags; "
             "anything else: mount(source, target, type, flags, data)."],
      needs=["root", "busybox", "runc"])
@pytest.mark.timeout(60)
def test_config_mounts_what_it_lists_in_order(runc: Runc, rootfs: Path, scratch: Path) -> None:
    """"mounts" is a list, applied in order: options become flags and filesystem data, a bind
    only turns read-only when remounted. The koan compares your mounts with runc's, in mountinfo."""
    volume = scratch / "kk-volume"
    volume.mkdir()
    (volume / "kk-file").write_text("shared\n")
    mounts = mounts_for(volume)

    def edit(config: dict[str, Any]) -> None:
        config["process"]["args"] = ["sleep", "1000"]
        config["mounts"] += mounts
    bundle, config = runc.bundle(rootfs, edit=edit)
    cid, pid = runc.run_detached(bundle)
    try:
        real = mount_table(pid, "/")
    finally:
        runc("delete", "--force", cid)
    # Only the koan's mounts: runc's own (/proc, /sys, its cgroup view) depend on the host.
    root = scratch / "kk-root"
    root.mkdir()
    with held(private_then_mount, {**config, "mounts": mounts}, str(root)) as h:
        mine = mount_table(h.pid, str(root))
    for entry in mounts:
        where = entry["destination"]
        assert mine.get(where, []) == real.get(where, []), (
            f"at {where} ({entry['type']}, options {entry['options']}): the container runc made "
            f"has {real.get(where, [])} in its mountinfo; your process has {mine.get(where, [])}")

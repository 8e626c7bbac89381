"""M9 · mini-run against runc: the same bundle, the same container.

runc is the reference implementation of the runtime spec. Each koan gives both runtimes
the same config.json (random values in it) and compares what the kernel shows of the two
containers: /proc/<pid>/ns inodes, mountinfo, the cgroup files, what the program saw, the
exit status — and, for a bundle runc rejects, the refusal.
"""
from __future__ import annotations

import json
import os
import random
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kernel_koans import cgroups, exercise, koan, linux
from kernel_koans.fixtures.mini_run import MiniRun
from kernel_koans.fixtures.runtime import Runc

cli = exercise("projects/mini_run/cli")

Edit = Callable[[dict[str, Any]], None]


def pair(runc: Runc, mini_run: MiniRun, rootfs: Path, args: list[str],
         edit: Edit | None = None) -> tuple[Path, Path, dict[str, Any]]:
    """runc's default config with `args` and `edit`, as a bundle for each runtime."""
    def change(config: dict[str, Any]) -> None:
        config["process"]["args"] = args
        if edit is not None:
            edit(config)
    runc_bundle, config = runc.bundle(rootfs, edit=change)
    return runc_bundle, mini_run.bundle_like(config), config


def both_detached(runc: Runc, mini_run: MiniRun, runc_bundle: Path, mini_bundle: Path) -> tuple[int, int]:
    """Start the container under each runtime, detached; (runc's init pid, mini-run's)."""
    _, theirs = runc.run_detached(runc_bundle)
    cid = mini_run.new_id()
    made = mini_run("create", "--bundle", str(mini_bundle), cid)
    assert made.returncode == 0, f"mini-run create refused a bundle runc ran: {made.stderr.strip()[-300:]}"
    started = mini_run("start", cid)
    assert started.returncode == 0, f"mini-run start failed: {started.stderr.strip()[-300:]}"
    state = json.loads(mini_run("state", cid).stdout)
    return theirs, int(state["pid"])


def both_foreground(runc: Runc, mini_run: MiniRun, runc_bundle: Path, mini_bundle: Path) -> tuple[Any, Any]:
    theirs = runc("run", "--bundle", str(runc_bundle), runc.new_id())
    mine = mini_run("run", "--bundle", str(mini_bundle), mini_run.new_id())
    return theirs, mine


@koan(man="the OCI runtime spec (config.md: process, hostname), runc(8)",
      hints=["Everything the program sees of itself comes from config.json's process and "
             "hostname: run the same bundle under runc and compare line by line.",
             "chdir(cwd) (made if missing), setgroups(additionalGids), setgid, setuid, then execve "
             "with exactly process.env plus HOME (from the rootfs's /etc/passwd, else /)."],
      needs=["root", "busybox", "runc"])
def test_the_same_bundle_gives_the_same_process(runc: Runc, mini_run: MiniRun, rootfs: Path) -> None:
    """What the program finds — hostname, uid, gid, groups, working directory, environment —
    is the runtime's doing; for the same bundle it must be what runc gives."""
    uid, gid = random.randint(1000, 60000), random.randint(1000, 60000)
    extra = sorted(random.sample(range(100, 999), 2))
    name, value = f"KK_{secrets.token_hex(3).upper()}", f"a b={secrets.token_hex(4)}"
    cwd = f"/kk-{secrets.token_hex(3)}/work"

    def edit(config: dict[str, Any]) -> None:
        config["hostname"] = f"kk-{secrets.token_hex(4)}"
        config["process"]["user"] = {"uid": uid, "gid": gid, "additionalGids": extra}
        config["process"]["cwd"] = cwd
        config["process"]["env"] = [*config["process"]["env"], f"{name}={value}"]

    script = "echo host=$(hostname) ids=$(id -u),$(id -g) groups=$(id -G) cwd=$(pwd); env | sort"
    rb, mb, _ = pair(runc, mini_run, rootfs, ["sh", "-c", script], edit)
    theirs, mine = both_foreground(runc, mini_run, rb, mb)
    assert theirs.returncode == 0, f"runc failed on the bundle: {theirs.stderr.strip()[-300:]}"
    assert mine.returncode == 0, f"mini-run failed on the bundle: {mine.stderr.strip()[-300:]}"
    ours, ref = mine.stdout.splitlines(), theirs.stdout.splitlines()
    differ = sorted(set(ours) ^ set(ref))
    assert ours == ref, (
        "the program saw something else under mini-run than under runc; the lines that differ "
        f"(runc's then yours): {[line for line in differ if line in ref]} vs "
        f"{[line for line in differ if line in ours]}")


OPTIONAL = ("ipc", "uts", "cgroup")
NS_NAME = {"pid": "pid", "mount": "mnt", "network": "net", "ipc": "ipc", "uts": "uts", "cgroup": "cgroup"}


@koan(man="namespaces(7), setns(2), the OCI runtime spec (config-linux.md: Namespaces)",
      hints=["linux.namespaces lists the kinds the container gets new; a kind with a path is "
             "joined; a kind not listed is the host's.",
             "setns(open(path), flag) for each path, then one unshare of the new ones; the pid "
             "namespace in the parent, before the fork, so the child is born in it."],
      needs=["root", "busybox", "runc"])
def test_the_same_namespaces_new_shared_or_joined(runc: Runc, mini_run: MiniRun, rootfs: Path) -> None:
    """A random set of namespace kinds new, the network namespace joined by path (a running
    runc container's), the rest the host's: the same inodes under both runtimes."""
    _, target = runc.run_detached(runc.bundle(rootfs, edit=lambda c: c["process"].update(
        args=["sleep", "300"]))[0])
    chosen = [k for k in OPTIONAL if random.random() < 0.5]

    def edit(config: dict[str, Any]) -> None:
        config["linux"]["namespaces"] = (
            [{"type": "pid"}, {"type": "mount"}, {"type": "network", "path": f"/proc/{target}/ns/net"}]
            + [{"type": k} for k in chosen])
        if "uts" not in chosen:
            config.pop("hostname", None)

    rb, mb, _ = pair(runc, mini_run, rootfs, ["sleep", "300"], edit)
    theirs, mine = both_detached(runc, mini_run, rb, mb)

    def shape(pid: int) -> dict[str, str]:
        out = {}
        for kind, name in NS_NAME.items():
            inode = linux.ns_inode(pid, name)
            out[kind] = ("host" if inode == linux.ns_inode(os.getpid(), name) else
                         "joined" if inode == linux.ns_inode(target, name) and kind == "network" else "new")
        return out

    ref, ours = shape(theirs), shape(mine)
    wrong = {k: (ref[k], ours[k]) for k in ref if ref[k] != ours[k]}
    assert not wrong, (f"namespaces (new kinds {['pid', 'mount', *chosen]}, network joined): "
                       f"(runc, mini-run) differ for {wrong}")


MOUNT_FLAGS = ("ro", "nosuid", "nodev", "noexec")
"""The per-mount flags the OCI options set (mountinfo's fifth field); atime ones are left out."""


def mount_shape(pid: int) -> list[tuple[str, str, str]]:
    """(mount point, filesystem type, its flags among ro/nosuid/nodev/noexec) of every mount
    the process sees, sorted."""
    out = []
    for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fields = left.split()
        flags = [f for f in fields[5].split(",") if f in MOUNT_FLAGS]
        out.append((fields[4], right.split()[0], ",".join(flags) or "rw"))
    return sorted(out)


@koan(man="mount(2), mount_namespaces(7), proc(5) (/proc/[pid]/mountinfo), the OCI runtime spec "
          "(config.md: Mounts; config-linux.md: readonlyPaths, maskedPaths)",
      hints=["Every entry of config.mounts becomes one mount below the rootfs before pivot_root; "
             "what is an option for the kernel (ro, nosuid, ...) and what is data (size=, mode=)?",
             "Flags for ro/nosuid/nodev/noexec/..., the rest joined as data; a bind mount takes "
             "ro only by a second mount(MS_BIND|MS_REMOUNT|MS_RDONLY). After pivot: readonlyPaths "
             "bound onto themselves read-only, maskedPaths covered (/dev/null, or a read-only tmpfs)."],
      needs=["root", "busybox", "runc"])
def test_the_same_mount_table(runc: Runc, mini_run: MiniRun, rootfs: Path, scratch: Path) -> None:
    """config.mounts, readonlyPaths and maskedPaths become the container's mount table: the
    same mount points, types and flags (ro, nosuid, nodev, noexec) as runc makes, random names
    included. Every flag is set on one tmpfs and none on another, so a flag dropped, or one
    set on every mount, shows; masked paths are files and a directory, in a random order."""
    tmp_at, bare_at, bind_at = (f"/kk-{secrets.token_hex(3)}" for _ in range(3))
    tmp_opts = random.sample(list(MOUNT_FLAGS), len(MOUNT_FLAGS)) + [f"size={random.randint(1, 9)}m"]
    masked_dir = random.choice([d for d in ("/proc/irq", "/proc/fs", "/proc/driver") if Path(d).is_dir()])
    masked = random.sample(["/proc/version", "/proc/uptime", "/proc/loadavg", "/proc/cpuinfo", masked_dir], 5)
    # "bind" or "rbind" always: runc 1.1 hands a type "bind" entry without one to mount(2) as a
    # filesystem type, and fails (ENODEV) before the two tables could be compared.
    bind_opts = [random.choice(["bind", "rbind"])] + random.sample(["nosuid"], random.randint(0, 1)) + ["ro"]

    def edit(config: dict[str, Any]) -> None:
        config["mounts"] = [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": tmp_at, "type": "tmpfs", "source": "tmpfs", "options": tmp_opts},
            {"destination": bare_at, "type": "tmpfs", "source": "tmpfs", "options": [f"size={random.randint(1, 9)}m"]},
            {"destination": bind_at, "type": "bind", "source": str(scratch), "options": bind_opts},
        ]
        config["linux"]["readonlyPaths"] = ["/proc/sys", "/proc/bus"]
        config["linux"]["maskedPaths"] = masked

    rb, mb, _ = pair(runc, mini_run, rootfs, ["sleep", "300"], edit)
    theirs, mine = both_detached(runc, mini_run, rb, mb)
    ref, ours = mount_shape(theirs), mount_shape(mine)
    assert ours == ref, (f"the mount tables differ (mount point, type, ro/rw): only runc's: "
                         f"{sorted(set(ref) - set(ours))}; only mini-run's: {sorted(set(ours) - set(ref))}")


def limits_of(pid: int) -> dict[str, str]:
    """The memory and cpu limits in pid's own cgroups, v2 names or v1 names."""
    layout = cgroups.read_layout()
    found: dict[str, str] = {}
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        names = controllers.split(",") if controllers else []
        if not names and layout.mode == "unified" and layout.v2_mount is not None:
            base = layout.v2_mount / path.lstrip("/")
            files = ["memory.max", "cpu.max"]
        elif "memory" in names and "memory" in layout.v1_mounts:
            base, files = layout.v1_mounts["memory"] / path.lstrip("/"), ["memory.limit_in_bytes"]
        elif "cpu" in names and "cpu" in layout.v1_mounts:
            base, files = layout.v1_mounts["cpu"] / path.lstrip("/"), ["cpu.cfs_quota_us", "cpu.cfs_period_us"]
        else:
            continue
        for name in files:
            if (base / name).exists():
                found[name] = (base / name).read_text().strip()
    return found


@koan(man="cgroups(7), the OCI runtime spec (config-linux.md: Control groups), runc(8)",
      hints=["linux.resources.memory.limit and linux.resources.cpu.quota/period: where does runc "
             "write them on this host? Look at /proc/<pid>/cgroup of a runc container.",
             "The cgroupsPath in every hierarchy (v1: memory and cpu; v2: the one tree with "
             "+memory +cpu in each parent's subtree_control); period before quota on v1."],
      needs=["root", "busybox", "runc", "cgroup:memory", "cgroup:cpu"])
def test_the_same_cgroup_limits(runc: Runc, mini_run: MiniRun, rootfs: Path) -> None:
    """linux.resources become files in the container's own cgroup: the same files with the same
    values as runc writes, read from the exact cgroup each container is in."""
    memory = random.randint(16, 300) << 20
    period = random.choice([50_000, 200_000, 250_000])  # not the default: a period must be written
    quota = random.randint(10, 150) * period // 100

    def edit(config: dict[str, Any]) -> None:
        config["linux"]["resources"] = {"memory": {"limit": memory},
                                        "cpu": {"quota": quota, "period": period}}

    rb, mb, _ = pair(runc, mini_run, rootfs, ["sleep", "300"], edit)
    theirs, mine = both_detached(runc, mini_run, rb, mb)
    ref, ours = limits_of(theirs), limits_of(mine)
    assert ref, "runc's container shows no memory or cpu limit (is the host's layout readable?)"
    assert ours == ref, f"the limits in the container's own cgroups: runc's {ref}, mini-run's {ours}"


@koan(man="wait(2), runc-run(8)",
      hints=["`runc run ID` waits for the container and exits with its status. Does yours?",
             "run without -d: create, let it go at once, waitpid, clean up, return the status."],
      needs=["root", "busybox", "runc"])
def test_the_same_exit_status(runc: Runc, mini_run: MiniRun, rootfs: Path) -> None:
    """`run ID` in the foreground returns the program's own exit status, as runc does."""
    code = random.randint(3, 125)
    rb, mb, _ = pair(runc, mini_run, rootfs, ["sh", "-c", f"exit {code}"])
    theirs, mine = both_foreground(runc, mini_run, rb, mb)
    assert (theirs.returncode, mine.returncode) == (code, code), (
        f"the program exited {code}: runc ran {theirs.returncode}, mini-run {mine.returncode} "
        f"({mine.stderr.strip()[-200:] or 'no message'})")


def bad_cwd(config: dict[str, Any]) -> None:
    config["process"]["cwd"] = f"kk-{secrets.token_hex(2)}/relative"


def no_args(config: dict[str, Any]) -> None:
    config["process"]["args"] = []


def no_rootfs(config: dict[str, Any]) -> None:
    config["root"]["path"] = f"/nonexistent/kk-{secrets.token_hex(3)}"


def odd_namespace(config: dict[str, Any]) -> None:
    config["linux"]["namespaces"].append({"type": f"kk{secrets.token_hex(2)}"})


def hostname_without_uts(config: dict[str, Any]) -> None:
    config["linux"]["namespaces"] = [n for n in config["linux"]["namespaces"] if n["type"] != "uts"]
    config["hostname"] = f"kk-{secrets.token_hex(3)}"


BROKEN: list[Edit] = [bad_cwd, no_args, no_rootfs, odd_namespace, hostname_without_uts]


@koan(man="the OCI runtime spec (config.md), runc-create(8)",
      hints=["A runtime checks the bundle before it makes anything: which configs does runc "
             "refuse outright?",
             "Refuse (non-zero exit, a message) an empty process.args, a relative cwd, a missing "
             "root.path, an unknown namespace type, a hostname without a uts namespace — and make "
             "no container for them."],
      needs=["root", "busybox", "runc"])
def test_the_same_refusal_of_a_broken_bundle(runc: Runc, mini_run: MiniRun, rootfs: Path) -> None:
    """A bundle runc rejects must be rejected by mini-run too, with no container left that
    `state` would know; every broken bundle is tried, in a random order (a runtime that lacks
    one refusal must fail every run, not the runs that happen to draw it)."""
    for broken in random.sample(BROKEN, len(BROKEN)):
        rb, mb, _ = pair(runc, mini_run, rootfs, ["sleep", "300"], broken)
        rid, mid = runc.new_id(), mini_run.new_id()
        theirs = runc("create", "--bundle", str(rb), rid)
        mine = mini_run("create", "--bundle", str(mb), mid)
        assert theirs.returncode != 0, f"runc accepted the {broken.__name__} bundle (the koan's premise)"
        assert mine.returncode != 0, f"mini-run accepted a bundle runc refuses ({broken.__name__})"
        assert mini_run("state", mid).returncode != 0, (
            f"mini-run refused the {broken.__name__} bundle but `state` knows the container")

"""M0 koans · PID 1, systemd, and the cgroup mode it chose."""
from __future__ import annotations

import os
import select
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from kernel_koans import cgroups, exercise, in_child, koan, linux

init = exercise("m00/init")


def stat_fields(pid: int) -> tuple[str, int]:
    """(comm, ppid) from /proc/<pid>/stat; comm is between the first '(' and the last ')'."""
    text = Path(f"/proc/{pid}/stat").read_text()
    comm = text[text.index("(") + 1:text.rindex(")")]
    return comm, int(text[text.rindex(")") + 1:].split()[1])


@koan(man="proc(5)",
      hints=["A nudge: `ps -o pid,ppid,comm` shows who started whom. Follow the ppid column up.",
             "The mechanism: the 4th field of /proc/<pid>/stat is the parent's pid; the 2nd, in "
             "parentheses, is the name and may hold spaces, so split after the last ')'. Stop "
             "at the process whose parent is 0: the kernel started it."])
def test_every_process_descends_from_pid_1(spawn) -> None:
    """The kernel starts one process, PID 1; every other one is its descendant, and orphans
    are handed back to it. In a container, your entrypoint gets this job."""
    # Ancestors with names that are not single words: a stat line split on spaces, or cut
    # at the first ')', reads their parent's pid as 1.
    parent = spawn([sys.executable, "-c", PARENT], stdout=subprocess.PIPE)
    assert parent.stdout is not None
    line = parent.stdout.readline() if select.select([parent.stdout], [], [], 10)[0] else b""
    assert line.strip().isdigit(), f"setup: the koan's processes never said they were ready ({line!r})"
    spawn.track(int(line))
    for pid in (int(line), parent.pid):
        assert stat_fields(pid)[0] in ODD_NAMES, f"setup: pid {pid} did not take its odd name"
    got = init.ancestry(int(line))
    _check_chain(int(line), got)
    assert got[1:3] == [parent.pid, os.getpid()], (
        f"pid {int(line)} ({ODD_NAMES[0]!r}) is the child of {parent.pid} "
        f"({ODD_NAMES[1]!r}), itself a child of this koan ({os.getpid()})")
    # The kernel's own threads descend from kthreadd (pid 2), whose parent is 0 too.
    kthreads = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
                if pid != 1 and _parent_is_kthreadd(pid)]
    if kthreads:
        chain = init.ancestry(kthreads[0])
        assert chain == [kthreads[0], 2], (
            f"kernel thread {kthreads[0]} ({stat_fields(kthreads[0])[0]}) is a child of kthreadd "
            f"(pid 2), whose parent is 0; ancestry() said {chain!r}")
    me = os.getpid()
    chain = init.ancestry(me)
    if me != 1:
        assert chain[1:2] == [os.getppid()], (
            f"getppid() says this process's parent is {os.getppid()}; ancestry() says {chain[1:2]}")
    _check_chain(me, chain)


ODD_NAMES = ("a) b 1 (c", "p) S 1 (q")
"""The names (comm) of the koan's grandchild and child."""
CHILD = (f"import os, time; open('/proc/self/comm', 'w').write({ODD_NAMES[0]!r}); "
         "print(os.getpid(), flush=True); time.sleep(60)")
PARENT = (f"import subprocess, sys; open('/proc/self/comm', 'w').write({ODD_NAMES[1]!r}); "
          f"subprocess.run([sys.executable, '-c', {CHILD!r}])")


def _parent_is_kthreadd(pid: int) -> bool:
    try:
        return stat_fields(pid)[1] == 2 and stat_fields(2)[1] == 0
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return False


def _check_chain(start: int, chain: object) -> None:
    """Each link of `chain` is what /proc/<pid>/stat says, and it ends where the parent is 0."""
    assert isinstance(chain, list) and chain, f"ancestry({start}) returned {chain!r}, not a list of pids"
    assert chain[0] == start, f"ancestry({start}) must start with {start} itself, not {chain[0]!r}"
    for child, parent in pairwise(chain):
        assert stat_fields(child)[1] == parent, (
            f"/proc/{child}/stat (comm {stat_fields(child)[0]!r}) names {stat_fields(child)[1]} "
            f"as the parent; ancestry() says {parent}")
    top_comm, top_parent = stat_fields(chain[-1])
    assert top_parent == 0, (
        f"ancestry() stopped at pid {chain[-1]} ({top_comm}), whose parent is {top_parent}, not 0")
    assert 1 not in chain[:-1], "PID 1 is in the chain, but not at its end"


@koan(man="sd_booted(3)",
      hints=["A nudge: your machine may or may not run systemd. What is PID 1 here? "
             "`cat /proc/1/comm`.",
             "The mechanism: sd_booted(3) checks whether the directory /run/systemd/system/ "
             "exists; systemd creates it early at boot, and nothing else does."])
def test_systemd_is_init_only_when_pid_1_is_systemd() -> None:
    """Whether systemd runs the machine decides whether systemctl and unit files mean anything
    here. Containers, WSL and sandboxes often boot without it: ask, do not assume."""
    comm, _ = stat_fields(1)
    try:
        exe = os.path.basename(os.readlink("/proc/1/exe"))
    except OSError:  # not root: PID 1's exe link is not ours to read
        exe = ""
    expected = "systemd" in (comm, exe)
    got = init.systemd_booted()
    assert got is expected, (f"PID 1 is {comm!r} ({exe or 'exe unreadable'}), so systemd "
                             f"{'is' if expected else 'is not'} this system's init; "
                             f"systemd_booted() said {got!r}")
    if os.geteuid() != 0:
        return
    # Stand-in systems (new PID and mount namespaces), one booted by "systemd" and one not:
    # one fixed answer cannot be right for both.
    for booted in (True, False):
        comm, got = in_child(_systemd_stand_in, booted)
        assert got is booted, (f"in a stand-in system whose PID 1 is {comm!r} (with its own "
                               f"/proc and /run), systemd_booted() said {got!r}")


def _systemd_stand_in(booted: bool) -> tuple[str, bool]:
    """Run in a child: a new PID namespace whose PID 1 calls systemd_booted() after taking
    the name systemd (and creating /run/systemd/system, as systemd does) or not."""
    linux.unshare(linux.CLONE_NEWPID | linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    return in_child(_as_stand_in_init, booted)


def _as_stand_in_init(booted: bool) -> tuple[str, bool]:
    assert os.getpid() == 1, "setup: the stand-in's init is not PID 1"
    linux.mount("proc", "/proc", "proc")
    linux.mount("kk-run", "/run", "tmpfs")
    if booted:
        Path("/proc/self/comm").write_text("systemd")
        os.makedirs("/run/systemd/system")
    return stat_fields(1)[0], init.systemd_booted()


def v1_hierarchies_in_proc_self_cgroup() -> list[str]:
    """The v1 lines of /proc/self/cgroup (cgroups(7)): `N:controllers:path`, one per v1
    hierarchy with controllers; v2 adds a `0::path` line."""
    return [line for line in Path("/proc/self/cgroup").read_text().splitlines()
            if set(line.split(":", 2)[1].split(",")) & set(cgroups.KNOWN_V1)]


@koan(man="cgroups(7)",
      hints=["A nudge: `stat -f /sys/fs/cgroup` prints the filesystem type there. On a unified "
             "host it is cgroup2; on a hybrid one it is a tmpfs holding one mount per controller.",
             "The mechanism: linux.statfs_magic('/sys/fs/cgroup') == 0x63677270 "
             "(CGROUP2_SUPER_MAGIC) means unified; otherwise cgroup2 at /sys/fs/cgroup/unified "
             "means hybrid; otherwise legacy."])
def test_the_host_runs_cgroups_unified_hybrid_or_legacy() -> None:
    """Resource limits (docker run --memory) are cgroups, and v1 and v2 differ in every file
    name. Know which one your host runs before you read a guide written for the other."""
    layout = cgroups.read_layout()
    if layout.mode == "none":
        pytest.skip("this host mounts no cgroup filesystem at all")
    got = init.cgroup_mode()
    assert got == layout.mode, (f"/proc/self/mountinfo shows a {layout.describe()}, so the mode "
                                f"is {layout.mode!r}; cgroup_mode() said {got!r}")
    v1 = v1_hierarchies_in_proc_self_cgroup()
    assert (got == "unified") == (not v1), (
        f"/proc/self/cgroup lists {len(v1)} v1 hierarchies (e.g. {v1[:1]}); "
        f"cgroup_mode() said {got!r}")
    if os.geteuid() != 0:
        return
    # Stand-in /sys/fs/cgroup trees in a private mount namespace, one unified and one hybrid:
    # one fixed answer cannot be right for both.
    for wanted in ("unified", "hybrid"):
        seen, got = in_child(_cgroup_stand_in, wanted)
        if seen is None:
            continue  # no v1 controller could be mounted here: no hybrid stand-in on this host
        assert seen == wanted, f"setup: the stand-in's mountinfo shows a {seen} layout, not {wanted}"
        assert got == wanted, (f"with /sys/fs/cgroup remounted as a {wanted} layout (mountinfo "
                               f"says so), cgroup_mode() said {got!r}")


def _cgroup_stand_in(wanted: str) -> tuple[str | None, str]:
    """Run in a child: a private mount namespace whose /sys/fs/cgroup is rebuilt as `wanted`;
    (the mode its mountinfo shows, what cgroup_mode() says there)."""
    root = "/sys/fs/cgroup"
    linux.unshare(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    linux.umount2(root, linux.MNT_DETACH)  # the whole tree, submounts included
    if wanted == "unified":
        linux.mount("kk-cgroup2", root, "cgroup2")
    else:
        linux.mount("kk-cgroup", root, "tmpfs")
        os.mkdir(f"{root}/unified")
        linux.mount("kk-cgroup2", f"{root}/unified", "cgroup2")
        for controller in ("pids", "net_cls", "perf_event", "freezer", "memory"):
            os.mkdir(f"{root}/{controller}")
            try:  # the host's v1 hierarchy again, or a v1 controller v2 does not use
                linux.mount("kk-cgroup", f"{root}/{controller}", "cgroup", data=controller)
                break
            except OSError:
                os.rmdir(f"{root}/{controller}")
        else:
            return None, ""
    return cgroups.read_layout().mode, init.cgroup_mode()

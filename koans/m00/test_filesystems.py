"""M0 koans · the Linux directory tree: kernel filesystems and /proc."""
from __future__ import annotations

import os
import random
import select
import subprocess
import sys
from pathlib import Path

from kernel_koans import cgroups, exercise, in_child, koan, linux, procfs

filesystems = exercise("m00/filesystems")

ALWAYS = ("/proc", "/sys")
"""Mounted on every Linux system a koan runs on."""
WHEN_MOUNTED = ("/dev/pts", "/dev/shm", "/dev/mqueue")
"""Checked when mountinfo shows a mount exactly there."""


def fstype_by_device(path: str, table: dict[str, tuple[str, str]]) -> str:
    """The fstype mountinfo gives the filesystem whose device number stat(2) reports for path."""
    dev = os.stat(path).st_dev
    wanted = f"{os.major(dev)}:{os.minor(dev)}"
    types = {fstype for device, fstype in table.values() if device == wanted}
    assert len(types) == 1, f"mountinfo has {len(types)} filesystem types for device {wanted} ({path})"
    return types.pop()


def cgroup_points(table: dict[str, tuple[str, str]]) -> list[str]:
    """/sys/fs/cgroup, the v2 mount and one v1 mount, as far as this host has them."""
    layout = cgroups.read_layout()
    points = ["/sys/fs/cgroup"] if "/sys/fs/cgroup" in table else []
    if layout.v2_mount is not None:
        points.append(str(layout.v2_mount))
    points += [str(p) for p in sorted(set(layout.v1_mounts.values()))[:1]]
    return points


def same_file(a: object, b: object) -> bool:
    try:
        return os.path.samefile(str(a), str(b))
    except OSError:
        return False


@koan(man="statfs(2)",
      hints=["A nudge: /proc and /sys are not directories on your disk. Which filesystem type "
             "does the kernel say holds them? `stat -f /proc` asks the same question.",
             "The mechanism: linux.statfs_magic(path) returns f_type; statfs(2) lists the magic "
             "numbers: PROC_SUPER_MAGIC 0x9fa0, SYSFS_MAGIC 0x62656572, TMPFS_MAGIC 0x01021994, "
             "CGROUP2_SUPER_MAGIC 0x63677270, CGROUP_SUPER_MAGIC 0x27e0eb, DEVPTS_SUPER_MAGIC "
             "0x1cd1, MQUEUE_MAGIC 0x19800202."])
def test_proc_and_sys_are_filesystems_the_kernel_makes_up(scratch: Path) -> None:
    """/proc and /sys hold no file on any disk: the kernel writes each one as you read it.
    statfs(2) names the filesystem behind a path, and mountinfo must agree."""
    table = {point: (m.device, m.fstype) for point, m in procfs.mounts().items()}
    paths = [*ALWAYS, *(p for p in WHEN_MOUNTED if p in table), *cgroup_points(table)]
    assert fstype_by_device("/proc", table) == "proc", "mountinfo: /proc is not a proc mount"
    assert fstype_by_device("/sys", table) == "sysfs", "mountinfo: /sys is not a sysfs mount"
    for path in dict.fromkeys(paths):
        expected = fstype_by_device(path, table)
        got = filesystems.filesystem_type(path)
        assert got == expected, (f"{path}: /proc/self/mountinfo says the filesystem there is "
                                 f"{expected!r}; filesystem_type() said {got!r}")
    if os.geteuid() != 0:
        return
    # The same kernel filesystems mounted again, on directories whose names say nothing.
    for path, expected, got in in_child(_types_at_fresh_mounts, scratch):
        assert got == expected, (f"{path} (a fresh {expected} mount in a private mount namespace): "
                                 f"/proc/self/mountinfo says {expected!r}; filesystem_type() said {got!r}")


def _types_at_fresh_mounts(scratch: Path) -> list[tuple[str, str, str]]:
    """Run in a child: a private mount namespace with proc, sysfs, tmpfs, mqueue and cgroup2
    mounted, in a random order, on kk-<random> directories; (path, mountinfo's type, yours)."""
    linux.unshare(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    kinds = ["proc", "sysfs", "tmpfs", "mqueue", "cgroup2"]
    random.shuffle(kinds)
    paths = []
    for kind in kinds:
        path = scratch / f"kk-{os.urandom(4).hex()}"
        path.mkdir()
        linux.mount(f"kk-{kind}", str(path), kind)
        paths.append(str(path))
    table = {point: (m.device, m.fstype) for point, m in procfs.mounts().items()}
    return [(path, fstype_by_device(path, table), filesystems.filesystem_type(path)) for path in paths]


@koan(man="proc(5)",
      hints=["A nudge: every running process has a directory /proc/<pid>. `ls -l /proc/self/` "
             "shows yours: exe, cwd, cmdline, stat, status.",
             "The mechanism: os.readlink() the exe and cwd links; cmdline is argv joined by NUL "
             "bytes (with one at the end); the 4th field of stat, after the name in "
             "parentheses, is the parent's pid."])
def test_proc_pid_is_the_kernels_view_of_a_process(spawn, scratch: Path) -> None:
    """A process is a program, a working directory, an argv and a parent — and the kernel
    shows all four under /proc/<pid>. ps, top and docker top read nothing else."""
    # A process that is not ordinary: its argv[0] is not its program, one argument holds a
    # space and the last is empty, and its name (comm) holds ') ' and digits.
    argv = [f"kk-{os.urandom(3).hex()}) 9 (x", "-c", CHILD, "one arg", ""]
    # Started by a parent of the koan's choosing (not you), in a directory of its choosing.
    parent = spawn([sys.executable, "-c", PARENT, sys.executable, *argv], cwd=scratch,
                   stdout=subprocess.PIPE)
    assert parent.stdout is not None
    ready = select.select([parent.stdout], [], [], 10)[0]
    line = parent.stdout.readline() if ready else b""
    assert line.strip().isdigit(), f"setup: the koan's process never said it was ready ({line!r})"
    pid = int(line)
    spawn.track(pid)
    assert Path(f"/proc/{pid}/comm").read_text() == COMM + "\n", "setup: the odd comm did not stick"
    view = filesystems.process_view(pid)
    assert isinstance(view, dict), f"process_view() returned {type(view).__name__}, not a dict"
    assert same_file(view.get("exe"), sys.executable), (
        f"the koan started {os.path.realpath(sys.executable)} as pid {pid} (argv[0] "
        f"{argv[0]!r}); process_view() says its exe is {view.get('exe')!r}")
    assert same_file(view.get("cwd"), scratch), (
        f"the koan started pid {pid} in {scratch}; process_view() says its cwd is {view.get('cwd')!r}")
    assert view.get("argv") == argv, (
        f"the koan started pid {pid} with argv {argv}; process_view() says {view.get('argv')!r}")
    assert view.get("ppid") == parent.pid, (
        f"pid {pid} (named {COMM!r}) is the child of the koan's process {parent.pid}; "
        f"process_view() says its parent is {view.get('ppid')!r}")


COMM = "a) b 1 (c"
"""The name the koan's process gives itself: a stat line split on spaces, or cut at the first
')', reads the parent's pid as 1."""
PARENT = "import subprocess, sys; subprocess.run(sys.argv[2:], executable=sys.argv[1])"
"""Runs argv[2:] with the program argv[1]: argv[0] needs not name the program (execve(2))."""
CHILD = (f"import os, time; open('/proc/self/comm', 'w').write({COMM!r}); "
         "print(os.getpid(), flush=True); time.sleep(60)")

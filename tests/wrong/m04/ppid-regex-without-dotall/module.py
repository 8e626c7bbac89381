"""Reference twin: signals, PID 1, subreapers and the process tree.

The koans start the PID namespaces and the processes; these functions send the
signals, adopt the orphans and read the tree, and the koans watch what the
kernel did.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from kernel_koans import linux


def signal_pid1_from_inside(host_pid: int, signum: int) -> None:
    """Send `signum` to PID 1 of the namespace whose init is `host_pid`, from a
    process inside that namespace."""
    fd = os.open(f"/proc/{host_pid}/ns/pid", os.O_RDONLY)
    try:
        # setns(CLONE_NEWPID) changes where our *children* go, not ourselves.
        linux.setns(fd, linux.CLONE_NEWPID)
    finally:
        os.close(fd)
    child = os.fork()
    if child == 0:
        code = 0
        try:
            os.kill(1, signum)  # PID 1 as numbered inside the namespace
        except OSError:
            code = 1
        os._exit(code)
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise OSError(f"kill(1, {signum}) inside the namespace failed")


def _running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (we are not its parent, so we cannot wait)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def stop(pid: int, grace: float) -> None:
    """What `docker stop` does: SIGTERM, wait up to `grace` seconds, then SIGKILL."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _running(pid):
            return
        time.sleep(0.02)
    try:
        os.kill(pid, signal.SIGKILL)  # the one signal PID 1 cannot ignore (from outside)
    except ProcessLookupError:
        pass


def reap_as_subreaper(argv: list[str]) -> int:
    """Run argv as a mini-init: adopt orphans, reap every descendant, return argv's exit code."""
    linux.set_child_subreaper(True)
    main = subprocess.Popen(argv)
    code = 0
    while True:
        try:
            pid, status = os.wait()  # any child: argv, or an orphan the kernel handed us
        except ChildProcessError:
            return code  # no children left at all
        if pid == main.pid:
            main.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
            code = os.waitstatus_to_exitcode(status) % 256


def ppid_of(stat_line: str) -> int:
    """The parent pid in a /proc/<pid>/stat line.

    The command name (field 2) is in parentheses and may itself hold spaces and
    parentheses, so split after the *last* ')': state, then ppid.
    """
    import re

    return int(re.match(r"\d+ \((.*)\) \S+ (-?\d+)", stat_line).group(2))


def process_tree(root: int) -> dict[int, list[int]]:
    """Every pid in root's subtree (root included) mapped to its sorted children."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parents[int(entry.name)] = ppid_of((entry / "stat").read_text())
        except (FileNotFoundError, ProcessLookupError):
            continue  # gone while we looked
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    tree: dict[int, list[int]] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        tree[pid] = sorted(children.get(pid, []))
        todo.extend(tree[pid])
    return tree

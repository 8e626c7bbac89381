"""`koans watch` driven through a pseudo-terminal, as a learner's keyboard and editor would."""
from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kernel_koans import progress
from kernel_koans.cli import watch


class Screen:
    """The far end of the pty: what watch wrote, and keys to send it."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.text = ""

    def wait_for(self, needle: str, after: int = 0, timeout: float = 60.0) -> int:
        """Read until `needle` appears past offset `after`; its offset."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.text.find(needle, after)
            if found >= 0:
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{needle!r} did not appear within {timeout} s; screen:\n{self.text[after:][-3000:]}")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.2))
            if ready:
                try:
                    self.text += os.read(self.fd, 65536).decode(errors="replace")
                except OSError:  # the child closed the pty
                    time.sleep(0.05)

    def press(self, key: str) -> int:
        offset = len(self.text)
        os.write(self.fd, key.encode())
        return offset


def _koans_exe() -> str:
    exe = Path(sys.executable).with_name("koans")
    if not exe.exists():
        pytest.skip("the koans console script is not installed: pip install -e .")
    return str(exe)


def test_watch_reruns_on_save_and_moves_on_after_a_pass(kk) -> None:
    kk.manifest(m00=["test_a.py"], m01=["test_b.py"])
    kk.adder("m00", "test_a.py")
    kk.adder("m01", "test_b.py")
    master, slave = pty.openpty()
    proc = subprocess.Popen([_koans_exe(), "watch"], cwd=kk.root, env=dict(os.environ),
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    screen = Screen(master)
    try:
        # the first koan runs at once and its learner-facing failure is shown
        at = screen.wait_for("Koan: koans/m00/test_a.py::test_m00_adds")
        at = screen.wait_for("Not written yet: `x.add` (koans/m00/x.py:2)", at)
        screen.wait_for("Hint:     A nudge: plus.", at)
        assert "The mechanism" not in screen.text
        # h: the next hint tier, remembered as `koans hint` remembers it
        at = screen.wait_for("Hint 2/2: The mechanism: return a + b.", screen.press("h"))
        assert progress.load_hints_seen() == {"koans/m00/test_a.py::test_m00_adds": 2}
        # a save re-runs the koan within 2 s
        time.sleep(1.0)  # let the watcher settle after the first run
        at = len(screen.text)
        (kk.root / "koans/m00/x.py").write_text("def add(a, b):\n    return a - b\n")
        saved = time.monotonic()
        at = screen.wait_for("running test_m00_adds", at, timeout=10)
        assert time.monotonic() - saved < 2.0, "the save did not start a re-run within 2 s"
        screen.wait_for("The kernel disagrees", at)
        # the twin passes: the pass is shown and watch moves on to the next koan
        at = len(screen.text)
        shutil.copy(kk.root / "solutions/m00/x.py", kk.root / "koans/m00/x.py")
        saved = time.monotonic()
        at = screen.wait_for("running test_m00_adds", at, timeout=10)
        assert time.monotonic() - saved < 2.0
        at = screen.wait_for("✓ test_m00_adds passed", at)
        at = screen.wait_for("Koan: koans/m01/test_b.py::test_m01_adds", at)
        screen.wait_for("Not written yet: `x.add` (koans/m01/x.py:2)", at)
        # l: the milestone of the current koan
        screen.wait_for(">", screen.wait_for("Milestone m01:", screen.press("l")))
        # q: quit
        screen.press("q")
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    state = progress.load_progress()
    assert state["koans/m00/test_a.py::test_m00_adds"].outcome == "passed"
    assert state["koans/m01/test_b.py::test_m01_adds"].outcome == "failed"


def test_next_failing_wraps_and_skips_passed(kk) -> None:
    catalog = {f"k{i}": progress.KoanEntry(f"k{i}", f"k{i}", "m00", [0, i], "", ["h"], [], "") for i in range(4)}
    state = {"k1": progress.Status("passed", 0.0), "k2": progress.Status("skipped", 0.0)}
    assert watch.next_failing("k0", catalog, state).nodeid == "k3"
    assert watch.next_failing("k3", catalog, state).nodeid == "k0"
    assert watch.next_failing("k0", catalog, {**state, "k3": progress.Status("passed", 0.0)}) is None

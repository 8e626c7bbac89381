"""`koans watch`: the learner's loop (rustlings' watch mode).

Runs the next koan, then waits. Every save under koans/ or projects/ re-runs that
one koan, clears the screen and shows its learner-facing failure, or the pass and
the next koan, which it moves on to. Keys: h (next hint tier), n (next failing
koan), l (list the milestone), q (quit).

Each run is the normal pytest entry in a subprocess (`python -m pytest <nodeid>`),
so the run lock, the leak audit, the report and the progress behave as in any
run; the outcome and the failure text are read back from the run's record
(.koans/last-run.json), never parsed from pytest's output, which goes to
.koans/watch.log.

File watching: watchfiles (Rust `notify` underneath: inotify on Linux, with
debouncing and editor-temp-file filtering built in, and a stop event for a
clean exit); watchdog would need our own debouncing of the bursts editors write.
"""
from __future__ import annotations

import os
import queue
import select
import subprocess
import sys
import termios
import threading
import time
import tty
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kernel_koans import paths, progress
from kernel_koans.cli import lookup

WATCHED = ("koans", "projects")
LOG = "watch.log"
CLEAR = "\033[H\033[2J\033[3J"
KEYS = "h: next hint · n: next failing koan · l: list the milestone · q: quit"


@dataclass
class Outcome:
    """What one run of one koan ended with, read from the run's record."""

    nodeid: str
    outcome: str  # passed, failed, skipped, or "error" when the run recorded nothing
    text: str = ""


def run_koan(nodeid: str) -> Outcome:
    """One koan through the normal pytest entry; the verdict from .koans/last-run.json."""
    base = paths.repo_root()
    log = progress.state_dir() / LOG
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    with log.open("w") as out:
        subprocess.run([sys.executable, "-m", "pytest", nodeid], cwd=base, stdout=out,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False)
    last = progress.load_last_run()
    outcome = last.get("outcomes", {}).get(nodeid) if float(last.get("when", 0)) >= started else None
    if outcome is None:
        tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-30:])
        return Outcome(nodeid, "error", f"The run recorded no result for this koan; the end of "
                                        f"{log.relative_to(base) if log.is_relative_to(base) else log}:\n{tail}")
    if outcome == "skipped":
        return Outcome(nodeid, outcome, str(last.get("reasons", {}).get(nodeid, "")))
    return Outcome(nodeid, outcome, str(last.get("failures", {}).get(nodeid, "")))


def next_failing(after: str, catalog: dict[str, progress.KoanEntry],
                 state: dict[str, progress.Status]) -> progress.KoanEntry | None:
    """The first koan after `after` (wrapping round) that has not passed and is not skipped."""
    order = progress.ordered(catalog)
    start = next((i for i, e in enumerate(order) if e.nodeid == after), -1)
    for entry in order[start + 1:] + order[: start + 1]:
        status = state.get(entry.nodeid)
        if entry.nodeid != after and (status is None or status.outcome == "failed"):
            return entry
    return None


def milestone_lines(current: str, catalog: dict[str, progress.KoanEntry],
                    state: dict[str, progress.Status]) -> list[str]:
    """The current koan's milestone, one koan a line with its last status."""
    milestone = catalog[current].milestone if current in catalog else ""
    marks = {"passed": "✓", "failed": "✗", "skipped": "–"}
    lines = [f"Milestone {milestone}:"]
    for entry in progress.ordered(catalog):
        if entry.milestone != milestone:
            continue
        status = state.get(entry.nodeid)
        mark = marks.get(status.outcome, "·") if status else "·"
        pointer = ">" if entry.nodeid == current else " "
        lines.append(f" {pointer} {mark} {entry.name}")
    return lines


class Loop:
    """The screen and the state of one `koans watch` session."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.current: progress.KoanEntry | None = None
        self.last: Outcome | None = None
        self.banner: list[str] = []  # passes on the way to the current koan
        self.extra: list[str] = []  # the milestone list, after `l`

    def catalog(self) -> dict[str, progress.KoanEntry]:
        return progress.load_catalog()

    def run(self) -> None:
        """Run the current koan; on a pass, note it and move on to the next one."""
        self.extra = []
        while self.current is not None:
            self.show(running=True)
            self.last = run_koan(self.current.nodeid)
            if self.last.outcome != "passed":
                break
            self.banner.append(f"✓ {self.current.name} passed — its solution is unlocked in the report "
                               f"(koans compare {self.current.name})")
            passed = self.current.nodeid
            self.current = progress.next_koan(self.catalog(), progress.load_progress())
            if self.current is not None and self.current.nodeid == passed:
                break  # the pass was not recorded (a run of the twins): do not spin
        self.show()

    def show(self, running: bool = False) -> None:
        lines = ["kernel-koans watch — save a file under koans/ or projects/ to re-run", ""]
        lines += self.banner[-5:]
        if self.banner:
            lines.append("")
        entry = self.current
        if entry is None:
            lines.append("Every koan passes. Compare your code with the reference: koans compare <koan>")
        else:
            lines.append(f"Koan: {entry.nodeid}  ({entry.milestone})")
            if entry.exercises:
                base = paths.repo_root()
                lines.append("Edit: " + ", ".join(paths.learner_path(e).relative_to(base).as_posix()
                                                  for e in entry.exercises))
            lines.append("")
            if running:
                lines.append(f"running {entry.name} …")
            elif self.last is not None and self.last.nodeid == entry.nodeid:
                lines += self._verdict(entry, self.last)
            lines += self._more_hints(entry)
        if self.extra:
            lines += [""] + self.extra
        lines += ["", KEYS]
        self.out.write(CLEAR + "\r\n".join(lines) + "\r\n")
        self.out.flush()

    def _verdict(self, entry: progress.KoanEntry, result: Outcome) -> list[str]:
        if result.outcome == "failed":
            return [f"✗ {entry.name}", "", *result.text.splitlines()]
        if result.outcome == "skipped":
            return [f"– {entry.name} is skipped on this host: {result.text}", "(n: go on to the next koan)"]
        if result.outcome == "passed":
            return [f"✓ {entry.name} passes"]
        return [f"? {entry.name}", *result.text.splitlines()]

    def _more_hints(self, entry: progress.KoanEntry) -> list[str]:
        """Tiers beyond the first (the failure text shows that one), as revealed so far."""
        shown = progress.load_hints_seen().get(entry.nodeid, 1)
        return [f"Hint {i}/{len(entry.hints)}: {entry.hints[i - 1]}" for i in range(2, min(shown, len(entry.hints)) + 1)]

    def hint(self) -> None:
        if self.current is None or not self.current.hints:
            return
        seen = progress.load_hints_seen()
        nodeid = self.current.nodeid
        seen[nodeid] = min(max(seen.get(nodeid, 0), 1) + 1, len(self.current.hints))
        progress.save_hints_seen(seen)
        self.show()

    def skip(self) -> None:
        if self.current is None:
            return
        found = next_failing(self.current.nodeid, self.catalog(), progress.load_progress())
        if found is not None:
            self.current, self.banner = found, []
            self.run()

    def list_milestone(self) -> None:
        if self.current is not None:
            self.extra = milestone_lines(self.current.nodeid, self.catalog(), progress.load_progress())
            self.show()


def _watch(dirs: list[Path], changes: queue.Queue[int], stop: threading.Event) -> None:
    import watchfiles

    for _ in watchfiles.watch(*dirs, stop_event=stop, debounce=400, step=50, rust_timeout=500,
                              raise_interrupt=False):
        changes.put(1)


@contextmanager
def _keys(stream: TextIO) -> Iterator[bool]:
    """Single keypresses from a terminal (cbreak mode, restored on the way out)."""
    if not stream.isatty():
        yield False
        return
    fd = stream.fileno()
    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd)
    try:
        yield True
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def main(start: str | None = None,
         stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    keys_in, screen = stdin or sys.stdin, out or sys.stdout
    base = paths.repo_root()
    catalog = lookup.catalog()
    loop = Loop(screen)
    loop.current = (lookup.koan(start, catalog) if start
                    else progress.next_koan(catalog, progress.load_progress()))
    dirs = [base / d for d in WATCHED if (base / d).is_dir()]
    changes: queue.Queue[int] = queue.Queue()
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(dirs, changes, stop), daemon=True)
    watcher.start()
    try:
        with _keys(keys_in) as interactive:
            loop.run()
            while True:
                key = _read_key(keys_in) if interactive else _idle()
                if key == "q":
                    return 0
                handler = {"h": loop.hint, "n": loop.skip, "l": loop.list_milestone}.get(key)
                if handler is not None:
                    handler()
                if _drain(changes):
                    if loop.current is None:  # everything passed: see whether it still does
                        loop.current = progress.next_koan(loop.catalog(), progress.load_progress())
                    loop.banner = []
                    loop.run()
    except KeyboardInterrupt:
        return 0
    finally:
        stop.set()
        screen.write("\r\n")


def _idle() -> str:
    time.sleep(0.1)
    return ""


def _read_key(stream: TextIO, timeout: float = 0.1) -> str:
    ready, _, _ = select.select([stream], [], [], timeout)
    if not ready:
        return ""
    data = os.read(stream.fileno(), 32).decode(errors="replace")
    return data[:1].lower() if data else "q"  # end of input: quit


def _drain(changes: queue.Queue[int]) -> bool:
    found = False
    while True:
        try:
            changes.get_nowait()
            found = True
        except queue.Empty:
            return found

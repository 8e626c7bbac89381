"""Turn a failed koan into a few sentences a learner can act on.

The kinds: a stub not yet written, a module that does not load, learner code
that raised, code that ran past its time (pytest-timeout's limit, or a child's),
and a kernel fact the koan checked that did not hold. Tracebacks are cut to the learner's own frames.
"""
from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import pytest

from kernel_koans import paths
from kernel_koans.child import ChildFailure, ChildTimeout
from kernel_koans.exercise import ExerciseError
from kernel_koans.koan import KoanInfo, reference_label

LEARNER_DIRS = ("koans", "projects", "solutions")


def explain(excinfo: Any, info: KoanInfo, name: str = "<koan>", timeout: float | None = None) -> str:
    """The text shown in place of pytest's traceback for a failed koan.

    `timeout` is the koan's pytest-timeout limit (timelimits.koan_timeout); a ChildTimeout
    carries its own. Only the first hint is shown: `koans hint` reveals the rest."""
    err = excinfo.value
    lines: list[str] = []
    text = str(err)
    what = kind(excinfo)
    if what == "stub":
        lines.append(_not_written(excinfo.tb, getattr(err, "child_traceback", ""), text))
    elif what == "load":
        lines.append(text)
    elif what == "timeout":
        if isinstance(err, ChildTimeout):
            lines.append(_too_slow(err.seconds, "its child was killed"))
        else:
            lines.append(_too_slow(timeout, "was stopped; the run goes on"))
    elif what == "assertion":
        lines.append(_assertion(excinfo))
    else:
        lines.append(f"Your code raised {type(err).__name__}: {text}")
        frames = _learner_frames(excinfo.tb, getattr(err, "child_traceback", "")
                                 or (err.text if isinstance(err, ChildFailure) else ""))
        if frames:
            lines.append("  where: " + "\n         ".join(frames))
    lines.append("")
    if info.lesson:
        lines.append(f"Lesson:   {info.lesson}")
    if info.hints:
        lines.append(f"Hint:     {info.hints[0]}")
        if len(info.hints) > 1:
            lines.append(f"          (next hint: koans hint {name})")
    if info.man:
        lines.append(f"{reference_label(info.man) + ':':<9} {info.man}")
    return "\n".join(lines)


def kind(excinfo: Any) -> str:
    """What kind of failure: stub, load (the module does not import), timeout, assertion
    (the kernel disagrees) or raised (learner code raised). Kept in the run's record."""
    err = excinfo.value
    if isinstance(err, NotImplementedError):
        return "stub"
    if isinstance(err, ExerciseError):
        return "load"
    if isinstance(err, ChildTimeout) or is_pytest_timeout(excinfo):
        return "timeout"
    if isinstance(err, AssertionError):
        return "assertion"
    return "raised"


def _not_written(tb: Any, child_text: str, message: str) -> str:
    """'Not written yet: `pid_ns.mount_proc` (koans/m04/pid_ns.py:41) should make /proc ...'.
    A stub's message says what is missing, never how (docs/AUTHORING.md): the how is the hints."""
    frame = _learner_frame(tb, child_text)
    head = "Not written yet: your exercise is still a stub"
    if frame is not None:
        path, line, func = frame
        head = f"Not written yet: `{Path(path).stem}.{func}` ({path}:{line})"
    message = message.strip().rstrip(".")
    if not message:
        return head + "."
    return f"{head} {message}." if message.startswith("should ") else f"{head}: {message}."


def _too_slow(seconds: float | None, what: str) -> str:
    limit = f"{seconds:g} s" if seconds else "its time limit"
    return (f"Your code did not finish within {limit} and {what}. "
            "Look for something that waits forever: a child never reaped or never "
            "exiting, a read on a pipe nobody writes, a loop without an end.")


def is_pytest_timeout(excinfo: Any) -> bool:
    """True when pytest-timeout stopped the koan: its signal handler raised the failure
    (told by where it was raised, not by the words of its message)."""
    if not isinstance(excinfo.value, pytest.fail.Exception):
        return False
    tb = excinfo.tb
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__") == "pytest_timeout":
            return True
        tb = tb.tb_next
    return False


def _assertion(excinfo: Any) -> str:
    """pytest's rewritten assertion, without the traceback around it."""
    text = excinfo.exconly().removeprefix("AssertionError: ").strip()
    return "The kernel disagrees: " + (text or "assertion failed")


def _is_learner(filename: str) -> bool:
    try:
        rel = Path(filename).resolve().relative_to(paths.repo_root())
    except ValueError:
        return False
    return rel.parts[:1] and rel.parts[0] in LEARNER_DIRS and not rel.name.startswith("test_")  # type: ignore[return-value]


def _learner_locations(tb: Any, child_text: str = "") -> list[tuple[str, str, str]]:
    """(path, line, function) of the learner's frames: this process's, then a child's
    (whose traceback came back as text, so it is read as traceback.format_exception wrote it)."""
    found = [(_rel(f.filename), str(f.lineno), f.name) for f in traceback.extract_tb(tb) if _is_learner(f.filename)]
    for line in child_text.splitlines():
        line = line.strip()
        if line.startswith('File "'):
            filename = line.split('"')[1]
            if _is_learner(filename):
                rest = line.split(",", 2)
                lineno = rest[1].strip().removeprefix("line ") if len(rest) > 1 else "?"
                func = rest[2].strip().removeprefix("in ") if len(rest) > 2 else ""
                found.append((_rel(filename), lineno, func))
    return found


def _learner_frames(tb: Any, child_text: str = "") -> list[str]:
    code = {(_rel(f.filename), str(f.lineno)): f.line for f in traceback.extract_tb(tb)}
    out = []
    for path, line, func in _learner_locations(tb, child_text)[-4:]:
        source = code.get((path, line))
        out.append(f"{path}:{line} in {func}: {source}" if source else f"{path}:{line} in {func}")
    return out


def _learner_frame(tb: Any, child_text: str = "") -> tuple[str, str, str] | None:
    """(path, line, function) of the innermost learner frame."""
    found = _learner_locations(tb, child_text)
    return found[-1] if found else None


def _rel(filename: str) -> str:
    try:
        return Path(filename).resolve().relative_to(paths.repo_root()).as_posix()
    except ValueError:
        return filename

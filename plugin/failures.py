"""Turn a failed koan into a few sentences a learner can act on.

The kinds: a stub not yet written, a module that does not load, learner code
that raised, code that ran past its time, and a kernel fact the koan checked
that did not hold. Tracebacks are cut to the learner's own frames.
"""
from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from kernel_koans import paths
from kernel_koans.child import ChildFailure, ChildTimeout
from kernel_koans.exercise import ExerciseError
from kernel_koans.koan import KoanInfo, reference_label

LEARNER_DIRS = ("koans", "projects", "solutions")


def explain(excinfo: Any, info: KoanInfo, timeout: float | None, name: str = "<koan>") -> str:
    """The text shown in place of pytest's traceback for a failed koan."""
    err = excinfo.value
    lines: list[str] = []
    text = str(err)
    if isinstance(err, NotImplementedError) or "NotImplementedError" in text[:80]:
        where = _learner_frame(excinfo.tb, getattr(err, "child_traceback", ""))
        lines.append(f"Not written yet: {where or 'your exercise'} is still a stub "
                     f"({text or 'NotImplementedError'}).")
    elif isinstance(err, ExerciseError):
        lines.append(text)
    elif isinstance(err, ChildTimeout) or excinfo.typename == "Failed" and text.startswith("Timeout"):
        limit = f"{timeout:g} s" if timeout else "its time limit"
        lines.append(f"Your code did not finish within {limit} and was stopped; the run goes on. "
                     "Look for something that waits forever: a child never reaped or never "
                     "exiting, a read on a pipe nobody writes, a loop without an end.")
    elif isinstance(err, AssertionError):
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


def _learner_frames(tb: Any, child_text: str = "") -> list[str]:
    frames: list[str] = []
    for frame in traceback.extract_tb(tb):
        if _is_learner(frame.filename):
            frames.append(f"{_rel(frame.filename)}:{frame.lineno} in {frame.name}: {frame.line}")
    if child_text:
        for line in child_text.splitlines():
            line = line.strip()
            if line.startswith('File "'):
                filename = line.split('"')[1]
                if _is_learner(filename):
                    rest = line.split(",", 2)
                    lineno = rest[1].strip().removeprefix("line ") if len(rest) > 1 else "?"
                    func = rest[2].strip().removeprefix("in ") if len(rest) > 2 else ""
                    frames.append(f"{_rel(filename)}:{lineno} in {func}")
    return frames[-4:]


def _learner_frame(tb: Any, child_text: str = "") -> str:
    frames = _learner_frames(tb, child_text)
    return frames[-1].split(": ", 1)[0] if frames else ""


def _rel(filename: str) -> str:
    try:
        return Path(filename).resolve().relative_to(paths.repo_root()).as_posix()
    except ValueError:
        return filename

"""The journey as text: per-milestone progress bars and the next koan to work on.

Shared by the terminal summary, `koans status` and `koans next`.
"""
from __future__ import annotations

from kernel_koans import manifest, paths, progress
from kernel_koans.koan import reference_label


def status_lines(j: progress.Journey | None = None, *, runner: str = "sudo .venv/bin/pytest") -> list[str]:
    """A bar per milestone. One whose koans no run has collected yet (a learner who began
    with `pytest koans/m04`) says how to collect them, not that it has none."""
    j = j or progress.journey()
    written = {m.key for m in manifest.load() if m.files}
    lines = []
    for t in j.tallies:
        if t.total == 0:
            why = f"not collected yet: {runner} koans/{t.key}" if t.key in written else "no koans yet"
            lines.append(f"  {t.key}  {t.title:<38} {progress.bar(0, 0)}  {why}")
            continue
        extra = []
        if t.failed:
            extra.append(f"{t.failed} failing")
        if t.skipped:
            extra.append(f"{t.skipped} skipped")
        if t.not_run:
            extra.append(f"{t.not_run} not run yet")
        tail = f"  ({', '.join(extra)})" if extra else ""
        lines.append(f"  {t.key}  {t.title:<38} {progress.bar(t.passed, t.total)} "
                     f"{t.passed}/{t.total}{tail}")
    return lines


def next_lines(j: progress.Journey | None = None, *, runner: str = "sudo .venv/bin/pytest") -> list[str]:
    j = j or progress.journey()
    entry = j.next
    if entry is None:
        if j.catalog:
            return ["Every koan passes. Compare your code with the reference: koans compare <koan>"]
        return [f"No koans collected yet: run {runner} koans"]
    status = j.statuses.get(entry.nodeid)
    lines = [f"Next koan: {entry.nodeid}"]
    if entry.lesson:
        lines.append(f"  lesson:   {entry.lesson}")
    if status is not None and status.outcome == "skipped":
        lines.append(f"  skipped:  {status.reason}")
    if entry.hints:
        lines.append(f"  hint:     {entry.hints[0]}")
    if entry.man:
        lines.append(f"  {reference_label(entry.man).lower() + ':':<9} {entry.man}")
    if entry.exercises:
        base = paths.repo_root()
        edit = ", ".join(paths.learner_path(e).relative_to(base).as_posix() for e in entry.exercises)
        lines.append(f"  edit:     {edit}")
    file_part, _, name = entry.nodeid.partition("::")
    lines.append(f"  run:      {runner} {file_part} -k {name}")
    return lines

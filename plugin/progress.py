"""The learner's journey on disk: the one owner of the state folder `.koans/`.

The catalog of koans, the last status of each, the last run's record, the hint
tiers `koans hint` revealed and the backups `koans reset` keeps. JSON files
under `.koans/` (outside `.pytest_cache`, so `--cache-clear` keeps them).
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kernel_koans import manifest, paths

PROGRESS = "progress.json"
CATALOG = "catalog.json"
LAST_RUN = "last-run.json"
HINTS_SEEN = "hints.json"
BACKUP = "backup"

STATE_ENV = "KERNEL_KOANS_STATE"
"""Moves the state folder (the maintainers' `koans dev check` runs use a throwaway one)."""


def state_dir() -> Path:
    """`.koans/` in the checkout, or the folder KERNEL_KOANS_STATE names."""
    env = os.environ.get(STATE_ENV)
    return Path(env) if env else paths.repo_root() / ".koans"


def backup_dir() -> Path:
    """Where `koans reset` keeps the learner's version of a file it restores."""
    return state_dir() / BACKUP


@dataclass
class KoanEntry:
    """What the catalog knows of one koan (written at every collection)."""

    nodeid: str
    name: str
    milestone: str
    order: list[Any]
    man: str
    hints: list[str]
    needs: list[str]
    lesson: str
    exercises: list[str] = field(default_factory=list)


@dataclass
class Status:
    outcome: str  # passed, failed, skipped
    when: float
    first_passed: float | None = None
    reason: str = ""


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)


def load_catalog() -> dict[str, KoanEntry]:
    """Every koan seen so far, less those whose test file is gone."""
    base = paths.repo_root()
    raw = _read(state_dir() / CATALOG)
    return {k: KoanEntry(**v) for k, v in raw.items() if (base / k.split("::")[0]).exists()}


def save_catalog(entries: dict[str, KoanEntry]) -> None:
    """Merge this collection into the catalog: a run of one milestone keeps the others.

    Koans of a file collected now, or of a file that is gone, are replaced wholesale,
    so a renamed or deleted koan does not linger."""
    base = paths.repo_root()
    files = {nodeid.split("::")[0] for nodeid in entries}
    catalog = load_catalog()
    catalog = {k: v for k, v in catalog.items()
               if k.split("::")[0] not in files and (base / k.split("::")[0]).exists()}
    catalog.update(entries)
    _write(state_dir() / CATALOG, {k: asdict(v) for k, v in catalog.items()})


def load_progress() -> dict[str, Status]:
    raw = _read(state_dir() / PROGRESS)
    return {k: Status(**v) for k, v in raw.items()}


@dataclass
class LastRun:
    """One run's record, written to last-run.json at its end: what `koans dev check`
    judges. `missing` lists, for each koan skipped because the host lacks something,
    the needs it lacked (data, so nobody parses the skip sentence)."""

    solutions: bool = False
    swaps: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    missing: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    """nodeid -> how a failed koan failed (failures.kind: stub, load, timeout, assertion, raised)."""
    durations: dict[str, float] = field(default_factory=dict)
    koan_leaks: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    session_leaks: dict[str, list[str]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    """nodeid -> the learner-facing text of each koan that failed (what `koans watch` shows)."""
    when: float = 0.0

    @property
    def learners(self) -> bool:
        """A run of the learner's own code: the one kind that moves their journey."""
        return not self.solutions and not self.swaps

    def note(self, nodeid: str, outcome: str, reason: str = "", duration: float = 0.0,
             missing: list[str] | None = None, kind: str = "") -> None:
        """A koan's outcome (setup or call); a later failure (teardown) overrides it."""
        self.outcomes[nodeid] = outcome
        self.durations[nodeid] = duration
        for extra in (self.reasons, self.missing, self.kinds):
            extra.pop(nodeid, None)
        if reason:
            self.reasons[nodeid] = reason
        if outcome == "skipped" and missing:
            self.missing[nodeid] = list(missing)
        if outcome == "failed" and kind:
            self.kinds[nodeid] = kind

    def fail(self, nodeid: str, kind: str) -> None:
        """A failure after the call (a leak found at teardown) overrides the outcome."""
        self.outcomes[nodeid] = "failed"
        self.reasons.pop(nodeid, None)
        self.missing.pop(nodeid, None)
        self.kinds[nodeid] = kind

    def explain(self, nodeid: str, text: str) -> None:
        """Keep a failed koan's learner-facing text (a teardown failure adds to the call's)."""
        old = self.failures.get(nodeid)
        self.failures[nodeid] = f"{old}\n\n{text}" if old else text

    def statuses(self, when: float) -> dict[str, Status]:
        return {k: Status(o, when, None, self.reasons.get(k, "")) for k, o in self.outcomes.items()}


def record(run: LastRun) -> dict[str, Status]:
    """Store each koan's newest outcome and reason; keep when it first passed."""
    progress = load_progress()
    now = time.time()
    for nodeid, outcome in run.outcomes.items():
        old = progress.get(nodeid)
        first = old.first_passed if old else None
        if outcome == "passed" and first is None:
            first = now
        progress[nodeid] = Status(outcome, now, first, run.reasons.get(nodeid, ""))
    _write(state_dir() / PROGRESS, {k: asdict(v) for k, v in progress.items()})
    return progress


def save_last_run(run: LastRun) -> None:
    run.when = time.time()
    _write(state_dir() / LAST_RUN, asdict(run))


def load_last_run() -> dict[str, Any]:
    """This checkout's last run record (what `koans watch` shows after each run)."""
    return _read(state_dir() / LAST_RUN)


def load_last_run_at(state: Path) -> dict[str, Any]:
    """last-run.json of a state folder (a `koans dev check` run's, set with KERNEL_KOANS_STATE)."""
    return _read(state / LAST_RUN)


def load_hints_seen() -> dict[str, int]:
    """nodeid -> how many hint tiers `koans hint` has revealed."""
    return {k: int(v) for k, v in _read(state_dir() / HINTS_SEEN).items() if isinstance(v, int)}


def save_hints_seen(seen: dict[str, int]) -> None:
    _write(state_dir() / HINTS_SEEN, dict(seen))


def ordered(catalog: dict[str, KoanEntry]) -> list[KoanEntry]:
    return sorted(catalog.values(), key=lambda e: e.order)


def next_koan(catalog: dict[str, KoanEntry], progress: dict[str, Status]) -> KoanEntry | None:
    """The first koan in curriculum order that has not passed and was not skipped
    for a host reason; failing that, the first skipped one."""
    skipped: KoanEntry | None = None
    for entry in ordered(catalog):
        status = progress.get(entry.nodeid)
        if status is None or status.outcome == "failed":
            return entry
        if status.outcome == "skipped" and skipped is None:
            skipped = entry
    return skipped


@dataclass
class MilestoneTally:
    key: str
    title: str
    total: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    skip_reasons: list[str] = field(default_factory=list)

    @property
    def not_run(self) -> int:
        return self.total - self.passed - self.failed - self.skipped


def tally(catalog: dict[str, KoanEntry], progress: dict[str, Status],
          titles: dict[str, str]) -> list[MilestoneTally]:
    """Per milestone: how many koans, and how each last ended."""
    out: dict[str, MilestoneTally] = {k: MilestoneTally(k, t) for k, t in titles.items()}
    for entry in catalog.values():
        t = out.setdefault(entry.milestone, MilestoneTally(entry.milestone, entry.milestone))
        t.total += 1
        status = progress.get(entry.nodeid)
        if status is None:
            continue
        if status.outcome == "passed":
            t.passed += 1
        elif status.outcome == "failed":
            t.failed += 1
        elif status.outcome == "skipped":
            t.skipped += 1
            if status.reason and status.reason not in t.skip_reasons:
                t.skip_reasons.append(status.reason)
    return [out[k] for k in sorted(out)]


@dataclass
class Journey:
    """What the terminal summary, `koans status`/`next` and the report show: the catalog,
    each koan's status, the tally per milestone, and the next koan."""

    catalog: dict[str, KoanEntry]
    statuses: dict[str, Status]
    tallies: list[MilestoneTally]
    next: KoanEntry | None


def journey(statuses: dict[str, Status] | None = None) -> Journey:
    """The journey on disk, or the catalog seen through `statuses` (a run not saved yet)."""
    catalog = load_catalog()
    state = load_progress() if statuses is None else statuses
    titles = {m.key: m.title for m in manifest.load()}
    return Journey(catalog, state, tally(catalog, state, titles), next_koan(catalog, state))


def bar(done: int, total: int, width: int = 20) -> str:
    if total == 0:
        return "[" + "·" * width + "]"
    filled = round(width * done / total)
    return "[" + "#" * filled + "-" * (width - filled) + "]"

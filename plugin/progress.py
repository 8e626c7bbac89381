"""The learner's journey on disk: the catalog of koans, the last status of each, and
the last run's outcomes. JSON files under `.koans/`, so `--cache-clear` keeps them."""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kernel_koans import paths

PROGRESS = "progress.json"
CATALOG = "catalog.json"
LAST_RUN = "last-run.json"
HINTS_SEEN = "hints.json"


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


def load_catalog(root: Path | None = None) -> dict[str, KoanEntry]:
    """Every koan seen so far, less those whose test file is gone."""
    base = root or paths.repo_root()
    raw = _read(paths.state_dir(root) / CATALOG)
    return {k: KoanEntry(**v) for k, v in raw.items() if (base / k.split("::")[0]).exists()}


def save_catalog(entries: dict[str, KoanEntry], root: Path | None = None, *, merge: bool = True) -> None:
    """Merge this collection into the catalog: a run of one milestone keeps the others.

    Koans of a file collected now, or of a file that is gone, are replaced wholesale,
    so a renamed or deleted koan does not linger."""
    base = root or paths.repo_root()
    files = {nodeid.split("::")[0] for nodeid in entries}
    catalog = load_catalog(root) if merge else {}
    catalog = {k: v for k, v in catalog.items()
               if k.split("::")[0] not in files and (base / k.split("::")[0]).exists()}
    catalog.update(entries)
    _write(paths.state_dir(root) / CATALOG, {k: asdict(v) for k, v in catalog.items()})


def load_progress(root: Path | None = None) -> dict[str, Status]:
    raw = _read(paths.state_dir(root) / PROGRESS)
    return {k: Status(**v) for k, v in raw.items()}


def record(outcomes: dict[str, tuple[str, str]], root: Path | None = None) -> dict[str, Status]:
    """Store each koan's newest (outcome, reason); keep when it first passed."""
    progress = load_progress(root)
    now = time.time()
    for nodeid, (outcome, reason) in outcomes.items():
        old = progress.get(nodeid)
        first = old.first_passed if old else None
        if outcome == "passed" and first is None:
            first = now
        progress[nodeid] = Status(outcome, now, first, reason)
    _write(paths.state_dir(root) / PROGRESS, {k: asdict(v) for k, v in progress.items()})
    return progress


def save_last_run(data: dict[str, Any], root: Path | None = None) -> None:
    _write(paths.state_dir(root) / LAST_RUN, data)


def load_last_run(root: Path | None = None) -> dict[str, Any]:
    return _read(paths.state_dir(root) / LAST_RUN)


def load_last_run_at(state: Path) -> dict[str, Any]:
    """last-run.json of a state folder set with KERNEL_KOANS_STATE."""
    return _read(state / LAST_RUN)


def load_hints_seen(root: Path | None = None) -> dict[str, int]:
    """nodeid -> how many hint tiers `koans hint` has revealed (hints.json)."""
    out: dict[str, int] = {}
    for nodeid, shown in _read(paths.state_dir(root) / HINTS_SEEN).items():
        try:
            out[nodeid] = int(shown)
        except (TypeError, ValueError):
            continue
    return out


def save_hints_seen(seen: dict[str, int], root: Path | None = None) -> None:
    _write(paths.state_dir(root) / HINTS_SEEN, dict(seen))


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


def bar(done: int, total: int, width: int = 20) -> str:
    if total == 0:
        return "[" + "·" * width + "]"
    filled = round(width * done / total)
    return "[" + "#" * filled + "-" * (width - filled) + "]"

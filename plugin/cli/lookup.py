"""Find koans by what a learner types: a node id, a test name, part of one, or an exercise."""
from __future__ import annotations

import subprocess
import sys

from kernel_koans import paths, progress
from kernel_koans.progress import KoanEntry


def catalog() -> dict[str, KoanEntry]:
    """The catalog, collecting the koans once (quietly, no report) when there is none yet."""
    found = progress.load_catalog()
    if not found:
        collect()
        found = progress.load_catalog()
    return found


def collect() -> None:
    base = paths.repo_root()
    # `--html=` (empty) turns the report off; `-p no:html` would make the repo's addopts
    # (--html=...) a usage error and the plugin's pytest_html_* hooks unknown.
    subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "--html=",
                    "-p", "no:cacheprovider", "--no-audit", "koans"],
                   cwd=base, capture_output=True, check=False)


class NotFound(LookupError):
    pass


def koan(query: str, entries: dict[str, KoanEntry]) -> KoanEntry:
    """The one koan `query` names; NotFound with suggestions when none or several match."""
    if query in entries:
        return entries[query]
    by_name = [e for e in entries.values() if e.name == query]
    if len(by_name) == 1:
        return by_name[0]
    partial = [e for e in entries.values() if query in e.nodeid]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise NotFound(f"no koan matches {query!r}; `koans status` lists the milestones, "
                       "`pytest --collect-only -q koans` every koan")
    names = "\n  ".join(e.nodeid for e in progress.ordered({e.nodeid: e for e in partial})[:10])
    raise NotFound(f"{query!r} matches {len(partial)} koans; say which:\n  {names}")


def exercises(query: str, entries: dict[str, KoanEntry]) -> list[str]:
    """Exercise ids for a koan query, or the query itself when it names an exercise."""
    direct = query.removesuffix(".py")
    for candidate in (direct, direct.removeprefix("koans/"), direct.removeprefix("solutions/")):
        if paths.learner_path(candidate).exists() or paths.twin_path(candidate).exists():
            if "/" in candidate:
                return [candidate]
    entry = koan(query, entries)
    if not entry.exercises:
        raise NotFound(f"{entry.nodeid} uses no exercise module: it checks the host itself")
    return entry.exercises

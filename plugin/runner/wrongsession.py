"""Many wrong-solution cases judged in one pytest session (`--wrong-cases PLAN`).

`koans dev check --wrong` writes a plan: for each case, its name, the exercise, the
wrong module to swap in and the koans it must fail. This plugin object (registered by
the kernel-koans plugin when the option is given, like pytest-xdist's DSession) turns
every (case, koan) into an item of its own, a copy of the collected koan whose node id
is `case_nodeid(koan, case)`, runs them case by case with the case's module swapped in
(every other exercise on its twin), and keeps a journal of which cases started and
ended. The record of the run (kernel_koans.progress.LastRun) then holds each copy's
outcome under its own id; `kernel_koans.cli.dev.wrongcheck` judges each case from it.

One process for hundreds of cases saves their start-ups, collections and host probes.
What the process would no longer isolate is guarded instead: after each case the
process's own state (namespaces, root, cwd, credentials, umask, environment, limits,
signal dispositions) must be as before it; a case that changed it ends the session
(its own verdict stands), and the orchestrator goes on with the rest in a fresh one.
"""
from __future__ import annotations

import json
import os
import resource
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kernel_koans import progress
from kernel_koans.exercise import Sides, use_sides
from kernel_koans.runner.runstate import RUN

PLUGIN_NAME = "kernel-koans-wrong-cases"

SEPARATOR = "@wrong:"
"""Between a koan's own name and the case's in a copy's node id."""

JOURNAL_SUFFIX = ".journal"
"""Beside the plan: one line per case event (`start NAME`, `end NAME`, `dirty NAME WHAT`,
`stop NAME`)."""


PYTEST_OWN_ENV = frozenset({"PYTEST_CURRENT_TEST"})
"""Variables pytest itself changes between koans: not the learner code's doing."""


def case_nodeid(nodeid: str, case: str) -> str:
    """The node id of koan `nodeid` run against case `case` (the one place that spells it):
    the case joins the function's name, before any parameters (`f.py::test_x@wrong:m04/c[go]`),
    as pytest builds an id from a function's name and its parameters."""
    path, sep, tail = nodeid.partition("::")
    name, bracket, params = tail.partition("[")
    return f"{path}{sep}{name}{SEPARATOR}{case}{bracket}{params}"


@dataclass(frozen=True)
class PlannedCase:
    name: str
    exercise: str
    module: str
    koans: tuple[str, ...]


def write_plan(path: Path, cases: list[PlannedCase]) -> None:
    path.write_text(json.dumps([{"name": c.name, "exercise": c.exercise, "module": c.module,
                                 "koans": list(c.koans)} for c in cases]))


def read_plan(path: Path) -> list[PlannedCase]:
    return [PlannedCase(str(c["name"]), str(c["exercise"]), str(c["module"]), tuple(c["koans"]))
            for c in json.loads(path.read_text())]


def journal_path(plan: Path) -> Path:
    return plan.with_name(plan.name + JOURNAL_SUFFIX)


@dataclass(frozen=True)
class Journal:
    """What a session said of its cases: started, ended, and those that left the
    process changed (with what changed)."""

    started: tuple[str, ...]
    ended: frozenset[str]
    dirty: dict[str, str]
    stopped: bool
    """The session stopped before its last case (one changed the process)."""


def read_journal(plan: Path) -> Journal:
    started: list[str] = []
    ended: set[str] = set()
    dirty: dict[str, str] = {}
    stopped = False
    path = journal_path(plan)
    lines = path.read_text().splitlines() if path.exists() else []
    for line in lines:
        event, _, rest = line.partition(" ")
        if event == "start":
            started.append(rest)
        elif event == "end":
            ended.add(rest)
        elif event == "dirty":
            name, _, what = rest.partition(" ")
            dirty[name] = what
        elif event == "stop":
            stopped = True
    return Journal(tuple(started), frozenset(ended), dirty, stopped)


RECORD_FIELDS = ("outcomes", "reasons", "missing", "kinds", "durations", "koan_leaks", "failures")
"""The per-koan fields of a run's record (progress.LastRun)."""


def of_case(record: dict[str, Any], case: str, koans: list[str]) -> dict[str, Any]:
    """The part of a session's record about one case's koans, under their own node ids."""
    ids = {case_nodeid(k, case): k for k in koans}
    return {key: {ids[nodeid]: value for nodeid, value in dict(record.get(key, {})).items() if nodeid in ids}
            for key in RECORD_FIELDS}


def process_state() -> dict[str, str]:
    """What a koan's learner code must not change in the process that runs the koans."""
    state = {f"ns/{name}": os.readlink(f"/proc/self/ns/{name}")
             for name in sorted(os.listdir("/proc/self/ns")) if not name.endswith("_for_children")}
    state["root"] = os.readlink("/proc/self/root")
    state["cwd"] = os.getcwd()
    state["credentials"] = repr((os.getresuid(), os.getresgid(), sorted(os.getgroups())))
    umask = os.umask(0)
    os.umask(umask)
    state["umask"] = oct(umask)
    state["environment"] = repr(sorted((k, v) for k, v in os.environ.items() if k not in PYTEST_OWN_ENV))
    limits = {name: resource.getrlimit(getattr(resource, name))
              for name in sorted(dir(resource)) if name.startswith("RLIMIT_")}
    state["limits"] = repr(limits)
    state["signals"] = repr(signal_masks())
    return state


LIBC_OWN_SIGNALS = ~((1 << 31) - 1)
"""Signals 32 and up: glibc takes the first two for itself (SIGCANCEL, SIGSETXID: it
installs a handler when a process starts its first thread, as the docker SDK does)."""


def signal_masks() -> dict[str, int]:
    """The main thread's blocked, ignored and caught signals (1-31), from /proc/self/status."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("SigBlk", "SigIgn", "SigCgt"):
            out[key] = int(value, 16) & ~LIBC_OWN_SIGNALS
    return out


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


class WrongCases:
    """The session's cases: copies of the koans per case, the swap per item, the journal."""

    def __init__(self, plan: Path) -> None:
        self.plan = plan
        self.cases = {c.name: c for c in read_plan(plan)}
        self.case_of: dict[str, PlannedCase] = {}
        self.last_of: dict[str, str] = {}
        """case name -> the node id of its last item (where the case ends)."""
        self.journal = journal_path(plan).open("a", buffering=1)
        self.current: str | None = None
        self.before: dict[str, str] = {}

    def _note(self, line: str) -> None:
        self.journal.write(line + "\n")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config,
                                      items: list[pytest.Item]) -> Generator[None, None, None]:
        """After every other plugin ordered, marked and selected the koans: one copy of a
        koan per case that names it, grouped by case in the plan's order."""
        yield
        run = config.stash[RUN]
        by_id = {item.nodeid: item for item in items}
        copies: list[pytest.Item] = []
        for case in self.cases.values():
            mine = [copy_for(by_id[k], case.name) for k in case.koans if k in by_id]
            for original, copy in zip([by_id[k] for k in case.koans if k in by_id], mine, strict=True):
                self.case_of[copy.nodeid] = case
                if original.nodeid in run.missing:
                    run.missing[copy.nodeid] = run.missing[original.nodeid]
            if mine:
                self.last_of[case.name] = mine[-1].nodeid
            copies.extend(mine)
        config.hook.pytest_deselected(items=list(items))
        items[:] = copies

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
        """The item's case swapped in (for this process and the programs it starts)."""
        case = self.case_of.get(item.nodeid)
        if case is not None and case.name != self.current:
            self.current = case.name
            self.before = process_state()
            self._note(f"start {case.name}")
        if case is not None:
            run = item.config.stash[RUN]
            run.sides = Sides(True, {case.exercise: Path(case.module)})
            use_sides(run.sides)
        yield
        if case is None or self.last_of.get(case.name) != item.nodeid:
            return
        self.current = None
        config = item.config
        progress.save_last_run(config.stash[RUN].record)
        what = changed(self.before, process_state())
        if what:  # said before its end: whoever reads the end knows it already
            self._note(f"dirty {case.name} {','.join(what)}")
        self._note(f"end {case.name}")
        if what and nextitem is not None:
            self._note(f"stop {case.name}")
            item.session.shouldstop = (f"kernel-koans: case {case.name} changed the test process "
                                       f"({', '.join(what)}); the rest go on in a fresh one")

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.journal.close()


def copy_for(item: pytest.Item, case: str) -> pytest.Item:
    """A copy of a collected koan under the case's node id, with every mark the original
    was given at collection (its skip for a missing need, its stretched time limit)."""
    assert isinstance(item, pytest.Function), f"{item.nodeid} is not a test function"
    kwargs: dict[str, Any] = {"callobj": item.obj, "fixtureinfo": item._fixtureinfo,
                              "originalname": case_nodeid(f"::{item.originalname}", case)[2:]}
    if hasattr(item, "callspec"):
        kwargs["callspec"] = item.callspec
    copy = pytest.Function.from_parent(item.parent, name=case_nodeid(f"::{item.name}", case)[2:], **kwargs)
    assert copy.nodeid == case_nodeid(item.nodeid, case), (copy.nodeid, item.nodeid)
    copy.own_markers[:] = item.own_markers
    copy.keywords.update({k: v for k, v in item.keywords.items() if k != item.name})
    return copy

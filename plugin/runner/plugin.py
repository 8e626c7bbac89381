"""The kernel-koans pytest plugin: wires the pieces into pytest's hooks.

Each hook does one thing; the logic lives in the modules it calls. The run's state
lives in one object (kernel_koans.runner.runstate.RunState, in config.stash[RUN]); the
stateful parts are plugin objects registered at configure time: the leak audit
(kernel_koans.runner.leaks) and the journey and report (kernel_koans.runner.report).
"""
from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from kernel_koans import host, manifest, paths, progress
from kernel_koans.exercise import Exercise, use_sides
from kernel_koans.koan import koan_info, touches
from kernel_koans.runner import (
    announce,
    failures,
    hookspecs,
    leaks,
    ownership,
    quietrun,
    report,
    runlock,
    timelimits,
    wrongsession,
)
from kernel_koans.runner.report import NOT_ROOT
from kernel_koans.runner.runstate import RUN, RunState

pytest_plugins = [
    "kernel_koans.fixtures.network",
    "kernel_koans.fixtures.cgroup",
    "kernel_koans.fixtures.processes",
    "kernel_koans.fixtures.filesystem",
    "kernel_koans.fixtures.engine",
    "kernel_koans.fixtures.runtime",
    "kernel_koans.fixtures.engine_runtime",
    "kernel_koans.fixtures.links",
    "kernel_koans.fixtures.mini_run",
    "kernel_koans.fixtures.images",
    "kernel_koans.fixtures.reference_images",
    "kernel_koans.fixtures.security",
    "kernel_koans.fixtures.hardening",
    "kernel_koans.fixtures.loopdev",
    "kernel_koans.fixtures.kube",
]

"""The run's one state object."""



def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kernel-koans")
    group.addoption("--solutions", action="store_true", default=False,
                    help="run the koans against the reference twins under solutions/")
    group.addoption("--no-audit", action="store_true", default=False,
                    help="skip the leak audit of kk- kernel objects (faster, not for CI)")
    group.addoption("--koans-needing", metavar="TOPIC[,TOPIC]", default=None,
                    help="run only koans that work with one of the TOPICs (e.g. cgroup: a cgroup "
                         "need or fixture; cgroup,apparmor)")
    group.addoption("--swap", action="append", default=[], metavar="EXERCISE=PATH",
                    help="load PATH for this exercise (e.g. m04/cgroups=wrong.py); the others load "
                         "as usual (twins with --solutions). Used by `koans dev check --wrong`")
    group.addoption("--wrong-cases", metavar="PLAN", default=None,
                    help="run the koans once per wrong-solution case of PLAN, its module swapped in "
                         "(written by `koans dev check --wrong`; kernel_koans.runner.wrongsession)")


@pytest.hookimpl(trylast=True)
def pytest_koans_probe_host(config: pytest.Config) -> host.Host:
    return host.probe()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "koan(man, hints, needs): a kernel-koans koan (set by kernel_koans.koan)")
    runlock.acquire()
    run = RunState.from_config(config, config.hook.pytest_koans_probe_host(config=config))
    run.previous_sides = use_sides(run.sides)
    config.stash[RUN] = run
    quietrun.register(config)
    # The journey report first, the leak audit after it: see kernel_koans.runner.leaks.
    config.pluginmanager.register(report.JourneyReport(run), report.PLUGIN_NAME)
    if run.audit:
        config.pluginmanager.register(leaks.LeakAudit(run), leaks.PLUGIN_NAME)
    plan = config.getoption("wrong_cases")
    if plan:
        config.pluginmanager.register(wrongsession.WrongCases(Path(plan)), wrongsession.PLUGIN_NAME)
    config.stash[announce.HANDLER] = announce.install(config)
    _add_metadata(config, run)
    _no_hypothesis_deadline()


def _no_hypothesis_deadline() -> None:
    """Hypothesis fails an example that takes over 200 ms, which a slow laptop or an emulated
    VM does for no fault of the learner's; pytest-timeout bounds a koan instead. The
    profile keeps everything else of the one in force (CI's derandomized one, say)."""
    from hypothesis import settings

    settings.register_profile("kernel-koans", settings(settings.default, deadline=None))
    settings.load_profile("kernel-koans")


def _add_metadata(config: pytest.Config, run: RunState) -> None:
    """The probe in pytest-html's Environment table (the report header)."""
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:  # pragma: no cover
        return
    meta = config.stash.get(metadata_key, None)
    if meta is None:
        return
    meta["kernel-koans mode"] = run.mode
    for name, value in run.host.summary().items():
        meta[f"host: {name}"] = value


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = config.stash[RUN]
    h = run.host
    lines = [f"kernel-koans: {run.mode}; {h.cgroup.describe()}; docker: {h.docker or 'no engine'}"]
    if not h.root:
        lines.append(NOT_ROOT)
    return lines


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    """Order koans by the manifest, record the catalog, stretch time limits on a slow host.

    The order is given as pytest-order marks and nothing else: pytest-order's own
    modifyitems runs after this one (trylast) and sorts by them, so pytest-order's
    options and an author's own `order` marks compose with the curriculum order."""
    milestones = manifest.load()
    keys = {item.nodeid: manifest.sort_key(milestones, item.nodeid, _line(item)) for item in items}
    keyed = sorted(items, key=lambda it: keys[it.nodeid])
    for index, item in enumerate(keyed):
        item.add_marker(pytest.mark.order(index))
    entries = {}
    for item in keyed:
        info = koan_info(item)
        if info is None:
            continue
        entries[item.nodeid] = progress.KoanEntry(
            nodeid=item.nodeid, name=item.name, milestone=manifest.milestone_of(item.nodeid),
            order=list(keys[item.nodeid]),
            man=info.man, hints=list(info.hints), needs=list(info.needs), lesson=info.lesson,
            exercises=_exercises(item))
    if entries:
        progress.save_catalog(entries)
    timelimits.stretch(items)
    _select_by_topic(config, items)  # after the catalog: a narrower run keeps the whole journey


def _select_by_topic(config: pytest.Config, items: list[pytest.Item]) -> None:
    """--koans-needing TOPIC[,TOPIC]: deselect the koans that work with none of the TOPICs."""
    option = config.getoption("koans_needing")
    if not option:
        return
    topics = [t for t in option.split(",") if t]
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        info = koan_info(item)
        names = getattr(item, "fixturenames", ())
        wanted = info is not None and any(touches(info, names, topic) for topic in topics)
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _line(item: pytest.Item) -> int:
    location = getattr(item, "location", None)
    return int(location[1] or 0) if location else 0


def _exercises(item: pytest.Item) -> list[str]:
    module = getattr(item, "module", None)
    if module is None:
        return []
    return sorted({v.rel for v in vars(module).values() if isinstance(v, Exercise)})


def pytest_itemcollected(item: pytest.Item) -> None:
    """Skip a koan whose host requirements are missing, naming the fix (the skip
    points at the koan itself in pytest's summary); keep the needs as data."""
    info = koan_info(item)
    if info is None:
        return
    run = item.config.stash[RUN]
    missing = run.host.missing(info.needs)
    if missing:
        run.missing[item.nodeid] = missing
        item.add_marker(pytest.mark.skip(reason=host.skip_reason(missing)))


@pytest.fixture(scope="session")
def kk_host(pytestconfig: pytest.Config) -> host.Host:
    """What this host offers (the session's capability probe)."""
    return pytestconfig.stash[RUN].host


@pytest.fixture(scope="session")
def kk_run(pytestconfig: pytest.Config) -> RunState:
    """The run's state: session fixtures register what they keep (`session_owned`)."""
    return pytestconfig.stash[RUN]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    rep: pytest.TestReport = outcome.get_result()
    info = koan_info(item)
    if info is None:
        return
    run = item.config.stash[RUN]
    if rep.when == "call" and rep.failed and call.excinfo is not None and run.friendly:
        rep.longrepr = failures.explain(call.excinfo, info, item.name, timelimits.koan_timeout(item))
    _remember(run, item, rep, call)


def _remember(run: RunState, item: pytest.Item, rep: pytest.TestReport, call: pytest.CallInfo[None]) -> None:
    if rep.when == "call" or (rep.when == "setup" and not rep.passed):
        reason = ""
        if rep.skipped and isinstance(rep.longrepr, tuple):
            reason = str(rep.longrepr[2]).removeprefix("Skipped: ")
        lacking = run.missing.get(item.nodeid)
        if call.excinfo is not None and isinstance(call.excinfo.value, host.HostLacks):
            lacking = call.excinfo.value.needs
        kind = failures.kind(call.excinfo) if rep.failed and call.excinfo is not None else ""
        run.record.note(item.nodeid, rep.outcome, reason, rep.duration, lacking, kind)
    elif rep.when == "teardown" and rep.failed:
        run.record.fail(item.nodeid, "leak" if item.nodeid in run.record.koan_leaks else "teardown")
    if rep.failed:
        run.record.explain(item.nodeid, rep.longreprtext.strip())


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Under sudo, hand the run's files in the repo back to the invoking user; free the host."""
    ownership.hand_back(paths.repo_root())
    handler = config.stash.get(announce.HANDLER, None)
    if handler is not None:
        announce.remove(handler)
    run = config.stash.get(RUN, None)
    if run is not None:
        use_sides(run.previous_sides)
    runlock.release()

"""The kernel-koans pytest plugin: wires the pieces into pytest's hooks.

Each hook does one thing; the logic lives in the modules it calls.
"""
from __future__ import annotations

import os
import time
from collections.abc import Generator
from typing import Any

import pytest

from kernel_koans import (
    audit,
    exercise,
    failures,
    hookspecs,
    host,
    journey,
    koan,
    manifest,
    ownership,
    paths,
    progress,
    report,
    runlock,
)
from kernel_koans.exercise import Exercise

pytest_plugins = [
    "kernel_koans.fixtures.network",
    "kernel_koans.fixtures.cgroup",
    "kernel_koans.fixtures.processes",
    "kernel_koans.fixtures.filesystem",
    "kernel_koans.fixtures.engine",
]

HOST_KEY = pytest.StashKey[host.Host]()
OUTCOMES_KEY = pytest.StashKey[dict[str, tuple[str, str]]]()
DURATIONS_KEY = pytest.StashKey[dict[str, float]]()
SESSION_SNAPSHOT_KEY = pytest.StashKey[audit.Snapshot]()
SESSION_LEAKS_KEY = pytest.StashKey[dict[str, list[str]]]()
KOAN_LEAKS_KEY = pytest.StashKey[dict[str, dict[str, list[str]]]]()
ITEM_SNAPSHOT_KEY = pytest.StashKey[audit.Snapshot]()

NOT_ROOT = ("kernel-koans: you are not root, so every koan that needs root will be skipped. "
            "Run them as root: sudo .venv/bin/pytest koans")


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kernel-koans")
    group.addoption("--solutions", action="store_true", default=False,
                    help="run the koans against the reference twins under solutions/")
    group.addoption("--no-audit", action="store_true", default=False,
                    help="skip the leak audit of kk- kernel objects (faster, not for CI)")


@pytest.hookimpl(trylast=True)
def pytest_koans_probe_host(config: pytest.Config) -> host.Host:
    return host.probe()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "koan(man, hints, needs): a kernel-koans koan (see kernel_koans.koan)")
    runlock.acquire()
    exercise.set_solutions(bool(config.getoption("solutions")))
    config.stash[HOST_KEY] = config.hook.pytest_koans_probe_host(config=config)
    config.stash[OUTCOMES_KEY] = {}
    config.stash[DURATIONS_KEY] = {}
    config.stash[KOAN_LEAKS_KEY] = {}
    _add_metadata(config)


def _add_metadata(config: pytest.Config) -> None:
    """The probe in pytest-html's Environment table (the report header)."""
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:  # pragma: no cover
        return
    meta = config.stash.get(metadata_key, None)
    if meta is None:
        return
    meta["kernel-koans mode"] = _mode()
    for name, value in config.stash[HOST_KEY].summary().items():
        meta[f"host: {name}"] = value


def _mode() -> str:
    return "reference solutions" if exercise.using_solutions() else "your code"


def pytest_report_header(config: pytest.Config) -> list[str]:
    h = config.stash[HOST_KEY]
    lines = [f"kernel-koans: {_mode()}; "
             f"{h.cgroup.describe()}; docker: {h.docker or 'no engine'}"]
    if not h.root:
        lines.append(NOT_ROOT)
    return lines


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    """Order koans by the manifest (pytest-order marks) and record the catalog."""
    milestones = manifest.load()
    keys = {item.nodeid: manifest.sort_key(milestones, item.nodeid, _line(item)) for item in items}
    keyed = sorted(items, key=lambda it: keys[it.nodeid])
    for index, item in enumerate(keyed):
        item.add_marker(pytest.mark.order(index))
    items[:] = keyed
    entries = {}
    for item in keyed:
        info = koan.koan_info(item)
        if info is None:
            continue
        entries[item.nodeid] = progress.KoanEntry(
            nodeid=item.nodeid, name=item.name, milestone=manifest.milestone_of(item.nodeid),
            order=list(keys[item.nodeid]),
            man=info.man, hints=list(info.hints), needs=list(info.needs), lesson=info.lesson,
            exercises=_exercises(item))
    if entries:
        progress.save_catalog(entries)


def _line(item: pytest.Item) -> int:
    location = getattr(item, "location", None)
    return int(location[1] or 0) if location else 0


def _exercises(item: pytest.Item) -> list[str]:
    module = getattr(item, "module", None)
    if module is None:
        return []
    return sorted({v.rel for v in vars(module).values() if isinstance(v, Exercise)})


def pytest_sessionstart(session: pytest.Session) -> None:
    if _audit_on(session.config):
        session.config.stash[SESSION_SNAPSHOT_KEY] = audit.take(_docker(session.config))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Note the host's kk- objects before the koan, for the leak audit."""
    if _audit_on(item.config):
        item.stash[ITEM_SNAPSHOT_KEY] = audit.take(_docker_for(item))


def pytest_itemcollected(item: pytest.Item) -> None:
    """Skip a koan whose host requirements are missing, naming the fix (the skip
    points at the koan itself in pytest's summary)."""
    info = koan.koan_info(item)
    if info is None:
        return
    missing = item.config.stash[HOST_KEY].missing(info.needs)
    if missing:
        item.add_marker(pytest.mark.skip(reason=host.skip_reason(missing)))


@pytest.fixture(scope="session")
def kk_host(pytestconfig: pytest.Config) -> host.Host:
    """What this host offers (the session's capability probe)."""
    return pytestconfig.stash[HOST_KEY]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    """After the koan's fixtures are gone, anything new and kk- is a leak: remove it."""
    yield
    before = item.stash.get(ITEM_SNAPSHOT_KEY, None)
    if before is None:
        return
    client = _docker_for(item)
    leaked = audit.take(client).minus(before, frozenset(audit.session_owned))
    if leaked:
        audit.remove(leaked, client)
        item.config.stash[KOAN_LEAKS_KEY][item.nodeid] = leaked


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    rep: pytest.TestReport = outcome.get_result()
    info = koan.koan_info(item)
    if info is None:
        return
    if rep.when == "call" and rep.failed and call.excinfo is not None and _friendly(item.config):
        rep.longrepr = failures.explain(call.excinfo, info, _timeout(item), item.name)
    leaked = item.config.stash[KOAN_LEAKS_KEY].get(item.nodeid)
    if rep.when == "teardown" and leaked:
        rep.outcome = "failed"
        rep.longrepr = ("This koan left kernel objects behind (now removed): "
                        f"{audit.describe(leaked)}. Remove what your code creates, "
                        "also when it fails: try/finally, or a context manager.")
    _remember(item, rep)


def _remember(item: pytest.Item, rep: pytest.TestReport) -> None:
    outcomes = item.config.stash[OUTCOMES_KEY]
    if rep.when == "call" or (rep.when == "setup" and not rep.passed):
        reason = ""
        if rep.skipped and isinstance(rep.longrepr, tuple):
            reason = str(rep.longrepr[2]).removeprefix("Skipped: ")
        outcomes[item.nodeid] = (rep.outcome, reason)
        item.config.stash[DURATIONS_KEY][item.nodeid] = rep.duration
    elif rep.when == "teardown" and rep.failed:
        outcomes[item.nodeid] = ("failed", "")


def _friendly(config: pytest.Config) -> bool:
    """Our short explanation replaces the traceback unless the user asked for another --tb."""
    return config.getoption("tbstyle", "short") in ("short", "auto")


def _timeout(item: pytest.Item) -> float | None:
    marker = item.get_closest_marker("timeout")
    if marker and marker.args:
        return float(marker.args[0])
    for value in (item.config.getoption("timeout", None), item.config.getini("timeout")):
        try:
            if value:
                return float(value)
        except (TypeError, ValueError):
            continue
    return None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Session audit (after pytest tore every fixture down, also on Ctrl-C), then
    persist the journey and this run's outcomes."""
    config = session.config
    leaks: dict[str, list[str]] = {}
    before = config.stash.get(SESSION_SNAPSHOT_KEY, None)
    if before is not None:
        client = _docker(config)
        leaks = audit.take(client).minus(before)
        if leaks:
            audit.remove(leaks, client)
    config.stash[SESSION_LEAKS_KEY] = leaks
    outcomes = config.stash[OUTCOMES_KEY]
    if outcomes and not exercise.using_solutions():
        progress.record(outcomes)
    if not outcomes:
        return
    progress.save_last_run({
        "when": time.time(),
        "solutions": exercise.using_solutions(),
        "outcomes": {k: v[0] for k, v in outcomes.items()},
        "reasons": {k: v[1] for k, v in outcomes.items() if v[1]},
        "durations": config.stash[DURATIONS_KEY],
        "session_leaks": leaks,
        "koan_leaks": config.stash[KOAN_LEAKS_KEY],
    })


def _state_for_report(config: pytest.Config) -> dict[str, progress.Status]:
    """The journey including this run (pytest-html may render before it is saved);
    under --solutions, this run alone."""
    now = time.time()
    current = {k: progress.Status(o, now, None, r) for k, (o, r) in config.stash[OUTCOMES_KEY].items()}
    if exercise.using_solutions():
        return current
    return {**progress.load_progress(), **current}


@pytest.hookimpl(optionalhook=True)
def pytest_html_report_title(report: Any) -> None:
    report.title = "kernel-koans — your journey"


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(prefix: list[str], summary: list[str], postfix: list[str],
                                session: pytest.Session) -> None:
    prefix.append(report.milestone_section(_state_for_report(session.config),
                                           solutions=exercise.using_solutions()))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Progress bars per milestone, the next koan, leaks, and where the report is."""
    tr = terminalreporter
    leaks = config.stash.get(SESSION_LEAKS_KEY, {})
    koan_leaks = config.stash[KOAN_LEAKS_KEY]
    if leaks or koan_leaks:
        tr.write_sep("!", "kernel objects left behind (removed)", red=True, bold=True)
        for nodeid, found in koan_leaks.items():
            tr.write_line(f"{nodeid}: {audit.describe(found)}")
        if leaks:
            tr.write_line(f"after the session: {audit.describe(leaks)}")
    if not config.stash[OUTCOMES_KEY]:
        return
    if exercise.using_solutions():
        tr.write_sep("=", "kernel-koans: reference solutions (your progress is unchanged)")
    else:
        tr.write_sep("=", "kernel-koans: your journey")
        for line in journey.status_lines():
            tr.write_line(line)
        tr.write_line("")
        for line in journey.next_lines(runner=_runner()):
            tr.write_line(line)
    if not config.stash[HOST_KEY].root:
        tr.write_line(NOT_ROOT, yellow=True)
    htmlpath = config.getoption("htmlpath", None)
    if htmlpath:
        tr.write_line(f"Report: {os.path.relpath(os.path.abspath(htmlpath))}")


def _runner() -> str:
    return "sudo .venv/bin/pytest" if os.geteuid() != 0 or os.environ.get("SUDO_UID") else ".venv/bin/pytest"


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Under sudo, hand the run's files in the repo back to the invoking user; free the host."""
    ownership.hand_back(paths.repo_root())
    exercise.set_solutions(False)
    runlock.release()


def _audit_on(config: pytest.Config) -> bool:
    return not config.getoption("no_audit") and config.stash[HOST_KEY].root


DOCKER_KEY = pytest.StashKey[Any]()


def _docker(config: pytest.Config) -> Any:
    """One docker client per run when the engine answers, for the audit; None otherwise."""
    if not config.stash[HOST_KEY].docker:
        return None
    if DOCKER_KEY not in config.stash:
        try:
            from kernel_koans import docker_objects

            config.stash[DOCKER_KEY] = docker_objects.client(docker_objects.AUDIT_TIMEOUT)
        except Exception:  # noqa: BLE001
            config.stash[DOCKER_KEY] = None
    return config.stash[DOCKER_KEY]


def _docker_for(item: pytest.Item) -> Any:
    if "docker_client" not in getattr(item, "fixturenames", ()):
        return None
    return _docker(item.config)

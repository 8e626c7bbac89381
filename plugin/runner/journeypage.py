"""The report as a journey page: the next koan with the hints revealed so far, a
collapsible map of every milestone and koan, the solutions the learner has
unlocked by passing, progress over time, and skips grouped by the missing piece.

Pure HTML and CSS (details/summary, inline SVG), so pytest-html's self-contained
report stays offline. Every string from koan files or learner code is escaped.
The counts come from progress.tally, the same as `koans status` and the terminal.
"""
from __future__ import annotations

import html
import time
from dataclasses import dataclass, field

from kernel_koans import host, manifest, paths, progress
from kernel_koans.koan import reference_label
from kernel_koans.runner import chart, unlock

STYLE = """
#kk-milestones{font-family:sans-serif;max-width:1200px;color:#1f2328;font-size:13px}
#kk-next{border:2px solid #e0a800;background:#fffbea;padding:8px 14px;margin:8px 0 14px;border-radius:6px}
#kk-next h3{margin:4px 0}
#kk-milestones h3,#kk-milestones code,#kk-milestones summary{color:#1f2328}
.kk-milestone{border:1px solid #ddd;border-radius:6px;margin:6px 0;padding:4px 10px}
.kk-milestone>summary{cursor:pointer;font-weight:600;padding:2px 0}
.kk-milestone>summary progress{vertical-align:middle;margin:0 8px}
.kk-koans{border-collapse:collapse;width:100%;margin:6px 0}
.kk-koans td{border-top:1px solid #eee;padding:3px 6px;vertical-align:top;font-size:13px}
.kk-koans td.kk-when{white-space:nowrap;color:#666;width:9em}
.kk-koans td.kk-mark{width:5.5em;font-weight:600}
.kk-status-passed .kk-mark{color:#1a7f37}.kk-status-failed .kk-mark{color:#cf222e}
.kk-status-skipped .kk-mark{color:#9a6700}.kk-status-not-run .kk-mark{color:#888}
tr.kk-next{background:#fffbea}
.kk-lesson{color:#444}
.kk-solution{margin:4px 0}.kk-solution>summary{cursor:pointer;color:#0969da}
.kk-skip-group{margin:4px 0}.kk-skip-group code{background:#f3f3f3;padding:1px 4px}
"""

FRESH_S = 5.0
"""A koan whose first pass is this close to its latest run was unlocked by this run
(whether or not the run's progress is saved yet when pytest-html renders)."""

MARKS = {"passed": "✓ passed", "failed": "✗ failing", "skipped": "– skipped", "not-run": "· not run"}


@dataclass
class SkipGroup:
    """Skipped koans that share one missing host piece (or one reason)."""

    title: str
    fix: str
    nodeids: list[str] = field(default_factory=list)


def section(state: dict[str, progress.Status], solutions: bool = False,
            kk_host: host.Host | None = None, hints_seen: dict[str, int] | None = None) -> str:
    """The whole journey section (the report's summary prefix)."""
    catalog = progress.load_catalog()
    milestones = manifest.load()
    titles = {m.key: m.title for m in milestones}
    seen = progress.load_hints_seen() if hints_seen is None else hints_seen
    nxt = progress.next_koan(catalog, state)
    saved = progress.load_progress()
    unlocked = {} if solutions else first_passes(state, saved)
    fresh = {n for n, ts in unlocked.items() if n in state and abs(state[n].when - ts) < FRESH_S}
    parts = [f"<section id='kk-milestones'><style>{STYLE}{unlock.css()}</style><h2>Your journey</h2>"]
    if solutions:
        parts.append("<p><strong>Run against the reference solutions.</strong> Your progress is unchanged; "
                     "no solution is unlocked by this run.</p>")
    parts.append(next_block(nxt, state, seen))
    parts.append(map_block(catalog, state, titles, nxt, unlocked, fresh))
    if not solutions:
        first = {n: (catalog[n].milestone, ts) for n, ts in unlocked.items() if n in catalog}
        parts.append("<div id='kk-chart'><h3>Koans passed per day</h3>"
                     + chart.svg(chart.per_day(first), [m.key for m in milestones]) + "</div>")
    parts.append(skipped_block(skip_groups(catalog, state, kk_host)))
    parts.append("</section>")
    return "".join(parts)


def first_passes(state: dict[str, progress.Status], saved: dict[str, progress.Status]) -> dict[str, float]:
    """nodeid -> when it first passed, for every koan the learner has passed (a run's
    own statuses may not carry first_passed yet: a pass now counts from now)."""
    out: dict[str, float] = {}
    for nodeid in {*state, *saved}:
        now, old = state.get(nodeid), saved.get(nodeid)
        when = (now.first_passed if now else None) or (old.first_passed if old else None)
        if when is None and now is not None and now.outcome == "passed":
            when = now.when
        if when is not None:
            out[nodeid] = when
    return out


def revealed(entry: progress.KoanEntry, seen: dict[str, int]) -> int:
    """Hint tiers the learner has asked for (`koans hint`, `h` in watch); the first is free."""
    return min(max(1, seen.get(entry.nodeid, 0)), len(entry.hints))


def next_block(entry: progress.KoanEntry | None, state: dict[str, progress.Status],
               seen: dict[str, int]) -> str:
    if entry is None:
        return "<div id='kk-next'><h3>Every koan passes.</h3><p>Every solution below is unlocked.</p></div>"
    shown = revealed(entry, seen)
    hints = "".join(f"<li class='kk-hint'>{html.escape(h)}</li>" for h in entry.hints[:shown])
    more = len(entry.hints) - shown
    more_html = (f"<p class='kk-more-hints'>{more} more hint tier{'s' if more > 1 else ''}: "
                 f"<code>koans hint {html.escape(entry.name)}</code> (or <kbd>h</kbd> in <code>koans watch</code>)</p>"
                 if more > 0 else "")
    status = state.get(entry.nodeid)
    skipped = (f"<p>Skipped on this host: {html.escape(status.reason)}</p>"
               if status is not None and status.outcome == "skipped" else "")
    base = paths.repo_root()
    edit = ", ".join(html.escape(paths.learner_path(e).relative_to(base).as_posix()) for e in entry.exercises)
    file_part, _, name = entry.nodeid.partition("::")
    man = f"<p>{reference_label(entry.man)}: {html.escape(entry.man)}</p>" if entry.man else ""
    return (f"<div id='kk-next'><h3>Next koan: <code>{html.escape(entry.name)}</code> "
            f"<small>({html.escape(entry.milestone)})</small></h3>"
            f"<p class='kk-lesson'>{html.escape(entry.lesson)}</p>{skipped}"
            f"<ol class='kk-hints'>{hints}</ol>{more_html}{man}"
            + (f"<p>Edit: <code>{edit}</code></p>" if edit else "")
            + f"<p>Run: <code>koans watch</code> or <code>sudo .venv/bin/pytest {html.escape(file_part)} "
            f"-k {html.escape(name)}</code></p></div>")


def _status_key(status: progress.Status | None) -> str:
    return "not-run" if status is None else status.outcome if status.outcome in MARKS else "not-run"


def map_block(catalog: dict[str, progress.KoanEntry], state: dict[str, progress.Status],
              titles: dict[str, str], nxt: progress.KoanEntry | None, unlocked: dict[str, float],
              fresh: set[str]) -> str:
    """Every milestone (open: the next koan's, and any with a solution unlocked by this
    run), every koan with its status, lesson, last run and unlocked solution."""
    by_milestone: dict[str, list[progress.KoanEntry]] = {}
    for entry in progress.ordered(catalog):
        by_milestone.setdefault(entry.milestone, []).append(entry)
    parts = ["<div id='kk-map'><h3>The map</h3>"]
    for t in progress.tally(catalog, state, titles):
        if not t.total:
            continue
        extra = [f"{n} {word}" for n, word in ((t.failed, "failing"), (t.skipped, "skipped"),
                                                (t.not_run, "not run yet")) if n]
        entries = by_milestone.get(t.key, [])
        is_open = " open" if (nxt is not None and nxt.milestone == t.key) or any(
            e.nodeid in fresh for e in entries) else ""
        rows = [_koan_row(e, state.get(e.nodeid), nxt, unlocked, e.nodeid in fresh) for e in entries]
        parts.append(
            f"<details class='kk-milestone' data-milestone='{html.escape(t.key)}'{is_open}>"
            f"<summary>{html.escape(t.key)} {html.escape(t.title)}"
            f"<progress max='{t.total}' value='{t.passed}'></progress>"
            f"<span class='kk-count'>{t.passed}/{t.total}</span>"
            + (f" <small>({', '.join(extra)})</small>" if extra else "")
            + f"</summary><table class='kk-koans'><tbody>{''.join(rows)}</tbody></table></details>")
    parts.append("</div>")
    return "".join(parts)


def _koan_row(entry: progress.KoanEntry, status: progress.Status | None, nxt: progress.KoanEntry | None,
              unlocked: dict[str, float], fresh: bool) -> str:
    key = _status_key(status)
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(status.when)) if status is not None else "never"
    classes = f"kk-koan kk-status-{key}" + (" kk-next" if nxt is not None and nxt.nodeid == entry.nodeid else "")
    solution = ""
    if entry.nodeid in unlocked:
        diffs = "".join(unlock.side_by_side(p) for p in unlock.pieces(entry.nodeid, entry.exercises))
        if diffs:
            label = "Just unlocked" if fresh else "Unlocked"
            solution = (f"<details class='kk-solution'{' open' if fresh else ''}><summary>{label}: "
                        f"your code beside the reference</summary>{diffs}</details>")
    reason = (f"<div class='kk-reason'>{html.escape(status.reason)}</div>"
              if status is not None and status.outcome == "skipped" and status.reason else "")
    return (f"<tr class='{classes}' data-nodeid='{html.escape(entry.nodeid)}'>"
            f"<td class='kk-mark'>{MARKS[key]}</td>"
            f"<td><code>{html.escape(entry.name)}</code><div class='kk-lesson'>{html.escape(entry.lesson)}</div>"
            f"{reason}{solution}</td><td class='kk-when'>{when}</td></tr>")


def skip_groups(catalog: dict[str, progress.KoanEntry], state: dict[str, progress.Status],
                kk_host: host.Host | None) -> list[SkipGroup]:
    """Skipped koans by missing host piece (from the catalog's needs and the probe);
    a skip the probe does not explain is grouped by its reason."""
    groups: dict[str, SkipGroup] = {}
    for entry in progress.ordered(catalog):
        status = state.get(entry.nodeid)
        if status is None or status.outcome != "skipped":
            continue
        missing: list[str] = []
        if kk_host is not None:
            try:
                missing = kk_host.missing(entry.needs)
            except KeyError:
                missing = []
        if not missing:
            group = groups.setdefault("reason:" + status.reason, SkipGroup(status.reason or "skipped", ""))
            group.nodeids.append(entry.nodeid)
        for need in missing:
            group = groups.setdefault("need:" + need, SkipGroup(f"missing: {need}", host.fix_for(need)))
            group.nodeids.append(entry.nodeid)
    return list(groups.values())


def skipped_block(groups: list[SkipGroup]) -> str:
    if not groups:
        return ""
    parts = ["<div id='kk-skipped'><h3>Skipped on this host</h3>"]
    for g in groups:
        names = "".join(f"<li><code>{html.escape(n.split('::')[-1])}</code></li>" for n in g.nodeids)
        fix = f" — fix: <code>{html.escape(g.fix)}</code>" if g.fix else ""
        parts.append(f"<details class='kk-skip-group'><summary>{html.escape(g.title)} "
                     f"({len(g.nodeids)} koan{'s' if len(g.nodeids) != 1 else ''}){fix}</summary>"
                     f"<ul>{names}</ul></details>")
    parts.append("</div>")
    return "".join(parts)

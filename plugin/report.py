"""The HTML report's extra parts (pytest-html hooks): title, host probe in the
header, and the milestone progress section. Everything inserted is escaped."""
from __future__ import annotations

import html

from kernel_koans import progress
from kernel_koans.koan import reference_label


def milestone_section(state: dict[str, progress.Status], solutions: bool = False) -> str:
    """The section's HTML for `state` (the journey, or this run alone under --solutions).

    The next koan shows its first hint and those `koans hint` revealed: no more."""
    j = progress.journey(state)
    rows = []
    for t in j.tallies:
        if not t.total:
            continue
        reasons = "<br>".join(html.escape(r) for r in t.skip_reasons[:5])
        rows.append(
            f"<tr class='kk-milestone'><td>{html.escape(t.key)}</td><td>{html.escape(t.title)}</td>"
            f"<td><progress max='{t.total}' value='{t.passed}'></progress></td>"
            f"<td class='kk-passed'>{t.passed}</td><td class='kk-failed'>{t.failed}</td>"
            f"<td class='kk-skipped'>{t.skipped}</td><td>{t.not_run}</td><td>{reasons}</td></tr>"
        )
    entry = j.next
    if entry is None:
        nxt = "<p id='kk-next'>Every koan passes.</p>"
    else:
        shown = max(1, progress.load_hints_seen().get(entry.nodeid, 0))
        hints = "".join(f"<li>{html.escape(h)}</li>" for h in entry.hints[:shown])
        more = (f"<p>More hints: <code>koans hint {html.escape(entry.name)}</code></p>"
                if shown < len(entry.hints) else "")
        nxt = (f"<div id='kk-next'><h3>Next koan</h3><p><code>{html.escape(entry.nodeid)}</code></p>"
               f"<p>{html.escape(entry.lesson)}</p><p>{reference_label(entry.man)}: {html.escape(entry.man)}</p>"
               f"<ol class='kk-hints'>{hints}</ol>{more}</div>")
    mode = "<p><strong>Run against the reference solutions.</strong></p>" if solutions else ""
    return (
        "<section id='kk-milestones'><h2>Milestone progress</h2>" + mode
        + "<table><thead><tr><th>Milestone</th><th>Title</th><th>Progress</th><th>Passed</th>"
        "<th>Failed</th><th>Skipped</th><th>Not run</th><th>Why skipped</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table>" + nxt + "</section>"
    )

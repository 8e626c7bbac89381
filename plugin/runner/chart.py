"""Progress over time as an inline SVG: koans first passed per day, stacked by milestone,
with the running total as a line (one point per day). No script, no network."""
from __future__ import annotations

import html
import time
from collections import Counter

from kernel_koans.benchchart import PALETTE


def day_of(ts: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(ts))


def per_day(first_passed: dict[str, tuple[str, float]]) -> dict[str, Counter[str]]:
    """nodeid -> (milestone, first-pass time)  ==>  day -> milestone -> koans passed that day."""
    days: dict[str, Counter[str]] = {}
    for milestone, ts in first_passed.values():
        days.setdefault(day_of(ts), Counter())[milestone] += 1
    return dict(sorted(days.items()))


def svg(days: dict[str, Counter[str]], milestones: list[str], width: int = 640, height: int = 200) -> str:
    """Stacked bars per day (colour = milestone) and the cumulative total as a line."""
    if not days:
        return "<p class='kk-chart-empty'>No koan passed yet: the chart starts with your first pass.</p>"
    colour = {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(milestones)}
    left, right, top, bottom = 40, 40, 16, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(c.values()) for c in days.values()]
    running = [sum(totals[: i + 1]) for i in range(len(totals))]
    bar_max, cum_max = max(totals), max(running)
    step = plot_w / len(days)
    bar_w = max(min(step * 0.6, 48), 2)
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' id='kk-chart-svg' width='{width}' height='{height}' "
             f"viewBox='0 0 {width} {height}' role='img' aria-label='koans passed per day per milestone'>",
             f"<line x1='{left}' y1='{top + plot_h}' x2='{left + plot_w}' y2='{top + plot_h}' stroke='#888'/>",
             f"<text x='{left - 6}' y='{top + 8}' font-size='10' text-anchor='end'>{bar_max}</text>",
             f"<text x='{left + plot_w + 6}' y='{top + 8}' font-size='10' fill='#333'>{cum_max}</text>"]
    points = []
    for i, (day, counts) in enumerate(days.items()):
        x = left + step * i + (step - bar_w) / 2
        y: float = top + plot_h
        for m in milestones + sorted(set(counts) - set(milestones)):
            n = counts.get(m, 0)
            if not n:
                continue
            h = plot_h * n / bar_max
            y -= h
            parts.append(f"<rect class='kk-bar' x='{x:.1f}' y='{y:.1f}' width='{bar_w:.1f}' height='{h:.1f}' "
                         f"fill='{colour.get(m, '#999')}'><title>{html.escape(day)} · {html.escape(m)}: "
                         f"{n} passed</title></rect>")
        cx = left + step * i + step / 2
        cy = top + plot_h - plot_h * running[i] / cum_max
        points.append((cx, cy, day, running[i]))
        parts.append(f"<text x='{cx:.1f}' y='{top + plot_h + 14}' font-size='10' text-anchor='middle'>"
                     f"{html.escape(day[5:])}</text>")
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        parts.append(f"<polyline points='{path}' fill='none' stroke='#333' stroke-width='1.5'/>")
    for x, y, day, n in points:
        parts.append(f"<circle class='kk-point' cx='{x:.1f}' cy='{y:.1f}' r='3.5' fill='#333'>"
                     f"<title>{html.escape(day)}: {n} passed in all</title></circle>")
    lx: float = left
    for m in milestones:
        if any(m in c for c in days.values()):
            parts.append(f"<rect x='{lx}' y='{height - 16}' width='10' height='10' fill='{colour[m]}'/>"
                         f"<text x='{lx + 14}' y='{height - 7}' font-size='10'>{html.escape(m)}</text>")
            lx += 56
    parts.append(f"<text x='{lx + 8}' y='{height - 7}' font-size='10' fill='#333'>● total so far</text>")
    parts.append("</svg>")
    return "".join(parts)

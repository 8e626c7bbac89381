"""Benchmark figures as an inline SVG: one row per image, a bar to the median and a
whisker from min to max. No script, no network; every label escaped."""
from __future__ import annotations

import html
from collections.abc import Mapping

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
           "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#2f4b7c")
"""The colours of both inline charts; the journey chart (kernel_koans.runner.chart) takes them from here."""


def whiskers(rows: Mapping[str, tuple[float, float, float]], title: str, unit: str,
             width: int = 560, row_h: int = 26) -> str:
    """rows: label -> (min, median, max). Returns one <svg> element."""
    if not rows:
        return "<p class='kk-chart-empty'>No measurement.</p>"
    left, right, top = 200, 70, 22
    height = top + row_h * len(rows) + 10
    top_value = max(hi for _, _, hi in rows.values()) or 1.0
    scale = (width - left - right) / top_value
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' class='kk-bench' width='{width}' height='{height}' "
             f"viewBox='0 0 {width} {height}' role='img' aria-label='{html.escape(title, quote=True)}'>",
             f"<text x='4' y='14' font-size='12' font-weight='bold'>{html.escape(title)}</text>"]
    for i, (label, (lo, mid, hi)) in enumerate(rows.items()):
        y = top + i * row_h
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f"<text x='{left - 6}' y='{y + 15}' font-size='11' text-anchor='end'>{html.escape(label)}</text>")
        parts.append(f"<rect x='{left}' y='{y + 4}' width='{mid * scale:.1f}' height='{row_h - 10}' fill='{colour}'>"
                     f"<title>{html.escape(label)}: min {lo:.3g}, median {mid:.3g}, max {hi:.3g} {html.escape(unit)}"
                     "</title></rect>")
        parts.append(f"<line x1='{left + lo * scale:.1f}' y1='{y + row_h / 2:.1f}' x2='{left + hi * scale:.1f}' "
                     f"y2='{y + row_h / 2:.1f}' stroke='#333' stroke-width='1.5'/>")
        parts.append(f"<text x='{left + hi * scale + 4:.1f}' y='{y + 15}' font-size='10'>"
                     f"{mid:.3g} {html.escape(unit)}</text>")
    parts.append("</svg>")
    return "".join(parts)

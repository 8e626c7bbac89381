"""The HTML report's extra parts (pytest-html hooks): title, host probe in the
header, and the journey page (kernel_koans.journeypage). Everything inserted is escaped."""
from __future__ import annotations

from kernel_koans import host, journeypage, progress


def milestone_section(state: dict[str, progress.Status], solutions: bool = False,
                      kk_host: host.Host | None = None) -> str:
    """The section's HTML for `state` (the journey, or this run alone under --solutions)."""
    return journeypage.section(state, solutions=solutions, kk_host=kk_host)

"""The koan marker: one lesson, its hints in tiers, its man page, what the host must offer."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

if TYPE_CHECKING:
    import pytest

F = TypeVar("F", bound=Callable[..., Any])

MARKER = "koan"


class KoanInfo(NamedTuple):
    """What the plugin, the report and the CLI know about one koan. (A NamedTuple: the
    package imports this module eagerly, and a dataclass would cost every program that
    imports `kernel_koans` an import of inspect.)"""

    man: str
    hints: tuple[str, ...]
    needs: tuple[str, ...]
    lesson: str = ""


def koan(*, man: str, hints: Sequence[str], needs: Sequence[str] = ()) -> Callable[[F], F]:
    """Mark a test as a koan.

    `hints` go from a nudge to the mechanism; `needs` names host capabilities
    (see kernel_koans.host.REQUIREMENTS) and turns a missing one into a skip.
    """
    if not hints:
        raise ValueError("a koan needs at least one hint")

    import pytest  # here, not at import: `kernel_koans` re-exports koan and must stay light

    def mark(fn: F) -> F:
        return pytest.mark.koan(man=man, hints=tuple(hints), needs=tuple(needs))(fn)

    return mark


def koan_info(item: pytest.Item) -> KoanInfo | None:
    """The koan's metadata, or None for a test that is not a koan."""
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return None
    fn = getattr(item, "function", None)
    doc = (fn.__doc__ or "").strip() if fn is not None else ""
    lesson = " ".join(doc.split()) if doc else ""
    return KoanInfo(
        man=str(marker.kwargs.get("man", "")),
        hints=tuple(marker.kwargs.get("hints", ())),
        needs=tuple(marker.kwargs.get("needs", ())),
        lesson=lesson,
    )


def reference_label(man: str) -> str:
    """'Man page' for man(1) references, 'Docs' for web pages (Docker's reference)."""
    return "Docs" if man.strip().startswith(("http://", "https://")) else "Man page"


def touches(info: KoanInfo, fixturenames: Sequence[str], topic: str) -> bool:
    """Whether a koan works with `topic` ("cgroup"): it declares a need of that family
    ("cgroup2", "cgroup:memory") or uses the fixture of that name. Selects the cgroup
    v2 lane's koans (`--koans-needing cgroup`) from data the koans already carry."""
    return any(need == topic or need.startswith(topic) for need in info.needs) or topic in fixturenames

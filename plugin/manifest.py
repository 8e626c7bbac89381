"""The ordered curriculum: milestones and their koan files, from koans/manifest.toml."""
from __future__ import annotations

import sys
from dataclasses import dataclass

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from kernel_koans import paths


@dataclass(frozen=True)
class Milestone:
    key: str  # "m04"
    title: str
    files: tuple[str, ...]


def load() -> list[Milestone]:
    path = paths.repo_root() / "koans" / "manifest.toml"
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text())
    return [Milestone(key, str(v.get("title", key)), tuple(v.get("files", ())))
            for key, v in sorted(data.items())]


def milestone_of(nodeid: str) -> str:
    """`koans/m04/test_pid_ns.py::test_x` -> `m04`; '' outside a milestone folder."""
    for part in nodeid.split("::")[0].split("/"):
        if len(part) == 3 and part[0] == "m" and part[1:].isdigit():
            return part
    return ""


def sort_key(milestones: list[Milestone], nodeid: str, line: int) -> tuple[int, int, str, int]:
    """Milestone, then the file's place in the manifest (unlisted files last, by name),
    then the koan's line in its file."""
    file_part = nodeid.split("::")[0]
    filename = file_part.rsplit("/", 1)[-1]
    ms = milestone_of(nodeid)
    order = {m.key: i for i, m in enumerate(milestones)}
    m_index = order.get(ms, len(milestones))
    files = next((m.files for m in milestones if m.key == ms), ())
    f_index = files.index(filename) if filename in files else len(files)
    return (m_index, f_index, file_part, line)

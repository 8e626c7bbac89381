"""M0 · systemd unit files: an INI-like syntax with a few rules of its own.
Reference solution.

Man pages: systemd.syntax(7), systemd.unit(5), systemd.service(5).
"""
from __future__ import annotations

import shlex
from collections.abc import Iterator

EXEC_PREFIXES = "@-:+!"
"""Characters that may lead an Exec*= command line (systemd.service(5), 'Command lines')."""


WHITESPACE = " \t\n\r"
COMMENTS = ("#", ";")


def read_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """{section: {key: [values in order]}} as systemd reads a unit file."""
    unit: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for line in _logical_lines(text):
        line = line.strip(WHITESPACE)
        if not line or line.startswith(COMMENTS):
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise ValueError(f"a section header must end with ']': {line!r}")
            current = unit.setdefault(line[1:-1], {})
            continue
        if current is None or "=" not in line:
            raise ValueError(f"not an assignment inside a section: {line!r}")
        key, _, value = line.partition("=")
        key, value = key.strip(WHITESPACE), value.strip(WHITESPACE)
        if value == "":
            current[key] = []  # an empty assignment resets the list
        else:
            current.setdefault(key, []).append(value)
    return unit


def _logical_lines(text: str) -> Iterator[str]:
    """Lines as the parser sees them: one ending in a backslash is joined with the next
    (the backslash becomes a space), skipping comment lines in between."""
    pending: str | None = None
    for raw in text.splitlines():
        if pending is not None and raw.lstrip(WHITESPACE).startswith(COMMENTS):
            continue
        line = raw if pending is None else pending + raw
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2 == 1:  # an odd run of backslashes: the last one is not escaped
            pending = line[:-1] + " "
            continue
        pending = None
        yield line
    if pending is not None:
        yield pending


def exec_start(path: str) -> list[str]:
    """The argv systemd would execve() for the service's (last) ExecStart= line."""
    with open(path, encoding="utf-8") as f:
        lines = read_unit(f.read()).get("Service", {}).get("ExecStart", [])
    if not lines:
        raise ValueError(f"{path} has no ExecStart=")
    argv = shlex.split(lines[-1])
    argv[0] = argv[0].lstrip(EXEC_PREFIXES)
    return argv


def restart_policy(path: str) -> str:
    """The service's Restart= setting; systemd's default is 'no'."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("Restart"):
                return line.split("=", 1)[1].strip()
    return "no"

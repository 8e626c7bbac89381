"""M0 · systemd unit files: an INI-like syntax with a few rules of its own.

Your exercise: read unit files as systemd reads them. test_units.py checks
read_unit() on many generated files, and runs the ExecStart= you extract.
Man pages: systemd.syntax(7), systemd.unit(5), systemd.service(5).
"""
from __future__ import annotations


def read_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """{section: {key: [values, in order]}} for the text of a unit file.

    The rules (systemd.syntax(7)):
    - `[Section]` starts a section; `Key=Value` assigns, whitespace around key and
      value is dropped.
    - Lines whose first non-blank character is `#` or `;` are comments; blank lines
      are ignored.
    - A line ending in a backslash continues on the next one: the backslash becomes
      a space. Comment lines in the middle of a continued line are skipped.
    - A key may be assigned more than once: its values accumulate in order. An empty
      assignment (`Key=`) empties the list.
    """
    raise NotImplementedError("should return {section: {key: [values]}} for the text of a unit file")


def exec_start(path: str) -> list[str]:
    """The argv systemd would execve() for the unit file's [Service] ExecStart=:
    its last value, split into words like a shell would, without the special
    prefix characters (`-`, `@`, `:`, `+`, `!`) that may lead the command."""
    raise NotImplementedError("should return the argv systemd would run for the unit's ExecStart=")


def restart_policy(path: str) -> str:
    """The service's Restart= setting; when the unit has none, systemd's default."""
    raise NotImplementedError("should return the service's Restart= setting, or systemd's default")

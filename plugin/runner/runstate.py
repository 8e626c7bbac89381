"""One pytest run's state, in one object: options read once, the host probe, the
exercise sides, the leak audit's snapshots and the record saved at the end.

The plugin's hooks read and fill it (config.stash[RUN]); nothing else keeps run state.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from kernel_koans import host, progress
from kernel_koans.exercise import Sides, parse_swaps
from kernel_koans.runner.audit import Snapshot


@dataclass
class RunState:
    host: host.Host
    sides: Sides
    audit: bool  # leak audit on (root, and not --no-audit)
    friendly: bool  # our short explanation replaces pytest's traceback
    record: progress.LastRun = field(default_factory=progress.LastRun)
    missing: dict[str, list[str]] = field(default_factory=dict)
    """Collected koans the host cannot run: nodeid -> the needs it lacks."""
    session_before: Snapshot | None = None
    koan_before: dict[str, Snapshot] = field(default_factory=dict)
    session_owned: set[str] = field(default_factory=set)
    """Objects session-scoped fixtures keep for the whole run (the cached rootfs): not
    a koan's leak, but still counted by the session audit."""
    previous_sides: Sides | None = None
    _docker: Any = None
    _docker_tried: bool = False

    @classmethod
    def from_config(cls, config: pytest.Config, probed: host.Host) -> RunState:
        swaps = parse_swaps(list(config.getoption("swap") or ()))
        sides = Sides(bool(config.getoption("solutions")), swaps)
        record = progress.LastRun(solutions=sides.solutions,
                                  swaps={rel: str(path) for rel, path in swaps.items()})
        return cls(host=probed, sides=sides, record=record,
                   audit=probed.root and not config.getoption("no_audit"),
                   friendly=config.getoption("tbstyle", "short") in ("short", "auto"))

    @property
    def mode(self) -> str:
        text = "reference solutions" if self.sides.solutions else "your code"
        if self.sides.swaps:
            text += ", swapped in: " + ", ".join(f"{r} from {p}" for r, p in self.record.swaps.items())
        return text

    def docker(self) -> Any:
        """One docker client per run when the engine answers, for the audit; None otherwise."""
        if self.host.docker and not self._docker_tried:
            self._docker_tried = True
            try:
                from kernel_koans import docker_objects

                self._docker = docker_objects.client(docker_objects.AUDIT_TIMEOUT)
            except Exception:  # noqa: BLE001
                self._docker = None
        return self._docker


RUN = pytest.StashKey[RunState]()
"""Where the plugin keeps the run's state (config.stash[RUN])."""

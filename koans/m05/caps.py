"""Capabilities: root's power cut into some forty pieces, each one granted or not.

Read capabilities(7): the sets a thread has (effective, permitted, inheritable,
bounding, ambient), and "Transformation of capabilities during execve()".
`kernel_koans.capabilities` has capget/capset and the names by number (NAMES);
`kernel_koans.linux` has prctl and PR_CAPBSET_DROP.
"""
from __future__ import annotations

from kernel_koans import capabilities, linux  # noqa: F401 - capget/capset, prctl
from kernel_koans.capabilities import NAMES  # noqa: F401 - NAMES[n] is capability n's name


def decode(mask: str) -> list[str]:
    """The names of the capabilities in a mask as /proc/<pid>/status shows it (CapEff:,
    CapPrm:, CapBnd:, e.g. "00000000a80425fb"), in the order of their numbers:
    ["cap_chown", "cap_dac_override", ...], as `capsh --decode` prints them."""
    raise NotImplementedError("should return the capability names set in the mask")


def drop(names: list[str]) -> None:
    """Take the named capabilities (e.g. ["cap_net_raw"]) away from this process for good:
    neither it nor any program it executes may use them again. Every other capability stays."""
    raise NotImplementedError("should take the named capabilities away from this process for good")

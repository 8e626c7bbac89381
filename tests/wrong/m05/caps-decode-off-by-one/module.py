"""Capabilities (reference)."""
from __future__ import annotations

from kernel_koans import capabilities, linux
from kernel_koans.capabilities import NAMES


def decode(mask: str) -> list[str]:
    """The capability names in a hex mask from /proc/<pid>/status, lowest bit first."""
    value = int(mask, 16)
    # bit n is capability n: cap_chown is bit 0, not bit 1, and the string's last
    # hex digit holds bits 0-3.
    return [NAMES[bit - 1] for bit in range(1, len(NAMES) + 1) if value >> bit & 1]


def drop(names: list[str]) -> None:
    """Take the named capabilities away from this process for good."""
    numbers = [NAMES.index(name) for name in names]
    for number in numbers:
        # the bounding set limits what any later execve can grant, root's included
        linux.prctl(linux.PR_CAPBSET_DROP, number)
    keep = ~sum(1 << n for n in numbers)
    now = capabilities.capget()
    # out of permitted too, or capset could put it back into effective
    capabilities.capset(capabilities.CapSets(now.effective & keep, now.permitted & keep,
                                             now.inheritable & keep))

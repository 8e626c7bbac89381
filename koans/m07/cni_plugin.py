"""A CNI plugin of your own: an executable the runtime runs (this file, as a program).

It gives the container one interface, as the `ptp` plugin does: a veth pair whose one end
is CNI_IFNAME inside the network namespace CNI_NETNS, with the "address" of the network
config ("10.1.2.3/24"), up; the other end stays on the host, up, named kk-<something>
that DEL can find again (the koans' objects all carry the kk- prefix; 15 characters at most).
Read the CNI spec (https://www.cni.dev/docs/spec/): sections 3 (Execution Protocol),
4 (not needed: no delegation) and 5 (Result Types, Error).
"""
from __future__ import annotations

import hashlib  # noqa: F401
import json  # noqa: F401
import os  # noqa: F401
import sys

from kernel_koans import linux  # noqa: F401 - setns, CLONE_NEWNET

SUPPORTED = ["0.4.0", "1.0.0"]
"""The CNI spec versions this plugin speaks."""


def main() -> int:
    """Do what CNI_COMMAND says (ADD, DEL, CHECK, VERSION) with the config on stdin; print
    the result or error JSON on stdout; return the exit status."""
    raise NotImplementedError("should answer the CNI commands ADD, DEL and VERSION as the spec says")


if __name__ == "__main__":
    sys.exit(main())

"""Name resolution by hand, the /etc/hosts way: a private file bind-mounted for one process tree.

Docker did exactly this before its embedded DNS: it writes a hosts file per
container (and still bind-mounts /etc/hosts, /etc/resolv.conf, /etc/hostname).
"""
from __future__ import annotations

from kernel_koans import linux  # noqa: F401  (unshare, mount, CLONE_NEWNS, MS_* live here)


def hosts_file(entries: dict[str, str]) -> str:
    """The text of a hosts(5) file mapping each name to its IPv4 address.

    One line per entry: 'ADDRESS NAME'. Keep a '127.0.0.1 localhost' line too.
    """
    raise NotImplementedError("should return the text of a hosts(5) file for these entries")


def use_hosts_file(path: str) -> None:
    """Make the file at `path` this process's /etc/hosts, and nobody else's.

    The koan calls this in a forked child. Three steps with kernel_koans.linux:
    a new mount namespace (unshare CLONE_NEWNS), make every mount in it private
    (mount None on "/" with MS_REC | MS_PRIVATE) so nothing propagates back to the
    host, then bind-mount `path` over /etc/hosts (MS_BIND).
    """
    raise NotImplementedError("should make the file at `path` this process's /etc/hosts, and nobody else's")

"""Name resolution by hand, the /etc/hosts way: a private file bind-mounted for one process tree.

Docker did exactly this before its embedded DNS: it wrote a hosts file per
container (and still bind-mounts /etc/hosts, /etc/resolv.conf, /etc/hostname).
"""
from __future__ import annotations

from kernel_koans import linux


def hosts_file(entries: dict[str, str]) -> str:
    """hosts(5) text mapping each name to its IPv4 address: one 'ADDRESS NAME' line each."""
    lines = ["127.0.0.1 localhost"]
    lines += [f"{address} {name}" for name, address in sorted(entries.items())]
    return "\n".join(lines) + "\n"


def use_hosts_file(path: str) -> None:
    """Make `path` this process's /etc/hosts, without touching anybody else's.

    Called in a forked child: a new mount namespace first, made private so the
    bind mount does not propagate back to the host, then the bind mount itself.
    """
    linux.unshare(linux.CLONE_NEWNS)
    # Mounts are often shared (systemd): MS_PRIVATE stops our bind leaking to the host.
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    linux.mount(path, "/etc/hosts", None, linux.MS_BIND)

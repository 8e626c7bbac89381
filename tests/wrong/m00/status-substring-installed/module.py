"""M0 · Package management: what dpkg knows lives in plain files under /var/lib/dpkg.
Reference solution. The files are read by hand on purpose (python-apt and python-debian
would parse them): the lesson is that dpkg's database is this plain text.

Man pages: dpkg(1), dpkg-query(1), deb-control(5), apt(8).
"""
from __future__ import annotations

from pathlib import Path

DPKG = Path("/var/lib/dpkg")


def owners(path: str) -> set[str]:
    """The packages whose file list (/var/lib/dpkg/info/<package>.list) names `path`."""
    found: set[str] = set()
    for listing in (DPKG / "info").glob("*.list"):
        with listing.open(encoding="utf-8", errors="surrogateescape") as f:
            if any(line.rstrip("\n") == path for line in f):
                found.add(listing.name[: -len(".list")])
    return found


def installed_packages() -> dict[str, str]:
    """{package: version} for every package whose Status is 'install ok installed'."""
    installed: dict[str, str] = {}
    text = (DPKG / "status").read_text(encoding="utf-8", errors="surrogateescape")
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") or ":" not in line:
                continue  # a continuation line of a multi-line field (Description, Conffiles)
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        if "installed" in fields.get("Status", "") and "Package" in fields:
            installed[fields["Package"]] = fields.get("Version", "")
    return installed

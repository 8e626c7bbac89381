"""Image scanning: which installed package versions does an advisory name?

Read deb-version(7) (how dpkg orders versions: epoch, upstream, revision; "~"
sorts before everything), dpkg's status file in dpkg(1) (FILES) and the OSV
schema (https://ossf.github.io/osv-schema/: affected, ranges, events). The
advisories the koans use are koans/m05/advisories.json.
"""
from __future__ import annotations

from typing import Any


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1: how `dpkg --compare-versions` orders Debian versions a and b
    (e.g. "1:2.0-1", "3.0.11-1~deb12u2")."""
    raise NotImplementedError("should order two Debian versions the way dpkg does")


def package_database(client: Any, image: str, labels: dict[str, str]) -> str:
    """The text of /var/lib/dpkg/status inside the docker image `image`, read through the
    docker SDK `client`. Any container you make must carry `labels`."""
    raise NotImplementedError("should return the dpkg status file of the image")


def installed(status: str) -> dict[str, str]:
    """Package name -> version for every package that dpkg's status file says is installed."""
    raise NotImplementedError("should return the installed packages and their versions")


def findings(packages: dict[str, str], advisories: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(advisory id, package name) for each package in `packages` whose version lies in a
    range an OSV advisory lists as affected (events: introduced, fixed, last_affected)."""
    raise NotImplementedError("should return the advisories that affect the installed packages")

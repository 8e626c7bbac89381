"""Image scanning: dpkg versions, the package database, OSV advisories (reference)."""
from __future__ import annotations

import io
import tarfile
from typing import Any


def _order(c: str) -> int:
    """dpkg's weight of one non-digit character: ~ before everything, even the end."""
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256  # other symbols after letters


def _compare_part(a: str, b: str) -> int:
    """dpkg's verrevcmp: alternate runs of non-digits (by _order) and digits (as numbers)."""
    i = j = 0
    while i < len(a) or j < len(b):
        first_diff = 0
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            bc = _order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if ac != bc:
                return -1 if ac < bc else 1
            i += 1
            j += 1
        while i < len(a) and a[i] == "0":
            i += 1
        while j < len(b) and b[j] == "0":
            j += 1
        while i < len(a) and a[i].isdigit() and j < len(b) and b[j].isdigit():
            if not first_diff:
                first_diff = (a[i] > b[j]) - (a[i] < b[j])
            i += 1
            j += 1
        if i < len(a) and a[i].isdigit():
            return 1
        if j < len(b) and b[j].isdigit():
            return -1
        if first_diff:
            return first_diff
    return 0


def _split(version: str) -> tuple[int, str, str]:
    epoch, _, rest = version.rpartition(":") if ":" in version else ("0", "", version)
    upstream, dash, revision = rest.rpartition("-")
    if not dash:
        upstream, revision = rest, ""
    return int(epoch or 0), upstream, revision


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1 as dpkg --compare-versions orders a and b."""
    return (a > b) - (a < b)


def package_database(client: Any, image: str, labels: dict[str, str]) -> str:
    """The text of /var/lib/dpkg/status inside `image` (never run: a created container is enough)."""
    container = client.containers.create(image, labels=labels)
    try:
        stream, _ = container.get_archive("/var/lib/dpkg/status")
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            member = tar.extractfile("status")
            return member.read().decode() if member else ""
    finally:
        container.remove(force=True)


def installed(status: str) -> dict[str, str]:
    """Package name -> version for every package dpkg's status says is installed."""
    out = {}
    for stanza in status.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line and not line[0].isspace() and ":" in line:
                key, value = line.split(":", 1)
                fields[key] = value.strip()
        # removed packages keep a stanza ("deinstall ok config-files"): not on disk
        if fields.get("Status", "").split()[-1:] == ["installed"] and "Package" in fields:
            out[fields["Package"]] = fields["Version"]
    return out


def _affected(version: str, events: list[dict[str, str]]) -> bool:
    inside = False
    for event in events:
        if "introduced" in event:
            start = event["introduced"]
            inside = start == "0" or compare_versions(version, start) >= 0
        elif "fixed" in event and inside:
            if compare_versions(version, event["fixed"]) < 0:
                return True
            inside = False
        elif "last_affected" in event and inside:
            if compare_versions(version, event["last_affected"]) <= 0:
                return True
            inside = False
    return inside  # introduced and never fixed


def findings(packages: dict[str, str], advisories: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(advisory id, package name) for each installed package inside an affected range."""
    out = set()
    for advisory in advisories:
        for affected in advisory.get("affected", []):
            name = affected["package"]["name"]
            if name not in packages:
                continue
            for rng in affected.get("ranges", []):
                if rng.get("type") == "ECOSYSTEM" and _affected(packages[name], rng["events"]):
                    out.add((advisory["id"], name))
    return out

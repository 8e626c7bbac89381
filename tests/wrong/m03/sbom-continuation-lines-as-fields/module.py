"""An SBOM: what software an image's root filesystem holds, as a CycloneDX document.

Reference twin of koans/m03/sbom.py.
"""
from __future__ import annotations

import glob
import os
from email.parser import HeaderParser

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot5
from packageurl import PackageURL

SITE_DIRS = ("usr/lib/python3*/site-packages", "usr/lib/python3*/dist-packages", "usr/lib/python3/dist-packages",
             "usr/local/lib/python3*/site-packages", "usr/local/lib/python3*/dist-packages")


def dpkg_installed(status_text: str) -> list[tuple[str, str, str]]:
    """(package, version, architecture) of each stanza whose status is installed."""
    found = []
    for stanza in status_text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if ":" not in line:
                continue
            key, _, value = line.strip().partition(":")
            fields[key] = value.strip()
        # Status is "want flag state": only the third word says what is on disk.
        if fields.get("Status", "").split()[-1:] == ["installed"] and "Package" in fields:
            found.append((fields["Package"], fields.get("Version", ""), fields.get("Architecture", "")))
    return found


def python_dists(rootfs: str) -> list[tuple[str, str]]:
    """(Name, Version) from the METADATA headers of every *.dist-info in the rootfs."""
    found = set()
    for pattern in SITE_DIRS:
        for meta in glob.glob(os.path.join(rootfs, pattern, "*.dist-info", "METADATA")):
            with open(meta, encoding="utf-8", errors="surrogateescape") as f:
                headers = HeaderParser().parse(f, headersonly=True)  # the body is the long description
            if headers["Name"] and headers["Version"]:
                found.add((str(headers["Name"]), str(headers["Version"])))
    return sorted(found)


def sbom(rootfs: str) -> str:
    bom = Bom()
    with open(os.path.join(rootfs, "var/lib/dpkg/status"), encoding="utf-8", errors="surrogateescape") as f:
        for name, version, arch in dpkg_installed(f.read()):
            purl = PackageURL(type="deb", namespace="debian", name=name, version=version,
                              qualifiers={"arch": arch} if arch else None)
            bom.components.add(Component(name=name, version=version, type=ComponentType.LIBRARY,
                                         purl=purl, bom_ref=purl.to_string()))
    for name, version in python_dists(rootfs):
        purl = PackageURL(type="pypi", name=name, version=version)
        bom.components.add(Component(name=name, version=version, type=ComponentType.LIBRARY,
                                     purl=purl, bom_ref=purl.to_string()))
    return JsonV1Dot5(bom).output_as_string()

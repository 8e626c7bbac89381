"""An SBOM: what software an image's root filesystem holds, as a CycloneDX document.

A Software Bill of Materials lists the components an image ships, each with a
package URL (purl) a scanner can match against advisories. The facts come from
the package databases inside the image: dpkg's status file (deb-control(5):
stanzas of `Field: value` lines; dpkg-query(1) reads it) and Python's
`*.dist-info/METADATA` (the core metadata spec: e-mail style headers, then a
body). Write the document with cyclonedx-python-lib (Bom, Component,
ComponentType, JsonV1Dot5) and packageurl's PackageURL; read the purl spec's
`deb` and `pypi` types.
"""
from __future__ import annotations


def sbom(rootfs: str) -> str:
    """A CycloneDX 1.5 JSON document (a str) listing, as components with a purl,
    - every package dpkg counts as installed in `rootfs`'s var/lib/dpkg/status:
      pkg:deb/debian/<package>@<version>?arch=<architecture>
    - every Python distribution with a *.dist-info under rootfs's usr/lib/python3*/ or
      usr/local/lib/python3*/ site-packages or dist-packages: pkg:pypi/<name>@<version>
    """
    raise NotImplementedError("should return a CycloneDX document of the packages installed in the rootfs")

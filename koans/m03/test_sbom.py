"""M3 · SBOMs: what an image holds, read from the package databases inside it.

The koan lays out a root filesystem with a real dpkg database (a sample of this
machine's, with packages in awkward states mixed in) and Python distributions
(some of this machine's, one with a tricky METADATA). The real tools are the
judges: cyclonedx's own validator, `dpkg-query --admindir`, importlib.metadata.
"""
from __future__ import annotations

import importlib.metadata
import json
import random
import re
import shutil
import site
import subprocess
from pathlib import Path

import pytest

from kernel_koans import exercise, koan

sbom = exercise("m03/sbom")

HOST_STATUS = Path("/var/lib/dpkg/status")
SITE_DIRS = ("usr/local/lib/python3.11/site-packages", "usr/lib/python3/dist-packages")
AWKWARD = """
Package: kk-config-files
Status: deinstall ok config-files
Maintainer: kernel-koans
Architecture: all
Version: 1.2
Conffiles:
 /etc/kk-config-files.conf 00000000000000000000000000000000
Description: removed; only its configuration files remain
 Package: kk-ghost
 Status: install ok installed
 Version: 0

Package: kk-half-installed
Status: install ok half-installed
Maintainer: kernel-koans
Architecture: all
Version: 1.0
Description: dpkg was interrupted while unpacking this one

Status: hold ok installed
Package: kk-held
Maintainer: kernel-koans
Architecture: all
Version: 2:1.3-1~kk{n}
Description: installed and held; its description runs on
 Version: 9.9.9
 .
 and has a paragraph break

Package: kk-removal-pending
Status: deinstall ok installed
Maintainer: kernel-koans
Architecture: all
Version: 1.4+{n}
Description: still installed, selected for removal

Package: kk-multi
Status: install ok installed
Multi-Arch: same
Maintainer: kernel-koans
Architecture: amd64
Version: 3.{n}
Description: one package, two architectures

Package: kk-multi
Status: install ok installed
Multi-Arch: same
Maintainer: kernel-koans
Architecture: i386
Version: 3.{n}
Description: one package, two architectures
"""
"""Packages in every state (deb-control(5)); continuation lines that look like fields."""


def make_rootfs(root: Path) -> None:
    """A root filesystem: a sampled dpkg status file with the awkward stanzas mixed in, and
    Python distributions in two site directories."""
    stanzas = HOST_STATUS.read_text(errors="surrogateescape").rstrip("\n").split("\n\n")
    picked = random.sample(stanzas, min(25, len(stanzas)))
    for stanza in AWKWARD.replace("{n}", str(random.randrange(1000))).strip("\n").split("\n\n"):
        picked.insert(random.randrange(len(picked) + 1), stanza)
    dpkg = root / "var/lib/dpkg"
    dpkg.mkdir(parents=True)
    (dpkg / "status").write_text("\n\n".join(picked) + "\n", errors="surrogateescape")
    site_dirs = [root / d for d in SITE_DIRS]
    for d in site_dirs:
        d.mkdir(parents=True)
    here = [p for d in site.getsitepackages() for p in Path(d).glob("*.dist-info") if (p / "METADATA").is_file()]
    for i, info in enumerate(random.sample(here, min(8, len(here)))):
        into = (site_dirs[0] if i == 0 else random.choice(site_dirs)) / info.name
        into.mkdir()
        shutil.copy(info / "METADATA", into / "METADATA")
    version = f"1.{random.randrange(1000)}"
    tricky = site_dirs[1] / f"KK_Tricky.Pkg-{version}.dist-info"
    tricky.mkdir()
    (tricky / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: KK_Tricky.Pkg\nVersion: {version}\nSummary: a body that looks like headers\n"
        "\nName: kk-body\nVersion: 6.6.6\n")


def components(document: str, kind: str) -> list[str]:
    return [c.get("purl", "") for c in json.loads(document).get("components", [])
            if c.get("purl", "").startswith(f"pkg:{kind}/")]


def validated(rootfs: Path) -> str:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    document = sbom.sbom(str(rootfs))
    error = JsonStrictValidator(SchemaVersion.V1_5).validate_str(document)
    assert error is None, f"cyclonedx's validator (CycloneDX 1.5, strict) rejects your document: {error}"
    return str(document)


@pytest.mark.timeout(60)
@koan(man="dpkg-query(1) (--admindir, --show), deb-control(5), the purl spec (deb type), CycloneDX 1.5",
      hints=["Which stanzas of the status file are installed software, and which lines of a stanza "
             "are fields at all? Compare with `dpkg-query --admindir=ROOTFS/var/lib/dpkg -W`.",
             "A line starting with a space continues the field above; Status is 'want flag state' and "
             "only state == installed counts; one package may be installed for two architectures. "
             "PackageURL(type='deb', namespace='debian', name=..., version=..., qualifiers={'arch': ...})."],
      needs=["dpkg"])
def test_the_sbom_lists_what_dpkg_says_is_installed(scratch: Path) -> None:
    """An SBOM is only as good as its reading of the package database: a scanner trusts it to say
    which versions are in the image — no ghost from a description, no removed package."""
    rootfs = scratch / "rootfs"
    make_rootfs(rootfs)
    out = subprocess.run(["dpkg-query", f"--admindir={rootfs}/var/lib/dpkg", "--show", "--showformat",
                          "${db:Status-Status}\\t${Package}\\t${Version}\\t${Architecture}\\n"],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    expected = sorted((name, version, arch) for status, name, version, arch in
                      (line.split("\t") for line in out.splitlines()) if status == "installed")
    assert ("kk-held" in {n for n, _, _ in expected}) and ("kk-ghost" not in {n for n, _, _ in expected}), (
        "setup: dpkg-query does not read the status file as the koan expects")
    from packageurl import PackageURL

    got = []
    for purl in components(validated(rootfs), "deb"):
        p = PackageURL.from_string(purl)
        got.append((p.name, p.version, (p.qualifiers or {}).get("arch", "")))
    got.sort()
    missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    assert not missing and not extra and len(got) == len(expected), (
        f"dpkg-query lists {len(expected)} installed packages, your SBOM {len(got)} deb components: "
        f"missing {missing[:5]}, not installed or wrong {extra[:5]}")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.timeout(60)
@koan(man="Python core metadata spec (METADATA), importlib.metadata, the purl spec (pypi type)",
      hints=["METADATA looks like an e-mail: headers, a blank line, a body. Which part names the package?",
             "email.parser.HeaderParser().parse(f, headersonly=True)['Name'] / ['Version'] (only the "
             "headers: the body is the long description and may say anything). PackageURL(type='pypi', ...)."])
def test_the_sbom_lists_the_python_distributions(scratch: Path) -> None:
    """Language packages are software in the image too, invisible to dpkg: an SBOM that only reads
    the OS database misses every pip-installed library."""
    rootfs = scratch / "rootfs"
    make_rootfs(rootfs)
    dists = importlib.metadata.distributions(path=[str(rootfs / d) for d in SITE_DIRS])
    expected = sorted({(canonical(d.metadata["Name"]), d.version) for d in dists})
    from packageurl import PackageURL

    got = sorted({(canonical(PackageURL.from_string(p).name), PackageURL.from_string(p).version or "")
                  for p in components(validated(rootfs), "pypi")})
    assert got == expected, (
        f"importlib.metadata finds {expected}; your SBOM lists pypi components {got}")



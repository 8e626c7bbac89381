"""M0 koans · package management: dpkg's database is a directory of plain files."""
from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

from kernel_koans import dpkg, exercise, koan

packages = exercise("m00/packages")

ADMINDIR = Path(dpkg.ADMINDIR)
INFO = ADMINDIR / "info"
TEACHING_PATHS = ("/bin/ls", "/usr/bin/ls", "/usr/bin", "/etc/passwd", "/bin/sh")
"""A file, its merged-/usr alias, a directory many packages share, a file made at
install time that no package ships, a diverted file."""
SAMPLE = 40


def sampled_paths() -> list[str]:
    """The teaching paths plus a sample of files from random packages' file lists."""
    rng = random.Random()
    lists = sorted(INFO.glob("*.list"))
    picked: list[str] = []
    for listing in rng.sample(lists, min(SAMPLE, len(lists))):
        lines = [line for line in listing.read_text(errors="surrogateescape").splitlines()
                 if line.startswith("/") and line != "/." and not set(line) & set("*?[]\\\\")]
        if lines:
            picked.append(rng.choice(lines))
    return list(dict.fromkeys([*TEACHING_PATHS, *picked]))


def dpkg_search(paths: list[str]) -> dict[str, set[str]]:
    """What `dpkg-query --search` says owns each path (exact paths: no wildcards)."""
    run = subprocess.run(["dpkg-query", "--search", "--", *paths], capture_output=True,
                         text=True, errors="surrogateescape", timeout=60)
    owners: dict[str, set[str]] = {path: set() for path in paths}
    for line in run.stdout.splitlines():
        if line.startswith("diversion by "):
            continue
        names, _, path = line.partition(": ")
        if path in owners:
            owners[path] |= set(names.split(", "))
    return owners


def dpkg_installed(admindir: Path = ADMINDIR) -> dict[str, str]:
    """{package: version} of every installed package, as `dpkg-query --show` lists them."""
    run = subprocess.run(["dpkg-query", f"--admindir={admindir}", "--show", "--showformat",
                          "${db:Status-Status}\\t${Package}\\t${Version}\\n"],
                         capture_output=True, text=True, check=True, timeout=60)
    rows = (line.split("\t") for line in run.stdout.splitlines())
    return {name: version for status, name, version in rows if status == "installed"}


def doctored_status(admindir: Path) -> Path:
    """A copy of the host's status file in `admindir`, with the STANZAS put in at random
    places; the host's own database is not touched."""
    stanzas = (ADMINDIR / "status").read_text(errors="surrogateescape").rstrip("\n").split("\n\n")
    for stanza in STANZAS:
        stanzas.insert(random.randrange(len(stanzas) + 1), stanza.strip("\n"))
    status = admindir / "status"
    status.write_text("\n\n".join(stanzas) + "\n", errors="surrogateescape")
    return status


STANZAS = ["""
Package: kk-half-installed
Status: install ok half-installed
Maintainer: kernel-koans
Architecture: all
Version: 1.0
Description: dpkg was interrupted while unpacking this one
""", """
Package: kk-unpacked
Status: install ok unpacked
Maintainer: kernel-koans
Architecture: all
Version: 1.1
Description: unpacked, never configured
""", """
Package: kk-config-files
Status: deinstall ok config-files
Maintainer: kernel-koans
Architecture: all
Version: 1.2
Conffiles:
 /etc/kk-config-files.conf 00000000000000000000000000000000
Description: removed; only its configuration files remain
""", """
Status: hold ok installed
Package: kk-held
Maintainer: kernel-koans
Architecture: all
Version: 2:1.3-1
Description: installed and held at this version
 Package: kk-ghost
 Status: install ok installed
 Version: 0
""", """
Package: kk-removal-pending
Status: deinstall ok installed
Maintainer: kernel-koans
Architecture: all
Version: 1.4
Description: still installed, selected for removal
""", """
Package: kk-triggers-pending
Status: install ok triggers-pending
Maintainer: kernel-koans
Architecture: all
Version: 1.5
Triggers-Pending: kk-trigger
Description: unpacked and configured, its triggers not run yet
"""]
"""Stanzas in every state (deb-control(5)): of these, only kk-held and kk-removal-pending are
installed; a description's continuation lines look like fields."""


def _owners_of(paths: list[str]) -> dict[str, object]:
    return {path: packages.owners(path) for path in paths}


@koan(man="dpkg-query(1)",
      hints=["A nudge: `dpkg -S /bin/ls` answers this; look at the files in /var/lib/dpkg/info/ "
             "to see where dpkg keeps the answer.",
             "The mechanism: each installed package has /var/lib/dpkg/info/<package>.list, one "
             "path per line. A path belongs to every package whose list has that exact line; "
             "directories belong to many. Compare strings exactly: /usr/bin/ls is not /bin/ls."],
      needs=["dpkg"])
def test_dpkg_knows_which_package_owns_a_file() -> None:
    """Every file a .deb installed is recorded, by package, in plain text files. That is how
    `dpkg -S` and `apt` know what to remove, and why a merged /usr path can be 'unowned'."""
    paths = sampled_paths()
    expected = dpkg_search(paths)
    answers = dpkg.without_tools(_owners_of, paths)  # read the files: dpkg-query is not there to ask
    for path in paths:
        got = answers[path]
        assert got == expected[path], (
            f"dpkg-query --search {path}: owned by {sorted(expected[path]) or 'no package'}; "
            f"owners() said {sorted(got) if isinstance(got, (set, list)) else got!r}")


@koan(man="dpkg-query(1)",
      hints=["A nudge: `dpkg -l` lists what is installed; /var/lib/dpkg/status is where it reads.",
             "The mechanism: split the status file on blank lines into stanzas; in each, "
             "`Field: value` lines (a line starting with a space continues the field above). "
             "Keep stanzas whose Status is `install ok installed`: name -> Version."],
      needs=["dpkg"])
def test_dpkg_status_says_what_is_installed(scratch: Path) -> None:
    """The package manager's memory is /var/lib/dpkg/status: one stanza per package, with its
    wanted and actual state. apt, dpkg -l and every image scanner read it.

    Not told apart here: ignoring /var/lib/dpkg/updates/ (dpkg's journal, empty unless a dpkg
    run was interrupted), and one package installed for two architectures."""
    expected = dpkg_installed()
    got = dpkg.without_tools(packages.installed_packages)  # read the files: dpkg-query is not there to ask
    _compare(expected, got, "")
    if os.geteuid() != 0:
        return
    # The same question over a copy of the status file with packages in every state, that
    # your code sees at /var/lib/dpkg/status (in a private mount namespace).
    status = doctored_status(scratch)
    expected = dpkg_installed(scratch)
    assert {"kk-held", "kk-removal-pending"} <= set(expected) and "kk-half-installed" not in expected, (
        "setup: dpkg-query does not read the doctored status file as the koan expects")
    got = dpkg.without_tools(packages.installed_packages, status=str(status))
    _compare(expected, got, " (with kk- packages half-installed, unpacked, held, ... in the "
             "status file)")


def _compare(expected: dict[str, str], got: object, where: str) -> None:
    assert isinstance(got, dict), f"installed_packages() returned {type(got).__name__}, not a dict"
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    wrong = sorted(name for name in set(expected) & set(got) if got[name] != expected[name])
    assert not missing, (f"dpkg-query --show lists {len(missing)} installed packages your "
                         f"installed_packages() lacks{where}, e.g. {missing[:5]}")
    assert not extra, (f"installed_packages() names {len(extra)} packages dpkg-query does not "
                       f"list as installed{where}, e.g. {extra[:5]}")
    assert not wrong, (f"versions differ from dpkg-query --show{where} for "
                       + ", ".join(f"{n}: {got[n]!r} (dpkg: {expected[n]!r})" for n in wrong[:5]))

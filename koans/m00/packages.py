"""M0 · Package management: what dpkg knows lives in plain files under /var/lib/dpkg.

Your exercise: answer two questions `dpkg -S` and `dpkg -l` answer, by reading
dpkg's database yourself. The koans in test_packages.py ask dpkg-query the same
questions and compare. While your code runs, the koans hide the dpkg and
dpkg-query programs from it (running them fails with "Permission denied"):
read the files. Man pages: dpkg(1), dpkg-query(1), deb-control(5).
"""
from __future__ import annotations


def owners(path: str) -> set[str]:
    """The packages that own `path`: those whose file list
    /var/lib/dpkg/info/<package>.list has `path` on a line of its own.

    The package name is the list file's name without `.list` (it may carry an
    architecture, as in `libc6:amd64`). A path no package ships gives set().
    """
    raise NotImplementedError("should return the packages that own `path`")


def installed_packages() -> dict[str, str]:
    """{package name: version} for every package installed, from /var/lib/dpkg/status.

    The status file is a series of stanzas separated by blank lines, `Field: value`
    per line (deb-control(5)); a package is installed when its Status field is
    `install ok installed`.
    """
    raise NotImplementedError("should return {package: version} for every installed package")

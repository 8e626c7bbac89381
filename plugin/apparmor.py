"""AppArmor profiles for koans: load, list, run under, remove (through securityfs and apparmor_parser).

Profiles are kernel-wide; the `apparmor_profiles` fixture removes every kk- profile a
koan loaded. Where securityfs is not mounted (a bare VM), it is mounted first.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from kernel_koans import linux

SECURITYFS = Path("/sys/kernel/security")
APPARMOR = SECURITYFS / "apparmor"


def ensure_securityfs() -> None:
    if not APPARMOR.is_dir():
        linux.mount("securityfs", str(SECURITYFS), "securityfs")


def load(text: str) -> None:
    """Load or replace a profile from its text (apparmor_parser -r); CalledProcessError with
    the parser's message when the text does not compile."""
    ensure_securityfs()
    subprocess.run(["apparmor_parser", "--replace", "--skip-cache"], input=text.encode(),
                   capture_output=True, check=True)


def loaded() -> dict[str, str]:
    """Profile name -> mode ("enforce", "complain", ...) as the kernel lists them."""
    out = {}
    for line in (APPARMOR / "profiles").read_text().splitlines():
        name, _, mode = line.rpartition(" (")
        out[name] = mode.rstrip(")")
    return out


def remove(name: str) -> None:
    """Unload a profile by name (securityfs .remove); nothing if it is not loaded."""
    if name in loaded():
        (APPARMOR / ".remove").write_text(name)


def run_under(profile: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run argv confined by `profile`: aa-exec where installed, else the kernel's attr/exec."""
    aa_exec = shutil.which("aa-exec")
    if aa_exec:
        return subprocess.run([aa_exec, "-p", profile, "--", *argv], capture_output=True, text=True)

    def confine() -> None:
        attr = "/proc/self/attr/apparmor/exec"
        Path(attr if os.path.exists(attr) else "/proc/self/attr/exec").write_text(f"exec {profile}")

    return subprocess.run(argv, capture_output=True, text=True, preexec_fn=confine)

"""A minimal root filesystem made offline from the host's static busybox."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

DIRS = ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp", "root",
        "var", "run", "home")


def build(dest: Path, busybox: str) -> Path:
    """Lay out `dest` as a rootfs: busybox, one symlink per applet, a tiny /etc."""
    for d in DIRS:
        (dest / d).mkdir(parents=True, exist_ok=True)
    (dest / "tmp").chmod(0o1777)
    shutil.copy2(busybox, dest / "bin" / "busybox")
    applets = subprocess.run([busybox, "--list-full"], capture_output=True, text=True,
                             check=True).stdout.split()
    for applet in applets:
        link = dest / applet
        if link.name == "busybox" or link.exists() or link.is_symlink():
            continue
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to("/bin/busybox")
    (dest / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n"
                                          "nobody:x:65534:65534:nobody:/:/bin/false\n")
    (dest / "etc" / "group").write_text("root:x:0:\nnogroup:x:65534:\n")
    (dest / "etc" / "hostname").write_text("kk-rootfs\n")
    (dest / "etc" / "hosts").write_text("127.0.0.1 localhost\n")
    (dest / "etc" / "os-release").write_text('NAME="kernel-koans busybox"\nID=kk-busybox\n')
    return dest


def copy(src: Path, dest: Path) -> Path:
    """A fresh, independent copy (symlinks kept as symlinks)."""
    shutil.copytree(src, dest, symlinks=True)
    return dest

"""Minimal images: an image needs exactly the files its program opens, and nothing else.

Reference twin of koans/m01/minimal.py.
"""
from __future__ import annotations

import subprocess


def scratch_dockerfile() -> str:
    """FROM scratch plus one static binary, `busybox`, that is the image's entrypoint."""
    # scratch is the empty image: no shell, no libc. A statically linked binary needs
    # none of them, so it is the whole image.
    return ("FROM scratch\n"
            "COPY busybox /bin/busybox\n"
            'ENTRYPOINT ["/bin/busybox"]\n')


def runtime_files(binary: str) -> list[str]:
    """The binary and every file the kernel and the dynamic loader open to start it."""
    # ldd asks the dynamic loader (ld.so(8)) to resolve the binary's DT_NEEDED libraries.
    # Its lines read "libc.so.6 => /lib/.../libc.so.6 (0x...)", "/lib64/ld-linux-x86-64.so.2
    # (0x...)" for the loader itself (the ELF PT_INTERP) and "linux-vdso.so.1 (0x...)",
    # which the kernel maps into every process and is not a file.
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    files = [binary]
    for line in out.splitlines():
        target = line.split("=>", 1)[1] if "=>" in line else ""
        words = target.split()
        if words and words[0].startswith("/"):
            files.append(words[0])
    return files

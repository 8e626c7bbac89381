"""M0 · Toolchains: how the kernel starts a program — ELF interpreters and #! lines.
Reference solution.

Man pages: elf(5), ld.so(8), execve(2) ('Interpreter scripts'), getauxval(3).
"""
from __future__ import annotations

import struct

PT_INTERP = 3
BINPRM_BUF_SIZE = 256
"""The kernel reads the first 256 bytes of a file to decide how to run it."""


def elf_interpreter(path: str) -> str | None:
    """The program interpreter (dynamic loader) an ELF file names in its PT_INTERP
    segment, or None for a static binary.

    Hand-written with struct on purpose (pyelftools would do it): the lesson is the layout.
    """
    with open(path, "rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF":
            raise ValueError(f"{path} is not an ELF file")
        bits64 = header[4] == 2
        endian = "<" if header[5] == 1 else ">"
        if bits64:
            phoff, = struct.unpack_from(endian + "Q", header, 0x20)
            phentsize, phnum = struct.unpack_from(endian + "HH", header, 0x36)
        else:
            phoff, = struct.unpack_from(endian + "I", header, 0x1C)
            phentsize, phnum = struct.unpack_from(endian + "HH", header, 0x2A)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
        for i in range(phnum):
            entry = table[i * phentsize:(i + 1) * phentsize]
            p_type, = struct.unpack_from(endian + "I", entry, 0)
            if p_type != PT_INTERP:
                continue
            if bits64:
                offset, = struct.unpack_from(endian + "Q", entry, 0x10)
                size, = struct.unpack_from(endian + "Q", entry, 0x20)
            else:
                offset, = struct.unpack_from(endian + "I", entry, 0x04)
                size, = struct.unpack_from(endian + "I", entry, 0x10)
            f.seek(offset)
            return f.read(size).rstrip(b"\0").decode()
    return None


def shebang(path: str) -> list[str] | None:
    """What the kernel puts before the script's path when it runs a `#!` file:
    [interpreter] or [interpreter, the one optional argument]; None without `#!`."""
    with open(path, "rb") as f:
        head = f.read(BINPRM_BUF_SIZE)
    if not head.startswith(b"#!"):
        return None
    # The line ends at a newline (or a NUL); spaces and tabs around it do not count.
    line = head[2:].split(b"\n", 1)[0].split(b"\0", 1)[0].strip(b" \t")
    if not line:
        return None  # no interpreter named: execve() fails with ENOEXEC
    interpreter = line.replace(b"\t", b" ").split(b" ", 1)[0]
    # Everything after the interpreter, however many words, is ONE argument.
    argument = line[len(interpreter):].strip(b" \t")
    out = [interpreter.decode()]
    if argument:
        out.append(argument.decode())
    return out

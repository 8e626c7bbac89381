"""M0 · Toolchains: how the kernel starts a program — ELF interpreters and #! lines.

Your exercise: read what execve(2) reads. test_toolchain.py starts the programs
and asks the kernel (/proc/<pid>/auxv, maps, cmdline) what it actually did.
Man pages: elf(5), ld.so(8), execve(2) ('Interpreter scripts').
"""
from __future__ import annotations


def elf_interpreter(path: str) -> str | None:
    """The program interpreter (the dynamic loader, e.g. /lib64/ld-linux-x86-64.so.2)
    named by the ELF file's PT_INTERP program header, or None for a static binary.

    elf(5): the ELF header gives e_phoff, e_phentsize and e_phnum; each program
    header has p_type (PT_INTERP is 3), p_offset and p_filesz. Use struct.
    """
    raise NotImplementedError("should return the program interpreter the ELF file names, or None for a static binary")


def shebang(path: str) -> list[str] | None:
    """What the kernel puts in front of the script's path when it executes a file
    that starts with `#!`: [interpreter] or [interpreter, optional argument].
    None when the file does not start with `#!`.

    execve(2), 'Interpreter scripts', says how the first line is split. Read it
    closely: how many arguments can the #! line pass?
    """
    raise NotImplementedError("should return what the kernel runs in front of a `#!` script, or None")

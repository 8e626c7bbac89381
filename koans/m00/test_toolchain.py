"""M0 koans · toolchains: what execve(2) does with an ELF binary and with a #! script."""
from __future__ import annotations

import errno
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from kernel_koans import exercise, koan

toolchain = exercise("m00/toolchain")

AT_NULL, AT_BASE = 0, 7


def interpreter_base(pid: int) -> int:
    """AT_BASE from /proc/<pid>/auxv: where the kernel loaded the program interpreter,
    0 when it loaded none (getauxval(3)). Hand-parsed: pairs of native unsigned longs."""
    raw = Path(f"/proc/{pid}/auxv").read_bytes()
    for key, value in struct.iter_unpack("@LL", raw):
        if key == AT_BASE:
            return int(value)
        if key == AT_NULL:
            break
    return 0


def mapped_file_at(pid: int, address: int) -> str:
    """The file /proc/<pid>/maps shows mapped at `address`."""
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split(maxsplit=5)
        start = int(fields[0].split("-")[0], 16)
        if start == address and len(fields) == 6:
            return fields[5]
    return ""


@koan(man="elf(5)",
      hints=["A nudge: `readelf -l /bin/ls` prints the program headers; one of them says "
             "'Requesting program interpreter'. Your function reads that one.",
             "The mechanism (64-bit): e_phoff is the 8 bytes at offset 0x20, e_phentsize and "
             "e_phnum the 2-byte fields at 0x36 and 0x38. Each program header starts with "
             "p_type (4 bytes); for PT_INTERP (3), p_offset is at +0x08 and p_filesz at +0x20: "
             "the path, NUL-terminated. Byte 5 of the file says little or big endian."])
def test_a_dynamic_binary_names_its_loader(spawn, scratch: Path) -> None:
    """A dynamically linked program cannot start alone: its ELF header names a loader
    (ld.so) that the kernel maps first. A container image must ship that exact path.

    With a C compiler (cc) the koan also builds a non-PIE program whose loader is a copy at
    a kk- path, and which holds the usual loader's path as a string. Without one, reading
    p_vaddr for p_offset or searching the bytes for 'ld-linux' is not told apart. Not told
    apart here at all: assuming 64-bit little-endian, or PT_INTERP at a fixed index."""
    sleep = os.path.realpath(shutil.which("sleep") or "/bin/sleep")
    child = spawn([sleep, "30"])
    base = interpreter_base(child.pid)
    if base == 0:
        pytest.skip(f"this host's {sleep} is statically linked: the kernel loaded no interpreter")
    loaded = mapped_file_at(child.pid, base)
    named = toolchain.elf_interpreter(sleep)
    assert named, f"the kernel loaded {loaded} as {sleep}'s interpreter; elf_interpreter() said {named!r}"
    assert os.path.realpath(named) == loaded, (
        f"/proc/{child.pid}/auxv and maps: the kernel loaded {loaded} as the interpreter of "
        f"{sleep}; elf_interpreter() said {named!r}")
    # A non-PIE program (p_vaddr is not p_offset) whose loader is a copy under a new name,
    # and whose data holds the usual loader's path: only PT_INTERP says which one is used.
    loader = scratch / f"kk-ld-{os.urandom(3).hex()}.so"
    shutil.copy2(loaded, loader)
    program = build_program(scratch, ["-no-pie", f"-Wl,--dynamic-linker={loader}"], [loaded, STD_LOADER])
    if program is None:
        return
    child = spawn([program])
    assert mapped_file_at(child.pid, interpreter_base(child.pid)) == str(loader), (
        f"setup: the kernel did not load {loader} for {program}")
    named = toolchain.elf_interpreter(program)
    assert named == str(loader), (
        f"/proc/{child.pid}/auxv and maps: the kernel loaded {loader} as the interpreter of "
        f"{program} (not PIE, and holding the string {STD_LOADER!r}); elf_interpreter() said {named!r}")


STD_LOADER = "/lib64/ld-linux-x86-64.so.2"
"""A loader's path, written into the koan's programs as data (x86-64's; any would do)."""


def build_program(scratch: Path, flags: list[str], strings: list[str]) -> str | None:
    """A C program (it waits in pause(2)) built with cc `flags`, whose read-only data holds
    `strings`; None when this host has no C compiler."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    source = scratch / "kk-prog.c"
    decoys = ", ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in strings)
    source.write_text("#include <unistd.h>\n"
                      f"const char *const kk_strings[] = {{{decoys}}};\n"
                      "int main(void) { pause(); return kk_strings[0][0]; }\n")
    program = scratch / f"kk-prog-{os.urandom(3).hex()}"
    subprocess.run([cc, *flags, "-o", str(program), str(source)], check=True, timeout=60,
                   capture_output=True)
    return str(program)


@koan(man="elf(5)",
      hints=["A nudge: `file $(command -v busybox)` says 'statically linked'. What is missing "
             "from its program headers that a dynamic binary has?",
             "The mechanism: walk all e_phnum program headers; return None when none has "
             "p_type 3 (PT_INTERP)."],
      needs=["busybox"])
def test_a_static_binary_needs_no_loader(spawn, kk_host, scratch: Path) -> None:
    """A static binary carries its libraries inside and has no PT_INTERP: the kernel jumps
    straight to its code. That is why busybox runs alone in a FROM scratch image.

    Without a C compiler (cc) there is no static-PIE program, and 'PT_DYNAMIC means a loader'
    is not told apart."""
    # A copy under a name that says nothing: the answer must come from the ELF headers.
    busybox = str(scratch / f"kk-{os.urandom(4).hex()}")
    shutil.copy2(kk_host.busybox, busybox)
    child = spawn(["sleep", "30"], executable=busybox)  # argv[0] picks busybox's applet
    assert interpreter_base(child.pid) == 0, f"the kernel loaded an interpreter for {busybox}"
    named = toolchain.elf_interpreter(busybox)
    assert named is None, (f"/proc/{child.pid}/auxv: AT_BASE is 0, the kernel loaded no "
                           f"interpreter for {busybox}; elf_interpreter() said {named!r}")
    # Static programs that hold a loader's path as data: a static-PIE one (it has PT_DYNAMIC,
    # but no PT_INTERP) when cc is here, and busybox with the path appended to its file.
    marked = str(scratch / f"kk-{os.urandom(4).hex()}")
    shutil.copy2(kk_host.busybox, marked)
    with open(marked, "ab") as f:
        f.write(f"\0{STD_LOADER}\0".encode())
    programs = [marked]
    static_pie = build_program(scratch, ["-static-pie"], [STD_LOADER])
    programs += [static_pie] if static_pie else []
    for program in programs:
        child = spawn(["sleep", "30"], executable=program)
        assert interpreter_base(child.pid) == 0, f"setup: the kernel loaded an interpreter for {program}"
        named = toolchain.elf_interpreter(program)
        assert named is None, (f"/proc/{child.pid}/auxv: AT_BASE is 0, the kernel loaded no interpreter "
                               f"for {program} (which holds the string {STD_LOADER!r}); "
                               f"elf_interpreter() said {named!r}")


SCRIPTS = (  # (first line, whether it names kk-interp)
    ("#!/bin/sh\n", False),
    ("#! /bin/sh -e\n", False),
    ("#!{interp}\t-e -u \t\n", True),
    ("#!{interp}  many   words here\n", True),
)
BODY = "read line\n"  # waits on its stdin, a pipe nobody writes: alive until teardown
INTERP = "#!/bin/sh\n" + BODY
"""kk-interp, an interpreter that accepts any argument: itself a #! script, so the kernel
runs `/bin/sh kk-interp <the one argument> <script> <args>` and sh leaves them alone."""


@koan(man="execve(2)",
      hints=["A nudge: run `./script a b` and look at /proc/<pid>/cmdline of the interpreter: "
             "the kernel built that argv from the #! line, the script's path and your args.",
             "The mechanism: after `#!`, skip blanks (spaces, tabs); the interpreter runs to the "
             "next blank; the rest of the line, blanks trimmed at both ends, is ONE argument "
             "(or none when empty). A file without `#!` gives None: execve() refuses it."])
def test_the_kernel_runs_a_script_through_its_shebang(spawn, scratch: Path) -> None:
    """`#!` is not the shell's doing: execve(2) itself reads the first line and runs the
    interpreter instead. ENTRYPOINT scripts in images live or die by that line."""
    interp = scratch / "kk-interp"
    interp.write_text(INTERP)
    interp.chmod(0o755)
    for number, (template, nested) in enumerate(SCRIPTS):
        first_line = template.format(interp=interp)
        script = scratch / f"script-{number}"
        script.write_text(first_line + BODY)
        script.chmod(0o755)
        child = spawn([str(script), "one arg", "two"], stdin=subprocess.PIPE)
        raw = Path(f"/proc/{child.pid}/cmdline").read_bytes().split(b"\0")[:-1]
        kernel = [os.fsdecode(arg) for arg in raw]
        if nested:
            kernel = kernel[1:]  # drop the /bin/sh that kk-interp's own #! line added
        got = toolchain.shebang(str(script))
        assert isinstance(got, list), f"shebang() returned {got!r} for {first_line.strip()!r}"
        assert got + [str(script), "one arg", "two"] == kernel, (
            f"for the line {first_line!r} the kernel ran {kernel}; shebang() said {got!r}")
    plain = scratch / "no-shebang"
    plain.write_text("echo this is not a program\n")
    plain.chmod(0o755)
    with pytest.raises(OSError) as refused:
        spawn([str(plain)])
    assert refused.value.errno == errno.ENOEXEC, f"execve() of a file without #! gave {refused.value}"
    got = toolchain.shebang(str(plain))
    assert got is None, f"execve() refused {plain.name} (ENOEXEC: no #!); shebang() said {got!r}"

"""M5 · Seccomp: the kernel checks every system call against a filter the process loaded.

Your code (m05/seccomp.py) loads a filter in a child the koan has made an ordinary,
unprivileged user; the koan makes the system calls itself and reads /proc/<pid>/status.
The engine's profiles are checked in kk- containers, by what the kernel refuses in them.
"""
from __future__ import annotations

import ctypes
import errno
import os
import random
from typing import Any

from kernel_koans import exercise, held, in_child, koan, linux, procfs

seccomp = exercise("m05/seccomp")

HARMLESS = ("getppid", "getuid", "geteuid", "getgid", "getegid", "getpid", "gettid", "sched_yield")
"""System calls without arguments or effects: one of them is refused, at random."""


def unprivileged() -> int:
    """Become an ordinary user (a random uid): no capability left."""
    uid = random.randrange(200000, 260000)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    linux.prctl(linux.PR_SET_DUMPABLE, 1)  # keep /proc/<pid> readable by the koan
    return uid


def call_each(names: tuple[str, ...]) -> dict[str, int]:
    """Make each system call by number (libc's syscall(2)): 0 when it worked, else the errno."""
    import pyseccomp as lib

    libc = ctypes.CDLL(None, use_errno=True)
    arch = lib.system_arch()
    out = {}
    for name in names:
        ctypes.set_errno(0)
        result = libc.syscall(lib.resolve_syscall(arch, name))
        out[name] = ctypes.get_errno() if result == -1 else 0
    return out


def refuse_then_call(name: str) -> dict[str, int]:
    unprivileged()
    seccomp.refuse(name)
    return call_each(HARMLESS)


@koan(man="seccomp(2), seccomp_rule_add(3)",
      hints=["A filter has a default action for every system call it has no rule for. Which "
             "default keeps the others working?",
             "pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW); "
             "add_rule(pyseccomp.ERRNO(errno.EPERM), syscall); load()."],
      needs=["root", "seccomp"])
def test_a_filter_refuses_one_system_call_with_eperm() -> None:
    """A seccomp filter answers a system call before the kernel runs it: this one fails with
    EPERM, the rest go through. Docker's default profile is such a list, some 50 calls long."""
    for name in random.sample(HARMLESS, 2):  # two runs, two different calls
        seen = in_child(refuse_then_call, name)
        assert seen[name] == errno.EPERM, (
            f"{name}(2) returned errno {seen[name]} ({os.strerror(seen[name]) if seen[name] else 'it worked'}) "
            "under the filter; it should fail with EPERM")
        others = {n: e for n, e in seen.items() if n != name and e}
        assert not others, (
            f"refusing {name} also broke {sorted(others)} "
            f"({', '.join(os.strerror(e) for e in others.values())}): only {name} should fail")


def refuse_and_wait(name: str) -> str:
    unprivileged()
    seccomp.refuse(name)
    return name


@koan(man="seccomp(2) (SECCOMP_SET_MODE_FILTER), prctl(2) (PR_SET_NO_NEW_PRIVS), proc(5)",
      hints=["What does the kernel demand of an unprivileged process before it accepts a filter?",
             "seccomp(2) refuses (EACCES) unless the caller has CAP_SYS_ADMIN or set no_new_privs: "
             "libseccomp sets it for you unless its CTL_NNP attribute is 0. /proc/<pid>/status shows "
             "Seccomp: 2 (filter mode) and NoNewPrivs: 1."],
      needs=["root", "seccomp"])
def test_the_filter_shows_in_proc_status() -> None:
    """A loaded filter is mode 2 in /proc/<pid>/status, with NoNewPrivs 1: an ordinary user may
    confine itself only after giving up setuid gains for good, so a filter cannot fool a setuid program."""
    with held(refuse_and_wait, random.choice(HARMLESS)) as h:
        fields = procfs.status(h.pid)
    assert fields.get("Seccomp") == "2", (
        f"/proc/<pid>/status reads Seccomp: {fields.get('Seccomp')}: 2 means a filter is loaded")
    assert fields.get("NoNewPrivs") == "1", (
        f"/proc/<pid>/status reads NoNewPrivs: {fields.get('NoNewPrivs')}: without it an "
        "unprivileged process cannot load a filter")
    assert int(fields.get("Seccomp_filters", "0")) >= 1, "Seccomp_filters counts no filter"


# --- the engine's profiles ----------------------------------------------------------------

def run_in(client: Any, image: str, labels: dict[str, str], argv: list[str],
           security_opt: list[str] | None = None) -> tuple[int, str]:
    """Run `argv` in a kk- container to its end; (exit code, output)."""
    from kernel_koans import names

    container = client.containers.run(image, argv, detach=True, name=names.unique("sec", 40),
                                      labels=labels, security_opt=security_opt or None)
    try:
        code = container.wait(timeout=60)["StatusCode"]
        return code, container.logs().decode(errors="replace")
    finally:
        container.remove(force=True)


def sh_reporting_seccomp(script: str) -> list[str]:
    return ["sh", "-c", f"grep Seccomp: /proc/1/status; {script}"]


def seccomp_mode(out: str) -> str:
    return next((line.split()[1] for line in out.splitlines() if line.startswith("Seccomp:")), "?")


@koan(man="https://docs.docker.com/engine/security/seccomp/, user_namespaces(7)",
      hints=["A container started without any security_opt already has a filter. Which setting "
             "turns it off?",
             'security_opt=["seccomp=unconfined"] turns it off; a profile goes in as '
             '"seccomp=" + json.dumps(profile).'],
      needs=["root", "docker", "busybox"])
def test_the_engines_default_profile_refuses_unshare(docker_client: Any, busybox_image: str,
                                                     docker_cleanup: dict[str, str]) -> None:
    """Creating a user namespace needs no capability, so only the engine's default seccomp
    profile stops a container's root from unsharing one (and reaching kernel code few have tested)."""
    script = "unshare -U true && echo UNSHARED"
    code, out = run_in(docker_client, busybox_image, docker_cleanup, sh_reporting_seccomp(script))
    mode = seccomp_mode(out)
    assert mode == "2" and "UNSHARED" not in out, (
        f"with the default profile (Seccomp: {mode}) `unshare -U` gave {out!r}: the engine's "
        "profile should refuse it")
    opts = seccomp.seccomp_options(None)
    code, out = run_in(docker_client, busybox_image, docker_cleanup, sh_reporting_seccomp(script), opts)
    mode = seccomp_mode(out)
    assert mode == "0", (
        f"with security_opt={opts} the container's init reads Seccomp: {mode}: not unconfined "
        "(0 means no filter)")
    assert code == 0 and "UNSHARED" in out, (
        f"unconfined, `unshare -U true` still failed (exit {code}): {out!r}")


@koan(man="https://docs.docker.com/engine/security/seccomp/, mkdir(2), mkdirat(2)",
      hints=["A docker profile is JSON: a defaultAction and a list of syscalls with their action. "
             "How many system calls can make a directory?",
             'defaultAction "SCMP_ACT_ALLOW"; one entry with names ["mkdir", "mkdirat"], action '
             '"SCMP_ACT_ERRNO", errnoRet 1 (EPERM).'],
      needs=["root", "docker", "busybox"])
def test_your_profile_refuses_mkdir(docker_client: Any, python_image: str,
                                    docker_cleanup: dict[str, str]) -> None:
    """A profile of your own confines a container to what it needs: here, nothing may make a
    directory (through either system call), while files are still written and read."""
    probe = ("import os, errno\n"
             "def tryit(fn):\n"
             "    try:\n        fn(); return 'ok'\n"
             "    except OSError as e:\n        return errno.errorcode[e.errno]\n"
             "fd = os.open('/tmp', os.O_RDONLY)\n"
             "print('MKDIR', tryit(lambda: os.mkdir('/tmp/a')))\n"
             "print('MKDIRAT', tryit(lambda: os.mkdir('b', dir_fd=fd)))\n"
             "print('FILE', tryit(lambda: open('/tmp/f', 'w').write('x')))\n"
             "print('READ', tryit(lambda: open('/tmp/f').read()))\n")
    opts = seccomp.seccomp_options(seccomp.profile_refusing_mkdir())
    code, out = run_in(docker_client, python_image, docker_cleanup, ["python3", "-c", probe], opts)
    seen = dict(line.split() for line in out.splitlines() if line.startswith(("MKDIR", "FILE", "READ")))
    assert seen.get("MKDIR") == "EPERM" and seen.get("MKDIRAT") == "EPERM", (
        f"under the profile, mkdir(2) gave {seen.get('MKDIR')} and mkdirat(2) gave "
        f"{seen.get('MKDIRAT')}: both should fail with EPERM (container output: {out!r})")
    assert seen.get("FILE") == "ok" and seen.get("READ") == "ok", (
        f"writing and reading a file gave {seen.get('FILE')}/{seen.get('READ')}: the profile "
        "should refuse directories only")

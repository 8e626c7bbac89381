"""M5 · Capabilities: the kernel checks one capability per privileged act, not "is it root".

Your code (m05/caps.py) decodes the masks of /proc/<pid>/status and drops capabilities
in a child the koan keeps; the kernel then says what that root process may still do.
"""
from __future__ import annotations

import errno
import random
import shutil
import socket
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel_koans import capabilities, exercise, in_child, koan, linux
from kernel_koans.capabilities import NAMES

caps = exercise("m05/caps")

FIELDS = ("CapPrm", "CapEff", "CapBnd")


def confined_to(keep: list[int]) -> dict[str, str]:
    """In a child: keep only `keep` in the bounding, permitted and effective sets; the kernel's masks."""
    for cap in range(capabilities.last_cap() + 1):
        if cap not in keep:
            linux.prctl(linux.PR_CAPBSET_DROP, cap)
    mask = sum(1 << c for c in keep)
    capabilities.capset(capabilities.CapSets(mask, mask, 0))
    text = Path("/proc/self/status").read_text()
    return {k: v.strip() for k, v in (line.split(":", 1) for line in text.splitlines())
            if k in FIELDS}


def names_by(mask: str) -> list[str]:
    """The names of a mask, by capsh --decode (libcap2-bin) where installed, else by number."""
    capsh = shutil.which("capsh")
    if capsh:
        out = subprocess.run([capsh, f"--decode={mask}"], capture_output=True, text=True, check=True).stdout
        return [name for name in out.strip().split("=", 1)[1].split(",") if name]
    value = int(mask, 16)
    return [NAMES[bit] for bit in range(len(NAMES)) if value >> bit & 1]


def held_caps() -> list[int]:
    """The capabilities this run holds (its own bounding set may lack some) that have names."""
    permitted = capabilities.capget().permitted
    return [c for c in range(min(capabilities.last_cap(), len(NAMES) - 1) + 1) if permitted >> c & 1]


@koan(man="capabilities(7), proc(5) (/proc/pid/status), capsh(1)",
      hints=["Each hex digit holds four capabilities. Which capability is the lowest bit?",
             "int(mask, 16); capability n is set when (value >> n) & 1; NAMES[n] is its name."],
      needs=["root"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_decode_the_capability_masks(data: st.DataObject) -> None:
    """CapEff, CapPrm and CapBnd in /proc/<pid>/status are 64-bit masks, bit n for capability n:
    reading them is how you find what a container's process may really do."""
    keep = sorted(data.draw(st.sets(st.sampled_from(held_caps())), label="capabilities kept"))
    masks = in_child(confined_to, keep)
    for field in FIELDS:
        expected = names_by(masks[field])
        assert expected == [NAMES[c] for c in keep], f"the kernel did not keep {keep} in {field}"
        got = caps.decode(masks[field])
        assert got == expected, f"{field}: {masks[field]} holds {expected}; decode gave {got}"


def drop_then_try(names: list[str], target: str) -> dict[str, str]:
    """In a child with a mount namespace of its own: the learner drops `names`; then try a raw
    socket and a tmpfs mount on `target`. 'ok' or the errno's name for each."""
    linux.unshare(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)  # nothing reaches the host
    caps.drop(names)
    out = {}
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
        out["raw socket"] = "ok"
    except OSError as err:
        out["raw socket"] = errno.errorcode.get(err.errno or 0, str(err))
    try:
        linux.mount("kk-tmpfs", target, "tmpfs")
        out["mount"] = "ok"
    except OSError as err:
        out["mount"] = errno.errorcode.get(err.errno or 0, str(err))
    return out


@koan(man="capabilities(7) (CAP_NET_RAW), raw(7)",
      hints=["Which sets does the kernel look at when a process opens a raw socket? Which sets "
             "can a process itself put a capability back into?",
             "prctl(PR_CAPBSET_DROP, n) for the bounding set, then capset() with n cleared from "
             "effective, permitted and inheritable (capabilities.capget/capset)."],
      needs=["root"])
def test_without_cap_net_raw_no_raw_socket(scratch: Path) -> None:
    """Raw sockets (ping, packet forging, spoofing) need CAP_NET_RAW; drop it and root gets
    EPERM, while its other powers, such as mounting, stay. Docker drops it by default since 20.10."""
    seen = in_child(drop_then_try, ["cap_net_raw"], str(scratch))
    assert seen["raw socket"] == "EPERM", (
        f"socket(AF_INET, SOCK_RAW) gave {seen['raw socket']} after dropping cap_net_raw: "
        "the kernel should say EPERM")
    assert seen["mount"] == "ok", f"mount gave {seen['mount']}: only cap_net_raw should be gone"


@koan(man="capabilities(7) (CAP_SYS_ADMIN), mount(2)",
      hints=["The same drop as for cap_net_raw, with another name.",
             "Drop it from the bounding set (PR_CAPBSET_DROP) and from effective and permitted "
             "(capset): mount(2) checks CAP_SYS_ADMIN in the effective set."],
      needs=["root"])
def test_without_cap_sys_admin_no_mount(scratch: Path) -> None:
    """mount(2) needs CAP_SYS_ADMIN, the "new root" capability; without it root gets EPERM,
    yet can still open raw sockets. Containers run without it."""
    seen = in_child(drop_then_try, ["cap_sys_admin"], str(scratch))
    assert seen["mount"] == "EPERM", (
        f"mount(2) gave {seen['mount']} after dropping cap_sys_admin: the kernel should say EPERM")
    assert seen["raw socket"] == "ok", (
        f"a raw socket gave {seen['raw socket']}: only cap_sys_admin should be gone")


HARMLESS = ("cap_net_raw", "cap_mknod", "cap_sys_chroot", "cap_kill", "cap_net_bind_service",
            "cap_audit_write", "cap_setfcap", "cap_fsetid")


def drop_then_raise(name: str) -> dict[str, object]:
    caps.drop([name])
    bit = NAMES.index(name)
    after_drop = capabilities.status_masks("self")
    try:
        now = capabilities.capget()
        capabilities.capset(capabilities.CapSets(now.effective | 1 << bit, now.permitted | 1 << bit,
                                                 now.inheritable))
        raised = "allowed"
    except OSError as err:
        raised = errno.errorcode.get(err.errno or 0, str(err))
    program = subprocess.run(["/bin/sh", "-c", "grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status"],
                             capture_output=True, text=True).stdout
    after_exec = {k: int(v, 16) for k, v in (line.split(":") for line in program.splitlines())}
    return {"after_drop": after_drop, "raised": raised, "after_exec": after_exec,
            "bounding": linux.prctl(linux.PR_CAPBSET_READ, bit)}


@koan(man="capabilities(7) (Capability bounding set; Transformation of capabilities during execve())",
      hints=["Dropping from the effective set is not enough: what may a process put back there, "
             "and what does root get when it executes a program?",
             "Effective can be raised again from permitted; exec as root fills permitted from the "
             "bounding set. Drop from all three: PR_CAPBSET_DROP, then capset."],
      needs=["root"])
def test_a_dropped_capability_never_comes_back() -> None:
    """The bounding set only shrinks: once a capability is out of it and out of permitted,
    neither capset(2) nor executing a program as root gives it back."""
    permitted = capabilities.capget().permitted
    name = random.choice([n for n in HARMLESS if permitted >> NAMES.index(n) & 1])
    bit = NAMES.index(name)
    seen = in_child(drop_then_raise, name)
    held_by = [f for f, v in seen["after_drop"].items() if f in ("CapPrm", "CapEff", "CapBnd") and v >> bit & 1]
    assert not held_by, f"after dropping {name}, /proc/<pid>/status still has it in {held_by}"
    assert seen["raised"] == "EPERM", (
        f"capset(2) putting {name} back into effective and permitted was {seen['raised']}: "
        "a capability outside permitted cannot be raised (EPERM)")
    assert seen["bounding"] == 0, f"PR_CAPBSET_READ says {name} is still in the bounding set"
    back = [f for f, v in seen["after_exec"].items() if v >> bit & 1]
    assert not back, f"a program root executed afterwards has {name} again in {back}"

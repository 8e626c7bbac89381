"""M9 · mini-run's quick mode: `mini-run run --rootfs DIR -- CMD` is a container.

Your runtime (projects/mini_run) runs as a program, as an engine would run it. The koan
holds the container at its end and looks at it from the host: /proc/<pid>/ns, /proc/<pid>/status,
/proc/<pid>/cgroup and the cgroup files themselves; then it lets the container finish.
"""
from __future__ import annotations

import os
import random
import secrets
import signal
import socket
import subprocess
from pathlib import Path

from kernel_koans import cgroups, decoy, exercise, in_child, koan, linux
from kernel_koans.fixtures.mini_run import MiniRun

cli = exercise("projects/mini_run/cli")

KINDS = ("pid", "mnt", "uts", "ipc", "net")


def cgroup_dirs(pid: int) -> dict[str, Path]:
    """{controller: directory} of pid's cgroups, from /proc/<pid>/cgroup ('' is v2)."""
    layout = cgroups.read_layout()
    out: dict[str, Path] = {}
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controllers == "" and layout.mode == "unified" and layout.v2_mount is not None:
            for name in ("memory", "cpu"):
                out[name] = layout.v2_mount / path.lstrip("/")
        for name in controllers.split(","):
            if name in ("memory", "cpu") and name in layout.v1_mounts:
                out[name] = layout.v1_mounts[name] / path.lstrip("/")
    return out


@koan(man="pid_namespaces(7), namespaces(7), proc(5) (/proc/[pid]/status: NSpid)",
      hints=["Start with projects/mini_run/README.md, step 1: `run` parses its flags into a "
             "config, and the container's first process must be PID 1 of a namespace of its own.",
             "unshare(CLONE_NEWPID) in mini-run makes its *next child* PID 1; that child unshares "
             "mount, UTS, IPC and network namespaces, mounts a new /proc, pivots into the rootfs "
             "and execs; mini-run waits for it."],
      needs=["root", "busybox"])
def test_the_command_is_pid_1_in_namespaces_of_its_own(mini_run: MiniRun, rootfs: Path) -> None:
    """A container is a process with namespaces of its own: PID 1 inside, its own mount, UTS,
    IPC and network namespaces, and a /proc that shows its PID namespace, not the host's."""
    held = mini_run.held_run(rootfs, script="ls /proc > /kk-procs")
    status = Path(f"/proc/{held.pid}/status").read_text()
    nspid = next(line.split()[1:] for line in status.splitlines() if line.startswith("NSpid:"))
    same = [k for k in KINDS if linux.ns_inode(held.pid, k) == linux.ns_inode(os.getpid(), k)]
    seen = (rootfs / "kk-procs").read_text().split()
    held.release()
    assert nspid[-1:] == ["1"] and len(nspid) >= 2, (
        f"the container's process has NSpid {' '.join(nspid)}: it is not PID 1 of a PID namespace "
        "of its own")
    assert not same, f"the container shares the host's {', '.join(same)} namespace(s) (/proc/<pid>/ns)"
    pids = sorted(int(p) for p in seen if p.isdigit())
    assert 1 in pids and len(pids) <= 5, (
        f"`ls /proc` in the container lists pids {pids[:10]}: its /proc is not a procfs of its "
        "own PID namespace (mounted inside it)")


def run_behind_stand_in(argv: list[str]) -> tuple[int, str, str]:
    """In a stand-in host (UTS and mount namespaces of its own): run mini-run; (status, the
    stand-in's hostname before, after)."""
    decoy.stand_in(["uts", "mnt"])
    linux.sethostname("kk-stand-in-host")
    done = subprocess.run(argv, capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    return done.returncode, done.stderr, socket.gethostname()


@koan(man="uts_namespaces(7), sethostname(2)",
      hints=["Whose hostname does sethostname(2) change? The process's UTS namespace's: which "
             "one is it in at that moment?",
             "The container's child unshares CLONE_NEWUTS first and calls sethostname after, "
             "inside; mini-run itself never changes its own hostname."],
      needs=["root", "busybox"])
def test_the_hostname_is_the_containers_alone(mini_run: MiniRun, rootfs: Path) -> None:
    """--hostname names the container, not the machine: set in the container's own UTS
    namespace, the host keeps its name (the koan runs mini-run behind a stand-in host)."""
    name = f"kk-{secrets.token_hex(4)}"
    out = rootfs / "kk-hostname"
    argv = mini_run.argv("run", "--rootfs", str(rootfs), "--hostname", name, "--",
                         "/bin/sh", "-c", "hostname > /kk-hostname")
    status, err, after = in_child(run_behind_stand_in, argv, timeout=30)
    from kernel_koans.fixtures.mini_run import raise_for_learner
    raise_for_learner(subprocess.CompletedProcess(argv, status, "", err))
    assert status == 0, f"mini-run run exited with {status}: {err.strip()[-300:]}"
    assert after == "kk-stand-in-host", (
        f"the stand-in host's hostname became {after!r}: sethostname ran in the host's UTS "
        "namespace, not the container's")
    inside = out.read_text().strip() if out.exists() else ""
    assert inside == name, f"uname(2) in the container says {inside!r}, not {name!r}"


@koan(man="wait(2) (WEXITSTATUS), runc-run(8)",
      hints=["The caller of a runtime learns how the container ended from the runtime's own exit "
             "status. Where does mini-run learn it?",
             "waitpid(pid, 0) on the container's init, then os.waitstatus_to_exitcode (or "
             "128 + the signal); main returns it."],
      needs=["root", "busybox"])
def test_the_exit_status_is_passed_on(mini_run: MiniRun, rootfs: Path) -> None:
    """`docker run` returns what the container's program returned: the runtime waits for its
    init and exits with the same status, whatever that is."""
    code = random.randint(2, 120)
    done = mini_run("run", "--rootfs", str(rootfs), "--", "/bin/sh", "-c", f"exit {code}")
    assert done.returncode == code, (
        f"the container's program exited {code}; mini-run exited {done.returncode} "
        f"({done.stderr.strip()[-200:] or 'no message'})")


# Signals a runtime may have been handed (by the script that started it, by Python itself):
# every catchable one but SIGCHLD, whose SIG_IGN would make the kernel reap mini-run's children.
SIGNAL_POOL = tuple(s for s in signal.valid_signals()
                    if s not in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD, 32, 33))


def signal_set(mask: str) -> set[int]:
    """The signals a /proc/<pid>/status mask (SigIgn, SigBlk: hex, bit n-1 is signal n) names."""
    bits = int(mask, 16)
    return {n for n in range(1, 65) if bits >> (n - 1) & 1}


def spelled(signals: set[int]) -> str:
    """Signals by name: SIGINT, SIGRTMIN+3."""
    def name(signum: int) -> str:
        try:
            return signal.Signals(signum).name
        except ValueError:
            return f"SIGRTMIN+{signum - signal.SIGRTMIN}"
    return ", ".join(name(s) for s in sorted(signals))


@koan(man="signal(7) (dispositions, the mask), execve(2) (what survives it), sh(1p) (trap: a "
          "signal ignored on entry cannot be trapped)",
      hints=["Which of its own signal state does a process hand to the program it execs? "
             "execve(2) says what survives: an ignored signal stays ignored, and the mask stays.",
             "Just before execve, set every signal but SIGKILL and SIGSTOP back to SIG_DFL "
             "(signal.valid_signals()) and unblock them all (signal.pthread_sigmask)."],
      needs=["root", "busybox"])
def test_the_program_starts_with_every_signal_at_its_default(mini_run: MiniRun, rootfs: Path) -> None:
    """However the runtime was started -- some signals ignored (a background job of a script
    ignores SIGINT and SIGQUIT, Python ignores SIGPIPE), some blocked -- the container's
    program starts with none ignored and none blocked: a shell cannot trap a signal ignored
    when it started, so a container's init would never see `docker stop`'s or `kill`'s."""
    realtime = [s for s in SIGNAL_POOL if s >= signal.SIGRTMIN]
    ordinary = [s for s in SIGNAL_POOL if s < signal.SIGRTMIN and s not in (signal.SIGINT, signal.SIGQUIT)]
    ignored = {signal.SIGINT, signal.SIGQUIT, *random.sample(ordinary, 3), random.choice(realtime)}
    blocked = set(random.sample([s for s in ordinary if s not in ignored], 3))
    blocked.add(random.choice([s for s in realtime if s not in ignored]))

    def started_so() -> None:
        for signum in ignored:
            signal.signal(signum, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK, blocked)

    done = mini_run("run", "--rootfs", str(rootfs), "--", "/bin/cat", "/proc/self/status",
                    started=started_so)
    assert done.returncode == 0, f"mini-run run failed: {done.stderr.strip()[-300:] or 'no message'}"
    status = dict(line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    assert "SigIgn" in status and "SigBlk" in status, (
        f"the container's program printed no /proc/self/status: {done.stdout.strip()[-200:]!r}")
    still_ignored, still_blocked = signal_set(status["SigIgn"]), signal_set(status["SigBlk"])
    assert not still_ignored, (
        f"mini-run was started with {spelled(ignored)} ignored; its program started with "
        f"{spelled(still_ignored)} still ignored")
    assert not still_blocked, (
        f"mini-run was started with {spelled(blocked)} blocked; its program started with "
        f"{spelled(still_blocked)} still blocked")


@koan(man="cgroups(7), the kernel's cgroup-v2.rst (memory.max, cpu.max) and cgroup-v1/memory.rst",
      hints=["--memory and --cpus become linux.resources; which files of which cgroup hold them, "
             "on cgroup v2 and on v1 (this host may be either, or both)?",
             "v2: memory.max = bytes, cpu.max = 'quota period'; v1: memory.limit_in_bytes, "
             "cpu.cfs_period_us then cpu.cfs_quota_us; made and joined before the program runs."],
      needs=["root", "busybox", "cgroup:memory", "cgroup:cpu"])
def test_memory_and_cpu_limits_land_in_the_containers_cgroup(mini_run: MiniRun, rootfs: Path) -> None:
    """A limit is a file in the cgroup the process is in. The koan reads the container's own
    cgroup from /proc/<pid>/cgroup and the limit files there, on this host's layout."""
    mib = random.randint(24, 200)
    cpus = random.randint(10, 190) / 100
    held = mini_run.held_run(rootfs, "--memory", f"{mib}M", "--cpus", f"{cpus:g}")
    dirs = cgroup_dirs(held.pid)
    found: dict[str, str] = {}
    for controller, directory in dirs.items():
        for name in ("memory.max", "memory.limit_in_bytes", "cpu.max", "cpu.cfs_quota_us",
                     "cpu.cfs_period_us"):
            if (directory / name).exists() and name.split(".")[0] == controller:
                found[name] = (directory / name).read_text().strip()
    held.release()
    memory = found.get("memory.max", found.get("memory.limit_in_bytes"))
    assert memory == str(mib << 20), (
        f"the container's memory cgroup ({dirs.get('memory')}) has a limit of {memory}, not "
        f"{mib << 20} (--memory {mib}M)")
    quota = round(cpus * 100_000)
    cpu = found.get("cpu.max") or f"{found.get('cpu.cfs_quota_us')} {found.get('cpu.cfs_period_us')}"
    assert cpu == f"{quota} 100000", (
        f"the container's cpu cgroup ({dirs.get('cpu')}) allows '{cpu}' (quota period), not "
        f"'{quota} 100000' (--cpus {cpus:g})")


@koan(man="cgroups(7) (removing a cgroup), mount_namespaces(7), pid_namespaces(7)",
      hints=["After the container's program exits, what of it still exists on the host? Its "
             "processes, its cgroup directories, its state?",
             "When PID 1 of a PID namespace exits the kernel kills the rest; the mount namespace "
             "goes with its last process; the cgroup directories are mini-run's to rmdir."],
      needs=["root", "busybox", "cgroup:memory"])
def test_nothing_is_left_behind(mini_run: MiniRun, rootfs: Path) -> None:
    """A runtime cleans up after the container, also when the program left a child running:
    its cgroups removed, no process and no mount of it left on the host."""
    held = mini_run.held_run(rootfs, "--memory", "64M", script="sleep 300 &")
    dirs = sorted(set(cgroup_dirs(held.pid).values()))
    init = held.pid
    done = held.release(timeout=15)
    assert done.returncode == 0, f"mini-run exited {done.returncode}: {done.stderr.strip()[-200:]}"
    assert dirs, "the container was in no memory or cpu cgroup of its own"
    left = [str(d) for d in dirs if d.exists()]
    assert not left, f"the container's cgroup(s) {left} still exist after it exited"
    assert not Path(f"/proc/{init}").exists(), f"the container's init {init} still runs"
    mounts = [m for m in decoy.mount_points("self") if m.startswith(str(rootfs))]
    assert not mounts, f"the host's mount table still has {mounts}"

"""M9 · mini-run as an OCI runtime: the command line an engine calls.

containerd's shim runs `RUNTIME --root R create --bundle B --pid-file F ID`, then `start`,
`state`, `kill`, `delete`; dockerd reads the answers. The koans call your mini-run the same
way and check each answer against the kernel: the pid it names, that process's namespaces
and command line, the signals it got.
"""
from __future__ import annotations

import json
import random
import secrets
import signal
import time
from pathlib import Path
from typing import Any

from kernel_koans import exercise, koan, procfs, waiting
from kernel_koans.fixtures.mini_run import MiniRun

cli = exercise("projects/mini_run/cli")


def odd_id() -> str:
    """A container id with the characters runc allows beyond letters and digits."""
    return f"kk-{secrets.token_hex(3)}.{random.choice(['a_b', 'x+y', 'q-r'])}{random.randint(0, 99)}"


def state_of(mini_run: MiniRun, cid: str) -> dict[str, Any] | None:
    done = mini_run("state", cid)
    return json.loads(done.stdout) if done.returncode == 0 else None


def wait_status(mini_run: MiniRun, cid: str, status: str, timeout: float = 5.0) -> str | None:
    def seen() -> str | None:
        state = state_of(mini_run, cid)
        return None if state is None else state.get("status")

    return waiting.settle(seen, lambda now: now == status, timeout)


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().split("\0")[:-1]
    except OSError:
        return []


@koan(man="the OCI runtime spec (runtime.md: State, Lifecycle), runc-state(8), runc-create(8)",
      hints=["Each command is a new process: what must `create` write down so that `state` and "
             "`start`, later, know the container? And how does `state` tell created from running "
             "from stopped?",
             "A directory per id under --root with the pid (and its start time) and the bundle; "
             "create leaves the init blocked on a fifo there that start opens. state: pid gone → "
             "stopped, fifo still there → created, else running. Print runc's keys."],
      needs=["root", "busybox"])
def test_state_follows_the_lifecycle(mini_run: MiniRun, rootfs: Path, scratch: Path) -> None:
    """`state` is how an engine sees a container: created after create (its program not yet
    started), running after start, stopped once its init died, gone after delete."""
    cid = odd_id()
    bundle, _ = mini_run.bundle(rootfs, ["sleep", "300"])
    pid_file = scratch / "init.pid"
    done = mini_run("create", "--bundle", str(bundle), "--pid-file", str(pid_file), cid)
    assert done.returncode == 0, f"create failed: {done.stderr.strip()[-300:]}"
    created = state_of(mini_run, cid)
    assert created is not None, "`state ID` fails right after create"
    missing = {"ociVersion", "id", "status", "pid", "bundle", "created"} - set(created)
    assert not missing, f"state's JSON lacks {sorted(missing)} (runc's state has them)"
    assert (created["id"], created["status"], created["bundle"]) == (cid, "created", str(bundle)), (
        f"state says id={created['id']!r} status={created['status']!r} bundle={created['bundle']!r}; "
        f"expected {cid!r}, 'created', {str(bundle)!r}")
    pid = int(created["pid"])
    assert cmdline(pid)[:1] != ["sleep"], f"pid {pid} already runs sleep before start"
    assert mini_run("start", cid).returncode == 0, "start failed on a created container"
    running = state_of(mini_run, cid) or {}
    waiting.until(lambda: cmdline(pid) == ["sleep", "300"], 5, 0.02)
    assert running.get("status") == "running" and cmdline(pid) == ["sleep", "300"], (
        f"after start: state says {running.get('status')!r}, pid {pid} runs {cmdline(pid)}")
    assert mini_run("kill", cid, "KILL").returncode == 0, "kill KILL failed on a running container"
    seen = wait_status(mini_run, cid, "stopped")
    assert seen == "stopped", f"after its init was killed, state says {seen!r}, not 'stopped'"
    assert mini_run("delete", cid).returncode == 0, "delete failed on a stopped container"
    assert state_of(mini_run, cid) is None, "state still answers for a deleted container"


@koan(man="the OCI runtime spec (runtime.md: Operations), runc-start(8), runc-delete(8)",
      hints=["Which operations does the spec forbid on a running container, and what must "
             "--force change?",
             "An id names one container: create refuses one in use; start only from created; "
             "delete refuses a running container unless --force, which SIGKILLs it first; "
             "delete --force of an id that does not exist succeeds."],
      needs=["root", "busybox"])
def test_the_runtime_refuses_what_the_lifecycle_forbids(mini_run: MiniRun, rootfs: Path) -> None:
    """Engines rely on the refusals as much as on the successes: create of an id in use fails
    and leaves its container alone, start twice fails, delete of a running container fails
    and leaves it running, delete --force removes it and may be repeated (a shim retries it)."""
    cid = odd_id()
    bundle, _ = mini_run.bundle(rootfs, ["sleep", "300"])
    assert mini_run("create", "--bundle", str(bundle), cid).returncode == 0, "create failed"
    assert mini_run("start", cid).returncode == 0, "start failed on a created container"
    pid = int((state_of(mini_run, cid) or {}).get("pid", 0))
    twice = mini_run("create", "--bundle", str(bundle), cid)
    assert twice.returncode != 0, "create of an id that already names a container succeeded"
    kept = state_of(mini_run, cid) or {}
    assert procfs.alive(pid) and int(kept.get("pid", 0)) == pid and kept.get("status") == "running", (
        f"a refused create must leave the container as it was: state now says pid {kept.get('pid')}, "
        f"{kept.get('status')!r} (it was pid {pid}, running)")
    again = mini_run("start", cid)
    assert again.returncode != 0, "a second start of a running container succeeded"
    plain = mini_run("delete", cid)
    assert plain.returncode != 0, "delete (no --force) of a running container succeeded"
    assert procfs.alive(pid) and (state_of(mini_run, cid) or {}).get("status") == "running", (
        "a refused delete must leave the container running")
    assert mini_run("delete", "--force", cid).returncode == 0, "delete --force of a running one failed"
    waiting.until(lambda: not procfs.alive(pid), 5, 0.02)
    assert not procfs.alive(pid), f"delete --force returned and the init {pid} still runs"
    assert state_of(mini_run, cid) is None, "state still answers after delete --force"
    repeat = mini_run("delete", "--force", cid)
    assert repeat.returncode == 0, (
        f"delete --force of a container that is gone failed ({repeat.stderr.strip()[-200:]}): "
        "--force must be idempotent")
    assert mini_run("delete", cid).returncode != 0, "delete (no --force) of no container succeeded"


TRAPPED = ("HUP", "INT", "USR1", "USR2", "ALRM")


@koan(man="signal(7), kill(1), runc-kill(8), pid_namespaces(7) (signals to init)",
      hints=["An engine says `kill ID 15`, a person says `kill ID TERM` or `SIGTERM`. What does "
             "the kernel want?",
             "A number is the number; a name, upper-cased, with SIG in front, is "
             "signal.Signals[name]. Send it to the init's host pid with os.kill."],
      needs=["root", "busybox"])
def test_kill_sends_the_signal_named_or_numbered(mini_run: MiniRun, rootfs: Path) -> None:
    """kill takes a signal by number or by name (with or without SIG, any case); the
    container's init, a shell with traps, writes down which signal reached it."""
    first, second, third = random.sample(TRAPPED, 3)
    traps = " ".join(f"trap 'echo {s} >> /kk-got' {s};" for s in TRAPPED)
    script = f"{traps} touch /kk-trapped; while :; do sleep 0.05; done"
    bundle, _ = mini_run.bundle(rootfs, ["/bin/sh", "-c", script])
    cid = odd_id()
    assert mini_run("create", "--bundle", str(bundle), cid).returncode == 0, "create failed"
    assert mini_run("start", cid).returncode == 0, "start failed"
    waiting.until((rootfs / "kk-trapped").exists, 5, 0.02)
    got = rootfs / "kk-got"

    def seen() -> list[str]:
        return got.read_text().split() if got.exists() else []

    for sig, spelled in ((first, str(int(signal.Signals["SIG" + first]))),
                         (second, random.choice([second, second.lower()])),
                         (third, random.choice(["SIG" + third, "sig" + third.lower()]))):
        before = len(seen())
        done = mini_run("kill", cid, spelled)
        assert done.returncode == 0, f"kill {cid} {spelled} failed: {done.stderr.strip()[-200:]}"
        waiting.until(lambda: len(seen()) > before, 5, 0.02)  # noqa: B023
        assert seen()[before:] == [sig], f"after `kill ID {spelled}` the init's traps saw {seen() or 'nothing'}"


@koan(man="runc-create(8) (--pid-file), containerd's runtime v2 shim (it reads the pid file)",
      hints=["The shim reads the pid file the moment create returns, and the program must not "
             "run before start. Where is the container's init at that moment?",
             "Write the pid file (atomically) in create, after the init is set up and before "
             "create exits; the init waits, blocked opening a fifo for writing, until start "
             "opens it for reading."],
      needs=["root", "busybox"])
def test_create_returns_with_the_pid_file_and_the_init_waiting(
        mini_run: MiniRun, rootfs: Path, scratch: Path) -> None:
    """When create returns, the pid file names the container's init — PID 1 of its own PID
    namespace, alive — and the program has not started: that is start's job."""
    bundle, _ = mini_run.bundle(rootfs, ["sleep", "300"])
    pid_file = scratch / f"{secrets.token_hex(4)}.pid"
    cid = odd_id()
    done = mini_run("create", "--bundle", str(bundle), "--pid-file", str(pid_file), cid)
    assert done.returncode == 0, f"create failed: {done.stderr.strip()[-300:]}"
    text = pid_file.read_text().strip() if pid_file.exists() else ""
    assert text.isdigit(), f"when create returned the pid file held {text!r}, not a pid"
    pid = int(text)
    assert procfs.alive(pid) and procfs.nspid(pid)[-1:] == [1], (
        f"pid {pid} from the pid file is {'not PID 1 of its namespace' if procfs.alive(pid) else 'gone'}")
    time.sleep(0.3)
    assert cmdline(pid)[:1] != ["sleep"], "the program runs before start: create must leave it waiting"
    assert (state_of(mini_run, cid) or {}).get("pid") == pid, "state names another pid than the pid file"


@koan(man="runc-create(8) (--console-socket), the OCI runtime spec (process.terminal)",
      hints=["A runtime that cannot do what it is asked must say so, not pretend: what happens to "
             "a shim that waits on a console socket nobody will ever write to?",
             "If --console-socket is given, fail with a message naming it, before making "
             "anything (no state, no cgroup, no process)."],
      needs=["root", "busybox"])
def test_a_console_socket_is_refused_clearly(mini_run: MiniRun, rootfs: Path, scratch: Path) -> None:
    """mini-run gives no terminal: asked for one (--console-socket), it refuses with a clear
    error and leaves no container behind."""
    bundle, _ = mini_run.bundle(rootfs, ["sleep", "300"])
    cid = odd_id()
    done = mini_run("create", "--bundle", str(bundle), "--console-socket",
                    str(scratch / "console.sock"), cid)
    assert done.returncode != 0, "create with --console-socket succeeded: it cannot give a terminal"
    assert "console" in done.stderr.lower(), (
        f"the refusal does not name the console socket: {done.stderr.strip()[-200:] or 'no message'}")
    assert state_of(mini_run, cid) is None, "a refused create left a container that state knows"


@koan(man="runc(8) (--log, --log-format)",
      hints=["containerd reads the runtime's log file to tell the user why something failed: one "
             "JSON object per line with --log-format json.",
             "On an error append json.dumps({'level': 'error', 'msg': ..., 'time': ...}) and a "
             "newline to --log; plain text when the format is text."],
      needs=["root"])
def test_errors_go_to_the_log_as_json_lines(mini_run: MiniRun, scratch: Path) -> None:
    """An engine reads the runtime's errors from --log; with --log-format json, every line is
    a JSON object with a level and a message that says what failed."""
    cid = odd_id()
    log = scratch / "runtime.log"
    done = mini_run("--log", str(log), "--log-format", "json", "start", cid)
    assert done.returncode != 0, f"start of a container that does not exist ({cid}) succeeded"
    lines = log.read_text().splitlines() if log.exists() else []
    assert lines, "nothing was written to the --log file"
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            raise AssertionError(f"a --log line is not JSON: {line[:120]!r}") from None
    errors = [r for r in records if isinstance(r, dict) and r.get("level") == "error"]
    assert any(cid in str(r.get("msg", "")) for r in errors), (
        f"no error record names the container {cid}: {records[-3:]}")

"""Point the running Docker engine at another OCI runtime, then put it back exactly.

`docker run --runtime NAME` needs NAME in the engine's runtime table. dockerd 20.10+
reloads that table from daemon.json's "runtimes" on SIGHUP, without a restart: the
containers of everybody else keep running and dockerd keeps the flags it was started
with (systemd unit or a background `dockerd …`). A reload replaces the table (the file's
entries plus runc) only when the file *sets* "runtimes", so removing our entry means
reloading once with the table as `docker info` showed it before, then putting the file
back byte for byte (or removing it).

Every step is checked from the engine's side (`docker info`'s runtimes), never assumed.
Until the file is back, a copy of it as it was lies beside it (`.kk-daemon.json.saved`):
a run killed in between leaves that copy, the leak audit sees it and `koans clean` puts
the engine back with `restore`.
"""
from __future__ import annotations

import base64
import json
import os
import signal
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernel_koans.paths import PREFIX

DEFAULT_CONFIG = Path("/etc/docker/daemon.json")
STOCK_RUNTIME = "runc"
"""The name dockerd always adds itself; a daemon.json that lists it is refused."""
RELOAD_TIMEOUT = 15.0
"""Seconds for dockerd to show a reloaded runtime table."""


class EngineError(RuntimeError):
    """The engine cannot be reconfigured here; the message says why and what fixes it."""


@dataclass(frozen=True)
class Engine:
    """The running dockerd: its pid, its command line and the daemon.json it reads."""

    pid: int
    argv: tuple[str, ...]
    config_file: Path


def _flag(argv: tuple[str, ...], name: str) -> str | None:
    """The value of `--name V` or `--name=V` in argv (the last one wins, as in dockerd)."""
    value = None
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def _dockerd_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "dockerd":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def find_engine() -> Engine:
    """The local dockerd the docker socket leads to; EngineError where there is none we own."""
    host = os.environ.get("DOCKER_HOST", "")
    if host and not host.startswith("unix://"):
        raise EngineError(f"the engine is remote (DOCKER_HOST={host}): unset DOCKER_HOST and "
                          "run the koans on the engine's own machine")
    pids = _dockerd_pids()
    if len(pids) != 1:
        raise EngineError(f"{len(pids)} dockerd processes run on this host, not one: start one "
                          "engine (sudo systemctl start docker, or bash bin/start-docker)")
    argv = tuple(Path(f"/proc/{pids[0]}/cmdline").read_bytes().decode().split("\0")[:-1])
    if _flag(argv, "--add-runtime") is not None:
        raise EngineError("dockerd was started with --add-runtime, which a daemon.json reload "
                          "would override: move those runtimes into daemon.json's \"runtimes\" "
                          "and restart the engine")
    return Engine(pids[0], argv, Path(_flag(argv, "--config-file") or DEFAULT_CONFIG))


def runtimes(client: Any) -> dict[str, Any]:
    """The engine's runtime table as `docker info` shows it."""
    return dict(client.info().get("Runtimes") or {})


@dataclass(frozen=True)
class Saved:
    """daemon.json as it was: its bytes (None: absent), its mode and owner, whether its
    directory existed."""

    content: bytes | None
    mode: int
    uid: int
    gid: int
    dir_existed: bool


def backup_of(config_file: Path) -> Path:
    """Where daemon.json as it was waits while a koan has changed it."""
    return config_file.with_name(f".{PREFIX}{config_file.name}.saved")


def _store(backup: Path, saved: Saved) -> None:
    backup.parent.mkdir(parents=True, exist_ok=True)
    content = None if saved.content is None else base64.b64encode(saved.content).decode()
    backup.write_text(json.dumps({"content": content, "mode": saved.mode, "uid": saved.uid,
                                  "gid": saved.gid, "dir_existed": saved.dir_existed}))


def _load(backup: Path) -> Saved:
    data = json.loads(backup.read_text())
    content = None if data["content"] is None else base64.b64decode(data["content"])
    return Saved(content, data["mode"], data["uid"], data["gid"], data["dir_existed"])


def _save(path: Path) -> Saved:
    if not path.exists():
        return Saved(None, 0o644, 0, 0, path.parent.is_dir())
    st = path.stat()
    return Saved(path.read_bytes(), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, True)


def _write(path: Path, content: bytes, saved: Saved) -> None:
    """Replace `path` atomically (dockerd may read it at any moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.kk-tmp")
    tmp.write_bytes(content)
    os.chmod(tmp, saved.mode)
    os.chown(tmp, saved.uid, saved.gid)
    os.replace(tmp, path)


def _put_back(path: Path, saved: Saved) -> None:
    """daemon.json as it was (or absent again), then its saved copy gone."""
    if saved.content is None:
        path.unlink(missing_ok=True)
    else:
        _write(path, saved.content, saved)
    backup_of(path).unlink(missing_ok=True)
    if saved.content is None and not saved.dir_existed:
        try:
            path.parent.rmdir()
        except OSError:
            pass


def _reload(engine: Engine, client: Any, want: Any) -> dict[str, Any]:
    """SIGHUP dockerd and wait until its runtime table satisfies `want(table)`."""
    os.kill(engine.pid, signal.SIGHUP)
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while True:
        table = runtimes(client)
        if want(table) or time.monotonic() > deadline:
            return table
        time.sleep(0.1)


def _config(saved: Saved, path: Path) -> dict[str, Any]:
    if saved.content is None or not saved.content.strip():
        return {}
    try:
        config = json.loads(saved.content)
    except ValueError as err:
        raise EngineError(f"{path} is not valid JSON ({err}): fix it and reload the engine") from err
    if not isinstance(config, dict):
        raise EngineError(f"{path} is not a JSON object: fix it and reload the engine")
    return config


@contextmanager
def engine_with_runtime(client: Any, name: str, path: Path) -> Iterator[None]:
    """Within the block, `docker run --runtime NAME` execs `path` as the OCI runtime; after
    it, daemon.json is back byte for byte (or absent again) and `docker info` lists the
    runtimes it listed before. Raises EngineError (before changing anything) where the
    engine cannot be reconfigured."""
    engine = find_engine()
    before = runtimes(client)
    if name in before:
        raise EngineError(f"the engine already has a runtime named {name!r}: remove it from "
                          f"{engine.config_file} and reload the engine (kill -HUP {engine.pid})")
    saved = _save(engine.config_file)
    config = _config(saved, engine.config_file)
    # A reload replaces the whole table with the file's plus runc: the names dockerd added
    # at start (io.containerd.*) would vanish unless the file lists them too.
    table_before = {k: v for k, v in before.items() if k != STOCK_RUNTIME}
    own = {**table_before, **(config.get("runtimes") or {})}
    changed = dict(config, runtimes={**own, name: {"path": str(path)}})
    _store(backup_of(engine.config_file), saved)
    try:
        _write(engine.config_file, json.dumps(changed, indent=2).encode() + b"\n", saved)
        table = _reload(engine, client, lambda t: name in t)
        if name not in table:
            raise EngineError(f"dockerd (pid {engine.pid}) did not load runtime {name!r} from "
                              f"{engine.config_file} on SIGHUP (its log says why): an engine "
                              "older than 20.10 needs a restart with --add-runtime")
        yield
    finally:
        # The table as it was replaces ours; then the file as it was.
        _write(engine.config_file, json.dumps(dict(config, runtimes=own)).encode(), saved)
        table = _reload(engine, client, lambda t: t == before)
        _put_back(engine.config_file, saved)
        if table != before:
            raise EngineError(f"the engine's runtimes are {sorted(table)} after the koan, "
                              f"not {sorted(before)}: reload it (kill -HUP {engine.pid})")


def _config_file() -> tuple[Engine | None, Path]:
    try:
        engine = find_engine()
    except EngineError:
        return None, DEFAULT_CONFIG
    return engine, engine.config_file


def leftovers(client: Any) -> list[str]:
    """What a koan that never reached its teardown left in the engine: kk- runtimes in its
    table, daemon.json's saved copy."""
    found = [f"runtime {name}" for name in sorted(runtimes(client)) if name.startswith(PREFIX)]
    backup = backup_of(_config_file()[1])
    return found + [f"saved copy {backup}"] * backup.exists()


def restore(client: Any) -> list[str]:
    """Take the kk- runtimes out of the engine's table and put daemon.json back as it was
    (from its saved copy; without one, minus its kk- runtimes); one line per thing undone."""
    engine, config_file = _config_file()
    backup = backup_of(config_file)
    had_copy = backup.exists()
    table = runtimes(client)
    ours = sorted(name for name in table if name.startswith(PREFIX))
    if not (had_copy or ours):
        return []
    saved = _load(backup) if had_copy else _without_ours(_save(config_file), config_file)
    config = _config(saved, config_file)
    gone = []
    if ours and engine is not None:
        keep = {k: v for k, v in table.items() if k != STOCK_RUNTIME and k not in ours}
        _write(config_file, json.dumps(dict(config, runtimes=keep)).encode(), saved)
        _reload(engine, client, lambda t: not any(name.startswith(PREFIX) for name in t))
        gone += [f"engine runtime {name}" for name in ours]
    _put_back(config_file, saved)
    return [*gone, f"{config_file} as it was"]


def _without_ours(saved: Saved, config_file: Path) -> Saved:
    """daemon.json as it is, minus the kk- runtimes a koan put in it."""
    config = _config(saved, config_file)
    if saved.content is None or not config.get("runtimes"):
        return saved
    kept = {k: v for k, v in config["runtimes"].items() if not k.startswith(PREFIX)}
    rest = {k: v for k, v in config.items() if k != "runtimes"}
    content = json.dumps(rest | ({"runtimes": kept} if kept else {}), indent=2).encode() + b"\n"
    return Saved(content, saved.mode, saved.uid, saved.gid, saved.dir_existed)


def runtime_failure(explanation: str) -> Exception:
    """The exception a koan raises for the engine's "OCI runtime … failed" message: a stub
    (the launcher's STUB_EXIT, kernel_koans.launch) reads as one, anything else as a failure."""
    from kernel_koans.launch import STUB_EXIT

    if f"exit status {STUB_EXIT}" in explanation:
        return NotImplementedError("mini-run stopped at a function that is still a stub "
                                   f"(the engine said: {explanation.strip()[-200:]})")
    return AssertionError(f"the engine could not run the container with your runtime: {explanation}")

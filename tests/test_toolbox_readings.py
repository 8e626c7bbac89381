"""The toolbox's shared readings (kernel_koans.procfs, .saved_image, .build_context, .dpkg)
checked against the kernel's and the tools' own answers for this very process."""
from __future__ import annotations

import ctypes
import gzip
import io
import json
import os
import shutil
import tarfile
import time

import pytest

from kernel_koans import build_context, dpkg, linux, procfs, saved_image


def test_proc_reads_this_process() -> None:
    me = os.getpid()
    assert procfs.nspid(me)[-1] == me
    assert procfs.alive(me) and procfs.ppid(me) == os.getppid()
    ids = procfs.ids(me)
    assert ids["Uid"] == [os.getuid(), os.geteuid(), os.getresuid()[2], os.getuid()]
    assert sorted(ids["Groups"]) == sorted(os.getgroups())
    assert procfs.mounts()["/"].fstype and ":" in procfs.mounts(me)["/"].device


def test_proc_survives_an_awkward_name_and_an_ending() -> None:
    pid = os.fork()
    if pid == 0:  # a comm with ') ' in it must not shift stat's fields
        ctypes.CDLL(None).prctl(15, b"kk) Z 1 (x", 0, 0, 0)  # PR_SET_NAME
        time.sleep(5)
        os._exit(0)
    try:
        assert procfs.alive(pid) and procfs.ppid(pid) == os.getpid()
        for _ in range(100):
            if procfs.comm(pid) == "kk) Z 1 (x":
                break
            time.sleep(0.01)
        assert procfs.comm(pid) == "kk) Z 1 (x" and procfs.alive(pid) and procfs.ppid(pid) == os.getpid()
        os.kill(pid, 9)
        for _ in range(100):
            if not procfs.alive(pid):
                break
            time.sleep(0.01)
        assert not procfs.alive(pid), "a zombie is not alive"
    finally:
        os.waitpid(pid, 0)
    assert not procfs.alive(pid) and procfs.status(pid) == {} and procfs.nspid(pid) == [] and procfs.ppid(pid) is None


def test_enter_joins_a_namespace_by_its_file() -> None:
    if os.geteuid() != 0:
        pytest.skip("setns needs root")
    pid = os.fork()
    if pid == 0:
        try:
            linux.enter(f"/proc/{os.getppid()}/ns/net", linux.CLONE_NEWNET)
            os._exit(0)
        except BaseException:
            os._exit(1)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def _saved(layers: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, blob in layers:
            add(name, blob)
        add("manifest.json", json.dumps([{"Layers": [name for name, _ in layers]}]).encode())
    return out.getvalue()


def test_saved_image_follows_the_manifest_whatever_the_layout() -> None:
    lower = build_context.tar({"./a": b"one", "d/.wh.x": b""}).getvalue()
    upper = gzip.compress(build_context.tar({"a": (b"two", 0o600)}).getvalue())
    # layers listed top-first in the archive, bottom-first in the manifest: the manifest wins
    archive = _saved([("blobs/sha256/" + "1" * 64, lower), ("abc/layer.tar", upper)])
    assert saved_image.layers(archive) == [{"a": b"one", "d/.wh.x": b""}, {"a": b"two"}]


def test_build_context_keeps_modes_and_times() -> None:
    with tarfile.open(fileobj=build_context.tar({"x": b"1", "y": (b"22", 0o755)}, mode=0o600, mtime=7)) as t:
        assert [(m.name, m.size, m.mode, m.mtime) for m in t.getmembers()] == [("x", 1, 0o600, 7), ("y", 2, 0o755, 7)]


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="dpkg is the oracle")
def test_dpkg_is_the_oracle() -> None:
    assert dpkg.order("1.0~rc1", "1.0") == -1 and dpkg.order("1:0.1", "9.9") == 1 and dpkg.order("1.0", "1.0-0") == 0
    text = dpkg.status_file({"kk-a": "1.0-1"}, config_only={"kk-b": "2"})
    stanzas = [dict(line.split(": ", 1) for line in s.splitlines() if ": " in line) for s in text.split("\n\n")]
    assert [(s["Package"], s["Status"], s["Version"]) for s in stanzas] == [
        ("kk-a", "install ok installed", "1.0-1"), ("kk-b", "deinstall ok config-files", "2")]

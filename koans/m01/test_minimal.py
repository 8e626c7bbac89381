"""M1 · Minimal images: FROM scratch, a static binary, and what a dynamic one drags along."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from kernel_koans import build_context, exercise, koan

minimal = exercise("m01/minimal")


def _build_files(client, files: dict[str, tuple[bytes, int]], labels: dict[str, str]):  # type: ignore[no-untyped-def]
    image, _ = client.images.build(fileobj=build_context.tar(files), custom_context=True, labels=labels,
                                   pull=False, rm=True, forcerm=True)
    return image


@pytest.mark.timeout(60)
@koan(man="https://docs.docker.com/build/building/base-images/#create-a-minimal-base-image-using-scratch",
      hints=["scratch is empty: no shell. The exec form of ENTRYPOINT needs none.",
             'FROM scratch / COPY busybox /bin/busybox / ENTRYPOINT ["/bin/busybox"]; '
             "`docker run IMAGE echo hi` then runs /bin/busybox echo hi."],
      needs=["docker", "busybox"])
def test_a_static_binary_is_a_whole_image(docker_client, busybox_image, docker_cleanup, kk_host):
    """A static binary needs no libc and no shell: FROM scratch plus that one file is a
    complete image, as small as the file."""
    binary = Path(kk_host.busybox).read_bytes()
    image = _build_files(docker_client, {"Dockerfile": (minimal.scratch_dockerfile().encode(), 0o644),
                                   "busybox": (binary, 0o755)}, docker_cleanup)
    token = uuid.uuid4().hex
    out = docker_client.containers.run(image.id, ["echo", token], remove=True, labels=docker_cleanup)
    assert out.decode().strip() == token, f"`docker run IMAGE echo {token}` printed {out!r}"
    layers = image.attrs["RootFS"]["Layers"]
    size, base = image.attrs["Size"], docker_client.images.get(busybox_image).attrs["Size"]
    assert len(layers) == 1 and size <= len(binary) + 4096, (
        f"the engine says your image has {len(layers)} layer(s) and {size} bytes; one layer of "
        f"just the {len(binary)}-byte binary is the minimum")
    assert size <= base, f"FROM scratch ({size} B) cannot outweigh the busybox rootfs image ({base} B)"


@pytest.mark.timeout(60)
@koan(man="ld.so(8)",
      hints=["Run `ldd /usr/bin/ls`: every absolute path there is a file that must exist in the image.",
             "The binary, its interpreter (/lib64/ld-linux-*.so.*) and each `=> /path` library; "
             "linux-vdso has no file: the kernel maps it."],
      needs=["docker"])
def test_a_dynamic_binary_needs_its_loader_and_libraries(docker_client, busybox_image, docker_cleanup):
    """Copy only a dynamically linked binary into scratch and exec fails with 'no such file':
    the missing file is the loader named in the ELF header. Ship it and the libraries.

    Not told apart here: shipping more than needed (every library of the host), a loader
    path written in by hand (every binary here names the same one), or a list kept per
    program for xz, bzip2 and openssl as well as ls."""
    ls = os.path.realpath(shutil.which("ls") or "/bin/ls")
    if not _libraries(ls):
        pytest.skip(f"{ls} is statically linked on this host")
    _runs_in_scratch(docker_client, ls, ["/"], docker_cleanup)
    # Other programs, whose libraries are not ls's: one list cannot serve them all.
    others = [(path, args) for name, args in OTHERS.items()
              if (path := os.path.realpath(shutil.which(name) or name)) and os.path.exists(path)
              and _libraries(path) - _libraries(ls)]
    for binary, args in others[:2]:
        _runs_in_scratch(docker_client, binary, args, docker_cleanup)


OTHERS = {"xz": ["--version"], "bzip2": ["--help"], "openssl": ["version"]}
"""Programs that exit 0 with these arguments and need libraries ls does not (liblzma, ...)."""


def _libraries(binary: str) -> set[str]:
    """The names ldd lists for `binary` (empty for a static one): used to pick programs only."""
    probe = subprocess.run(["ldd", binary], capture_output=True, text=True)
    if probe.returncode != 0 or "not a dynamic executable" in probe.stdout + probe.stderr:
        return set()
    return {line.split()[0] for line in probe.stdout.splitlines() if line.strip()}


def _runs_in_scratch(client, binary: str, args: list[str], labels: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Build FROM scratch with the files runtime_files(binary) names, and run binary there."""
    wanted = minimal.runtime_files(binary)
    assert binary in wanted, f"the binary itself ({binary}) is the first file the image needs: {wanted}"
    files = {p.lstrip("/"): (Path(p).read_bytes(), 0o755) for p in wanted}
    dockerfile = f"FROM scratch\nCOPY . /\nENTRYPOINT {json.dumps([binary, *args])}\n"
    image = _build_files(client, {**files, "Dockerfile": (dockerfile.encode(), 0o644)}, labels)
    container = client.containers.create(image.id, labels=labels)
    try:
        container.start()
        code = container.wait(timeout=20)["StatusCode"]
    except Exception as err:  # noqa: BLE001 - docker.errors.APIError: the runtime could not exec it
        raise AssertionError(f"execve({binary}) in the image failed: {err}; it holds only {wanted}") from None
    assert code == 0, (f"{binary} {' '.join(args)} exited {code} in an image holding {wanted}: "
                       f"{container.logs().decode(errors='replace')[-300:]}")

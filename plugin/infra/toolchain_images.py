"""Toolchain and runtime base images for the four languages, made from this host's own files.

No registry is reachable from a koan host, so `FROM golang` or `FROM eclipse-temurin`
cannot be pulled. Each base here is one layer imported (`docker import`) from a tar of
what the host's Debian packages installed (the Go and JDK trees, node, tsc) plus the
shared libraries their programs load (ldd), on top of the busybox rootfs so a `RUN`
has a shell. Built once and kept between runs (CACHED_LABEL), like kernel-koans/busybox:

  kernel-koans/cc              busybox + glibc, libstdc++, libgcc_s, zlib ("distroless/cc")
  kernel-koans/toolchain-go    + the Go toolchain (golang-go)
  kernel-koans/toolchain-java  + the JDK with jlink and its jmods (openjdk-17-jdk-headless)
  kernel-koans/toolchain-node  + node and tsc (nodejs, node-typescript)
  kernel-koans/toolchain-python  kernel-koans/python + pip, setuptools, wheel
"""
from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_koans import docker_objects
from kernel_koans.paths import DOCKER_LABEL

CC_IMAGE = "kernel-koans/cc:latest"
TOOLCHAINS = {lang: f"kernel-koans/toolchain-{lang}:latest" for lang in ("go", "java", "node", "python")}

GOROOT = Path("/usr/lib/go-1.19")
JAVA_HOME = Path("/usr/lib/jvm/java-17-openjdk-amd64")
NODE = Path("/usr/bin/node")
TYPESCRIPT = Path("/usr/share/nodejs/typescript")
DEBIAN_PY = Path("/usr/lib/python3/dist-packages")

FIX = {
    "go": "sudo apt-get install -y golang-go",
    "java": "sudo apt-get install -y openjdk-17-jdk-headless",
    "node": "sudo apt-get install -y nodejs node-typescript",
    "python": "sudo apt-get install -y python3-pip python3-setuptools python3-wheel",
}
"""The command that installs what a language's toolchain base is made from."""

SKIP_GO = {"test", "misc", "api", "doc", "linux_amd64_race", "testdata"}
SKIP_JAVA = {"docs", "man", "demo", "sample", "src.zip"}
BUILD_TOOLS_PY = ("pip", "setuptools", "pkg_resources", "_distutils_hack", "wheel")


class ToolchainMissing(Exception):
    """The host lacks what a toolchain base is made from; str() says what and how to fix."""


@dataclass
class Layout:
    """A root filesystem to be, as tar members: arcname -> host file, symlink or directory."""

    tar: tarfile.TarFile
    made: set[str] = field(default_factory=set)

    def dirs(self, arcname: str) -> None:
        parts = [p for p in Path(arcname.strip("/")).parts if p != "."]
        for i in range(1, len(parts) + 1):
            name = "/".join(parts[:i])
            if name not in self.made:
                self.made.add(name)
                info = tarfile.TarInfo(name)
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                self.tar.addfile(info)

    def _new(self, arcname: str) -> bool:
        """Whether `arcname` is still free (the first entry at a path wins; a tar with
        duplicate paths is refused by the engine)."""
        name = arcname.strip("/")
        if name in self.made:
            return False
        self.made.add(name)
        return True

    def file(self, host: Path, arcname: str, mode: int | None = None) -> None:
        """`host` (symlinks followed) as a regular file at `arcname`."""
        arcname = os.path.normpath(arcname)  # ldd says /jdk/bin/../lib/libjli.so
        self.dirs(str(Path(arcname.strip("/")).parent))
        if not self._new(arcname):
            return
        real = Path(os.path.realpath(host))
        st = real.stat()
        info = tarfile.TarInfo(arcname.strip("/"))  # always a regular file: never a hard link
        info.size, info.mtime = st.st_size, int(st.st_mtime)
        info.mode = mode if mode is not None else stat.S_IMODE(st.st_mode)
        with real.open("rb") as f:
            self.tar.addfile(info, f)

    def symlink(self, arcname: str, target: str) -> None:
        self.dirs(str(Path(arcname.strip("/")).parent))
        if not self._new(arcname):
            return
        info = tarfile.TarInfo(arcname.strip("/"))
        info.type, info.linkname, info.mode = tarfile.SYMTYPE, target, 0o777
        self.tar.addfile(info)

    def tree(self, host: Path, arcname: str, skip: set[str] = frozenset(),  # type: ignore[assignment]
             keep_links: bool = False) -> None:
        """A host directory (symlinked directories followed); dangling links left out.
        `keep_links` keeps symlinks as links (busybox's applets) instead of copying targets."""
        self.dirs(arcname)
        for entry in sorted(host.iterdir()):
            if entry.name in skip:
                continue
            dest = f"{arcname.strip('/').removeprefix('.')}/{entry.name}".lstrip("/")
            if entry.is_symlink() and keep_links:
                self.symlink(dest, os.readlink(entry))
            elif entry.is_dir():
                self.tree(entry, dest, skip, keep_links)
            elif entry.exists() and stat.S_ISREG(entry.stat().st_mode):
                self.file(entry, dest)

    def libraries(self, programs: list[str]) -> None:
        """The shared libraries `programs` load, each at its own absolute path."""
        self.files(sorted(docker_objects._ldd(programs)))  # noqa: SLF001 - one ldd reader

    def files(self, host_paths: list[str]) -> None:
        for path in host_paths:
            self.file(Path(path), path)


def _elf_files(top: Path) -> list[str]:
    out = []
    for path in top.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(str(path))
    return out


JAVA_CORE_LIBS = ("server/libjvm.so", "libjli.so", "libjava.so", "libzip.so", "libnio.so",
                  "libnet.so", "libjimage.so", "libverify.so")
"""The JDK libraries a headless server's runtime loads (no AWT, sound or X11)."""


def _cc_libraries() -> list[str]:
    """The system libraries node and a headless JVM load (not the JDK's own: jlink copies those)."""
    progs = [str(NODE)] if NODE.exists() else []
    progs += [str(JAVA_HOME / "bin" / "java"), *(str(JAVA_HOME / "lib" / lib) for lib in JAVA_CORE_LIBS)]
    libs = docker_objects._ldd([p for p in progs if os.path.exists(p)])  # noqa: SLF001 - one ldd reader
    return sorted(lib for lib in libs if not lib.startswith(str(JAVA_HOME)))


def _lay_go(lay: Layout) -> None:
    lay.tree(GOROOT, GOROOT.as_posix(), SKIP_GO)
    lay.libraries(_elf_files(GOROOT / "bin") + _elf_files(GOROOT / "pkg" / "tool"))
    for tool in ("go", "gofmt"):
        lay.symlink(f"usr/bin/{tool}", f"{GOROOT}/bin/{tool}")


def _lay_java(lay: Layout) -> None:
    lay.tree(JAVA_HOME, JAVA_HOME.as_posix(), SKIP_JAVA)
    lay.libraries(_elf_files(JAVA_HOME / "bin") + _elf_files(JAVA_HOME / "lib"))
    for tool in ("java", "javac", "jar", "jlink", "jdeps"):
        lay.symlink(f"usr/bin/{tool}", f"{JAVA_HOME}/bin/{tool}")


def _lay_node(lay: Layout) -> None:
    lay.file(NODE, NODE.as_posix())
    lay.libraries([str(NODE)])
    lay.tree(TYPESCRIPT, TYPESCRIPT.as_posix(), {"man"})
    lay.symlink("usr/bin/tsc", f"{TYPESCRIPT}/bin/tsc")


NEEDS: dict[str, list[Path]] = {
    "go": [GOROOT / "bin" / "go", GOROOT / "pkg" / "tool"],
    "java": [JAVA_HOME / "bin" / "jlink", JAVA_HOME / "jmods"],
    "node": [NODE, TYPESCRIPT / "bin" / "tsc"],
}
LAYS: dict[str, Callable[[Layout], None]] = {"go": _lay_go, "java": _lay_java, "node": _lay_node}
ENVS = {
    "go": [f"PATH=/usr/local/bin:/usr/bin:/bin:{GOROOT}/bin", "HOME=/root", "GOPROXY=off",
           "GOFLAGS=-mod=mod", "GOCACHE=/tmp/go-build", "GO111MODULE=on"],
    "java": [f"JAVA_HOME={JAVA_HOME}", f"PATH=/usr/local/bin:/usr/bin:/bin:{JAVA_HOME}/bin"],
    "node": ["PATH=/usr/local/bin:/usr/bin:/bin"],
}


def _exists(client: Any, tag: str) -> bool:
    try:
        client.images.get(tag)
        return True
    except Exception:  # noqa: BLE001 - docker.errors.ImageNotFound
        return False


def _import(client: Any, tag: str, busybox_rootfs: Path, lay: Callable[[Layout], None],
            env: list[str]) -> str:
    """Write busybox + what `lay` adds as one tar and `docker import` it as `tag`."""
    docker_objects.announce_kept_build(tag)
    work = Path(tempfile.mkdtemp(prefix="kk-toolchain-"))
    try:
        path = work / "rootfs.tar"
        with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
            layout = Layout(tar)
            layout.tree(busybox_rootfs, ".", keep_links=True)
            layout.dirs("tmp")
            lay(layout)
        repo, _, version = tag.partition(":")
        changes = [f"ENV {e}" for e in env] + [
            f'LABEL {DOCKER_LABEL}="1" {docker_objects.CACHED_LABEL}="{tag}"', 'CMD ["/bin/sh"]']
        client.api.import_image(src=str(path), repository=repo, tag=version, changes=changes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tag


def ensure_cc_image(client: Any, busybox_rootfs: Path) -> str:
    """`kernel-koans/cc`: busybox plus the C and C++ runtime libraries (a dynamic
    program's minimum, like distroless/cc), built once."""
    if _exists(client, CC_IMAGE):
        return CC_IMAGE
    return _import(client, CC_IMAGE, busybox_rootfs, lambda lay: lay.files(_cc_libraries()),
                   ["PATH=/usr/local/bin:/usr/bin:/bin"])


def _python_build_tools() -> dict[str, Path]:
    """Where this machine keeps pip, setuptools and wheel (the running Python's first)."""
    found: dict[str, Path] = {}
    for name in BUILD_TOOLS_PY:
        spec = importlib.util.find_spec(name)
        origin = Path(spec.origin).parent if spec and spec.origin else DEBIAN_PY / name
        if not origin.is_dir():
            raise ToolchainMissing(f"host lacks the Python build tool `{name}` — {FIX['python']}")
        found[name] = origin
        # Its metadata too: setuptools finds its commands (and wheel's bdist_wheel) by entry points.
        for meta in sorted(origin.parent.glob(f"{name}-*.*-info")):
            found[meta.name] = meta
    return found


def _ensure_python(client: Any, python_base: str) -> str:
    """The Python base plus pip, setuptools and wheel on PYTHONPATH (a build stage's tools)."""
    tag = TOOLCHAINS["python"]
    docker_objects.announce_kept_build(tag)
    work = Path(tempfile.mkdtemp(prefix="kk-toolchain-"))
    try:
        for name, origin in _python_build_tools().items():
            shutil.copytree(origin, work / "tools" / name,
                            ignore=shutil.ignore_patterns("__pycache__", "tests"))
        dockerfile = (f"FROM {python_base}\nCOPY tools/ /opt/build-tools/\n"
                      "ENV PYTHONPATH=/opt/build-tools PIP_NO_INDEX=1 "
                      "PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore\n"
                      f'LABEL {DOCKER_LABEL}="1" {docker_objects.CACHED_LABEL}="{tag}"\n').encode()
        context = docker_objects.tar_directory(work, {"Dockerfile": dockerfile})
        client.images.build(fileobj=io.BytesIO(context), custom_context=True, tag=tag,
                            rm=True, forcerm=True, pull=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tag


def ensure_toolchain(client: Any, lang: str, busybox_rootfs: Path, python_base: str) -> str:
    """`kernel-koans/toolchain-<lang>`, built once from the host's packages."""
    tag = TOOLCHAINS[lang]
    if _exists(client, tag):
        return tag
    if lang == "python":
        return _ensure_python(client, python_base)
    missing = [str(p) for p in NEEDS[lang] if not p.exists()]
    if missing:
        raise ToolchainMissing(f"host lacks {', '.join(missing)} — {FIX[lang]}")
    return _import(client, tag, busybox_rootfs, LAYS[lang], ENVS[lang])


def base_args(client: Any, lang: str, busybox_rootfs: Path, busybox: str, python_base: str) -> dict[str, str]:
    """The build args a language's Dockerfile gets: TOOLCHAIN (its build stage's base) and
    RUNTIME (a base for the final stage: python for Python, cc for node and Java)."""
    runtime = {"go": busybox, "python": python_base}.get(lang) or ensure_cc_image(client, busybox_rootfs)
    return {"TOOLCHAIN": ensure_toolchain(client, lang, busybox_rootfs, python_base), "RUNTIME": runtime}


def layer_files(client: Any, tag: str, scratch: Path) -> list[list[str]]:
    """The paths each layer of `tag` adds, changes or whites out, layer by layer (from
    `docker save`): a file a later layer deletes is still shipped in the earlier one."""
    archive = scratch / "image.tar"
    with archive.open("wb") as f:
        for chunk in client.images.get(tag).save(named=False):
            f.write(chunk)
    out: list[list[str]] = []
    try:
        with tarfile.open(archive) as saved:
            manifest = saved.extractfile("manifest.json")
            assert manifest is not None
            for layer in json.load(manifest)[0]["Layers"]:
                data = saved.extractfile(layer)
                assert data is not None
                with tarfile.open(fileobj=data, mode="r|") as tar:
                    out.append([m.name for m in tar])
    finally:
        archive.unlink()
    return out

"""M6 · Logs and the writable layer: two ways a container fills the host's disk, seen on disk."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from docker.types import LogConfig

from kernel_koans import exercise, koan, waiting

disk = exercise("m06/disk")

KiB = 1 << 10
LINE = "kk-log-line " + "x" * 100
"""One log line; the json-file driver stores it as about 170 bytes of JSON."""


@koan(man="https://docs.docker.com/engine/logging/drivers/json-file/",
      hints=["By default a container's log file grows without end. Which two options of the json-file "
             "driver bound it?",
             "max-size (a byte count; \"20k\" means KiB) and max-file (how many files, the current one "
             "included). The engine renames <id>-json.log to .1, .2, … and drops the oldest."],
      needs=["root", "docker"])
@pytest.mark.timeout(90)
def test_json_logs_rotate_within_the_bound_you_set(docker_client, busybox_image, docker_cleanup):
    """A chatty container with default logging fills /var/lib/docker until the host stops; the
    json-file driver's rotation keeps at most max-file files of max-size bytes each.

    The container writes about ten times the bound; on disk the koan finds exactly max-file files,
    none longer than max-size plus one line."""
    max_bytes = random.randrange(16 * KiB, 48 * KiB, 1024)
    # Never 2: an engine given max-size alone keeps the current file and one rotated (.1),
    # so two files would not tell whether max-file was set at all.
    max_files = random.randint(3, 5)
    lines = 10 * max_bytes * max_files // 170
    options = disk.log_options(max_bytes, max_files)
    container = docker_client.containers.run(
        busybox_image, ["sh", "-c", f"i=0; while [ $i -lt {lines} ]; do echo {LINE} $i; i=$((i+1)); done"],
        detach=True, labels=docker_cleanup, log_config=LogConfig(type=LogConfig.types.JSON, config=options))
    container.wait(timeout=60)
    container.reload()
    current = Path(container.attrs["LogPath"])
    files = sorted(current.parent.glob(current.name + "*"))
    sizes = {f.name.replace(container.id, "<id>"): f.stat().st_size for f in files}
    assert len(files) == max_files, (
        f"after {lines} lines with max-size {max_bytes} bytes and max-file {max_files}, the log "
        f"directory holds {sizes}: not {max_files} files")
    over = {name: size for name, size in sizes.items() if size > max_bytes + 400}
    assert not over, f"log files longer than max-size ({max_bytes} bytes): {over}"
    ceiling = disk.log_disk_ceiling(max_bytes, max_files)
    total = sum(sizes.values())
    assert (max_files - 1) * max_bytes * 0.9 <= total <= ceiling + 400 * max_files, (
        f"the logs take {total} bytes on disk; you predicted at most {ceiling}")
    assert ceiling <= max_bytes * max_files + 400 * max_files, (
        f"{ceiling} bytes is no bound: {max_files} files of {max_bytes} bytes")


@koan(man="https://docs.kernel.org/filesystems/overlayfs.html",
      hints=["A container's root is an overlay mount. Where does a file it writes end up on the host?",
             "container.attrs['GraphDriver']['Data'] names the overlay's directories: UpperDir takes every "
             "write (LowerDir is the image, MergedDir the mount the container sees). Sum st_size over "
             "os.walk, with lstat."],
      needs=["root", "docker", "overlay"])
@pytest.mark.timeout(60)
def test_a_container_fills_its_overlay_upper_dir(docker_client, busybox_image, docker_cleanup):
    """Everything a container writes outside its volumes lands in its writable layer, the overlay's
    upper directory under /var/lib/docker: `docker ps --size` counts it, and it fills that disk."""
    blocks = random.randint(40, 120)
    container = docker_client.containers.run(
        busybox_image, ["sh", "-c", f"dd if=/dev/zero of=/kk-fill bs=64k count={blocks} 2>/dev/null && "
                                    "echo filled && sleep 60"],
        detach=True, labels=docker_cleanup)
    assert waiting.until(lambda: b"filled" in container.logs(), 30, 0.1), (
        "setup: the container did not finish writing")
    container.reload()
    upper = disk.writable_layer(container.attrs)
    fill = upper / "kk-fill"
    assert fill.is_file() and fill.stat().st_size == blocks * 64 * KiB, (
        f"{upper} has no kk-fill of {blocks * 64} KiB: the container's write is not there")
    assert not (upper / "bin" / "busybox").exists(), (
        f"{upper} holds the image's /bin/busybox: that is the merged view (or the image), "
        "not the layer of the container's own writes")
    counted = disk.tree_bytes(upper)
    listed = docker_client.api.containers(all=True, size=True, filters={"id": container.id})
    size_rw = listed[0]["SizeRw"]
    assert abs(counted - size_rw) <= max(0.05 * size_rw, 64 * KiB), (
        f"the engine's SizeRw (docker ps --size) is {size_rw} bytes; you counted {counted} in {upper}")
    container.kill()

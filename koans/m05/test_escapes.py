"""M5 · Escape paths: the chroot climb, and the container settings that hand over the host.

Your code (m05/escapes.py) builds a jail, run behind a stand-in host, that the koan then tries
to climb out of; and a detector that reads `docker inspect` data. For each dangerous setting
the koan starts kk- containers and shows the danger is real: engine control, host devices,
host processes.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from kernel_koans import decoy, exercise, held, koan, names

escapes = exercise("m05/escapes")

ENGINE_SOCKET = "/var/run/docker.sock"


def climb(host_root: tuple[int, int]) -> str:
    """The M4 chroot escape, then a look into every top-level directory: 'escaped' when the
    host's / was reached, else 'stayed'."""
    os.makedirs("/kk-escape", exist_ok=True)
    os.chroot("/kk-escape")
    for _ in range(256):
        os.chdir("..")
    os.chroot(".")
    found = [(os.stat("/").st_dev, os.stat("/").st_ino)]
    for entry in os.listdir("/"):
        try:
            st = os.stat("/" + entry)
            found.append((st.st_dev, st.st_ino))
        except OSError:
            pass
    return "escaped" if host_root in found else "stayed"


def chroot_then_climb(rootfs: str, host_root: tuple[int, int]) -> str:
    os.chroot(rootfs)
    os.chdir("/")
    return climb(host_root)


def jail_then_climb(rootfs: str, host_root: tuple[int, int]) -> str:
    escapes.jail(rootfs)
    if (os.stat("/").st_dev, os.stat("/").st_ino) == host_root:
        return "never jailed"  # and the climb would write into the host's /
    return climb(host_root)


@koan(man="pivot_root(2), chroot(2) (NOTES), mount_namespaces(7)",
      hints=["chroot moves one process's idea of /; what changes the root of a whole mount table, "
             "and what must happen to the old one?",
             "unshare(CLONE_NEWNS), make / rprivate, bind the rootfs onto itself, pivot_root(rootfs, "
             "rootfs/old), chdir('/'), umount2('/old', MNT_DETACH), rmdir('/old')."],
      needs=["root", "busybox"])
def test_pivot_root_holds_where_chroot_lets_root_out(rootfs: Path) -> None:
    """After chroot, root climbs back to the host's / with a second chroot; after pivot_root in a
    mount namespace with the old root detached, there is no host / left to climb to."""
    st = os.stat("/")
    host_root = (st.st_dev, st.st_ino)
    with held(decoy.run_behind, ["mnt"], chroot_then_climb, str(rootfs), host_root) as h:
        assert h.value.value == "escaped", "the chroot escape failed after a plain chroot: the koan's own check is broken"
    with held(decoy.run_behind, ["mnt"], jail_then_climb, str(rootfs), host_root) as h:
        outcome = h.value.value
        stand_in_release = Path(f"/proc/{h.pid}/root/etc/os-release").read_text()
    assert "kk-busybox" not in stand_in_release, (
        "the stand-in host's own / became the rootfs: the jail changed the mount namespace it "
        "was started in, not one of its own")
    assert outcome != "never jailed", "after jail(), the process's / is still the host's root directory"
    assert outcome == "stayed", (
        "from inside the jail, the chroot escape reached the host's root directory: the host's "
        "/ is still reachable (a chroot, or an old root left mounted?)")


# --- dangerous container settings ----------------------------------------------------------

def run_to_end(client: Any, image: str, argv: list[str], labels: dict[str, str],
               **settings: Any) -> tuple[dict[str, Any], str]:
    """Run a kk- container to its end: (its docker inspect data, its output)."""
    container = client.containers.run(image, argv, detach=True, name=names.unique("esc", 40),
                                      labels=labels, **settings)
    try:
        container.wait(timeout=60)
        return client.api.inspect_container(container.id), container.logs().decode(errors="replace")
    finally:
        container.remove(force=True)


CREATE = """
import json, socket, sys
path, name, image, labels = sys.argv[1:5]
body = json.dumps({"Image": image, "Cmd": ["true"], "Labels": json.loads(labels)}).encode()
s = socket.socket(socket.AF_UNIX)
s.connect(path)
s.sendall(b"POST /containers/create?name=" + name.encode() + b" HTTP/1.0\\r\\nHost: engine\\r\\n"
          b"Content-Type: application/json\\r\\nContent-Length: " + str(len(body)).encode() + b"\\r\\n\\r\\n" + body)
print(s.recv(4096).split(b"\\r\\n")[0].decode())
"""


def flagged(inspect: dict[str, Any]) -> set[str]:
    return set(escapes.dangers(inspect, ENGINE_SOCKET))


@koan(man="https://docs.docker.com/engine/security/#docker-daemon-attack-surface, unix(7)",
      hints=["Look at every mount's host side (Source), whatever its name inside; a directory above "
             "the socket exposes it too, and ':ro' does not stop connect(2).",
             "inspect['Mounts']: Type 'bind' and os.path.realpath(Source) is the socket or a parent "
             "directory of os.path.realpath(engine_socket)."],
      needs=["root", "docker", "busybox"])
def test_a_mounted_engine_socket_controls_the_host_engine(docker_client: Any, python_image: str,
                                                          busybox_image: str, scratch: Path,
                                                          docker_cleanup: dict[str, str]) -> None:
    """Whoever reaches the engine's socket is root on the host: a container with it mounted asks
    the engine for new containers (privileged ones, with / mounted). Find it in inspect data."""
    from docker.types import Mount

    real = os.path.realpath(ENGINE_SOCKET)
    variants = [({"volumes": {ENGINE_SOCKET: {"bind": "/var/run/docker.sock", "mode": "rw"}}}, "/var/run/docker.sock"),
                ({"mounts": [Mount("/kk/engine", real, type="bind")]}, "/kk/engine"),
                ({"volumes": {os.path.dirname(real): {"bind": "/host-run", "mode": "ro"}}},
                 "/host-run/" + os.path.basename(real))]
    for settings, inside in variants:
        child = names.unique("made", 40)
        inspect, out = run_to_end(docker_client, python_image,
                                  ["python3", "-c", CREATE, inside, child, busybox_image,
                                   json.dumps(docker_cleanup)], docker_cleanup, **settings)
        made = docker_client.containers.list(all=True, filters={"name": child})
        assert made and made[0].labels.get(next(iter(docker_cleanup))), (
            f"the container could not create {child} through {inside}: {out!r} (the koan's proof failed)")
        assert "engine-socket" in flagged(inspect), (
            f"the engine created {child} on request of a container with {settings}; dangers() did "
            f"not flag it: {flagged(inspect)}")
    decoy_dir = scratch / "docker.sock"
    decoy_dir.mkdir()
    safe, _ = run_to_end(docker_client, busybox_image, ["true"], docker_cleanup,
                         volumes={str(decoy_dir): {"bind": "/var/run/docker.sock", "mode": "rw"}})
    assert "engine-socket" not in flagged(safe), (
        "dangers() flagged a container whose /var/run/docker.sock is an empty host directory "
        "(not the engine's socket): the name inside proves nothing")


@koan(man="https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities",
      hints=["Which field of HostConfig says it? Capabilities added one by one are not the same.",
             "inspect['HostConfig']['Privileged'] is True."],
      needs=["root", "docker", "busybox", "privileged"])
def test_a_privileged_container_sees_the_host_devices(docker_client: Any, busybox_image: str,
                                                      docker_cleanup: dict[str, str]) -> None:
    """--privileged gives a container every capability and every device of the host: its /dev
    holds the host's disks, one mount away from the host's filesystem."""
    disks = set(os.listdir("/sys/class/block"))
    inspect, out = run_to_end(docker_client, busybox_image, ["ls", "/dev"], docker_cleanup, privileged=True)
    seen = disks & set(out.split())
    assert seen, f"the privileged container's /dev lists none of the host's block devices {sorted(disks)}"
    assert "privileged" in flagged(inspect), (
        f"a container that sees the host's {sorted(seen)[:4]} was not flagged: {flagged(inspect)}")
    safe, out = run_to_end(docker_client, busybox_image, ["ls", "/dev"], docker_cleanup,
                           cap_add=["SYS_ADMIN"])
    assert not disks & set(out.split()), "an unprivileged container saw host block devices"
    assert "privileged" not in flagged(safe), (
        "dangers() flagged a container that only adds CAP_SYS_ADMIN as privileged: it sees no host device")


@koan(man="pid_namespaces(7), https://docs.docker.com/engine/containers/run/#pid-settings---pid",
      hints=["PidMode tells; it can name the host or another container.",
             "inspect['HostConfig']['PidMode'] == 'host'; 'container:<id>' shares another "
             "container's namespace, not the host's."],
      needs=["root", "docker", "busybox"])
def test_pid_host_sees_the_host_processes(docker_client: Any, busybox_image: str,
                                          docker_cleanup: dict[str, str]) -> None:
    """--pid host puts a container in the host's PID namespace: it sees (and, as root, can signal
    or ptrace) every process of the host, this koan's own included."""
    me = str(os.getpid())
    inspect, out = run_to_end(docker_client, busybox_image, ["ls", "/proc"], docker_cleanup, pid_mode="host")
    assert me in out.split(), f"the --pid host container's /proc does not list the koan's pid {me}"
    assert "host-pid" in flagged(inspect), (
        f"a container that sees the koan's own pid {me} was not flagged: {flagged(inspect)}")
    peer = docker_client.containers.run(busybox_image, ["sleep", "60"], detach=True,
                                        name=names.unique("peer", 40), labels=docker_cleanup)
    try:
        safe, out = run_to_end(docker_client, busybox_image, ["ls", "/proc"], docker_cleanup,
                               pid_mode=f"container:{peer.id}")
    finally:
        peer.remove(force=True)
    assert me not in out.split(), "a container sharing another container's PID namespace saw the host's pids"
    assert "host-pid" not in flagged(safe), (
        f"dangers() flagged PidMode {safe['HostConfig']['PidMode']!r}: it shares a container's "
        "PID namespace, not the host's")

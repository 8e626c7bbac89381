"""Project: a hardened container, then the hardened 3-service system; the koans attack them."""
from __future__ import annotations

import json
import os
import random
import secrets
import shutil
from pathlib import Path

import pytest

from kernel_koans import exercise, hardening, koan, names, waiting
from kernel_koans.oracles import count_primes
from kernel_koans.services import http, wait_answering

harden = exercise("projects/hardened/harden")
stack = exercise("projects/three_services/stack")

NEEDS = ["root", "docker", "busybox", "seccomp"]
REFUSED = {"write_root": "EROFS", "raw_socket": "EPERM", "mount": "EPERM", "ptrace": "EPERM",
           "setuid_root": "EPERM"}
"""What each attack must meet in a hardened container: the kernel's own errno."""


def start_notes(client, labels, python_image, docker_ip, **options):
    """The notes image on a kk- network, run with `options`; (container, its base URL)."""
    image = harden.build_notes(client, labels, python_image)
    net = names.unique("hard")
    client.networks.create(net, driver="bridge", labels=labels,
                           options={"com.docker.network.bridge.name": net})
    box = client.containers.run(image, name=net, labels=labels, detach=True, network=net,
                                **options)
    return box, f"http://{docker_ip(box, net)}:8080"


def assert_notes_answer(base: str) -> None:
    name, text = secrets.token_hex(6), secrets.token_bytes(32).hex().encode()
    assert http(f"{base}/notes/{name}", text, "PUT")[0] == 204, "the service refused to store a note"
    assert http(f"{base}/notes/{name}") == (200, text), "the service did not give the note back"


def assert_unprivileged(status: dict[str, str], who: str) -> None:
    """Facts of /proc/<pid>/status: no root uid, empty capability sets, seccomp filter, nnp."""
    uids = status["Uid"].split()
    assert "0" not in uids, f"{who} runs with uid 0 among its real/effective/saved/fs uids {uids}"
    assert int(status["CapBnd"], 16) == 0, (
        f"{who}'s bounding set is {status['CapBnd']}: capabilities not dropped stay reachable "
        "(a setuid binary or a file capability gains them); drop ALL, then add back what it needs")
    assert int(status["CapEff"], 16) == 0, f"{who} holds capabilities {status['CapEff']}"
    assert status["NoNewPrivs"] == "1", f"{who} can still gain privileges through execve (NoNewPrivs 0)"
    assert status["Seccomp"] == "2", f"{who} runs without a seccomp filter (Seccomp {status['Seccomp']})"


def assert_refused(seen: dict[str, str], who: str) -> None:
    wrong = {k: seen.get(k) for k, v in REFUSED.items() if seen.get(k) != v}
    assert not wrong, (f"attacks from inside {who} met {wrong}; a hardened container answers "
                       f"{ {k: REFUSED[k] for k in wrong} } (the kernel's errno)")


@koan(man="capabilities(7), docker run --cap-drop --read-only --tmpfs --user",
      hints=["Four settings of containers.run: who the process is, what it may do as that "
             "user, whether its root filesystem is writable, and where it may still write.",
             "user='65534:65534', cap_drop=['ALL'], security_opt=['no-new-privileges:true', "
             "'seccomp=<profile JSON>'], read_only=True, tmpfs={'/tmp': 'rw,size=16m,mode=1777'}."],
      needs=NEEDS)
@pytest.mark.timeout(90)
def test_hardened_service_answers_as_nobody_with_no_capabilities(docker_client, python_image,
                                                                 docker_cleanup, docker_ip):
    """Hardening that breaks the service is not hardening: notes must still store and serve.
    The kernel's view of its init says what it really holds: uid, capabilities, seccomp, nnp."""
    box, base = start_notes(docker_client, docker_cleanup, python_image, docker_ip,
                            **harden.run_options("notes"))
    wait_answering(box, f"{base}/health")
    assert_notes_answer(base)
    assert box.attrs["HostConfig"]["ReadonlyRootfs"], "the container's root filesystem is writable"
    assert_unprivileged(hardening.init_status(box), "the notes service")


@koan(man="seccomp(2), capabilities(7), ptrace(2), mount(2), setuid(2)",
      hints=["The koan runs the same attacks in a default container first: they work there. "
             "Each of your settings must stop one of them.",
             "EROFS: read_only root. raw socket, mount, setuid: no capabilities and a non-root "
             "user. ptrace of one's own child is allowed by Docker's default profile: your "
             "seccomp profile must refuse it (SCMP_ACT_ERRNO, errnoRet 1)."],
      needs=NEEDS)
@pytest.mark.timeout(90)
def test_attacks_from_inside_the_hardened_service_are_refused(docker_client, python_image,
                                                              docker_cleanup, docker_ip,
                                                              attack_tool):
    """An attacker with code execution inside a container tries the classics. In a default
    container most work; in a hardened one the kernel refuses each, and the service still answers."""
    tool = hardening.volume(attack_tool)
    plain = docker_client.containers.run(python_image, ["sleep", "60"], labels=docker_cleanup,
                                         detach=True, volumes=tool, name=names.unique("plain"))
    control = hardening.attack(plain)
    works = {k: control.get(k) for k in ("write_root", "raw_socket", "ptrace", "setuid_root")}
    assert set(works.values()) == {"ok"}, f"the attacks must work in a default container: {works}"
    box, base = start_notes(docker_client, docker_cleanup, python_image, docker_ip,
                            volumes=tool, **harden.run_options("notes"))
    wait_answering(box, f"{base}/health")
    assert_refused(hardening.attack(box), "the notes container")
    assert_notes_answer(base)


@koan(man="docker run --cap-drop --read-only --security-opt, HEALTHCHECK",
      hints=["The same settings for every service of the M2 system: `up` is M2's, plus "
             "run_options(service) and the koan's `extra` in every containers.run.",
             "Which service writes anywhere? Only give a tmpfs where one must; the scratch "
             "worker and the Python services need no capability at all."],
      needs=NEEDS)
@pytest.mark.timeout(240)
def test_hardened_three_services_answer_and_refuse_attacks(docker_client, python_image,
                                                           docker_cleanup, attack_tool):
    """The whole system hardened: a request still crosses api -> worker -> cache, and every
    container, the FROM-scratch worker included, refuses the attacks."""
    if shutil.which("go") is None:
        pytest.skip("host lacks a Go toolchain for the worker — sudo apt-get install -y golang-go")
    name = names.unique("hard3")
    images = stack.build_images(docker_client, docker_cleanup, python_image, tag_prefix=name)
    boxes = harden.up(docker_client, name, docker_cleanup, images,
                      {"volumes": hardening.volume(attack_tool)})
    cli = docker_client.containers.run(python_image, ["sleep", "120"], name=f"{name}-cli",
                                       network=name, labels=docker_cleanup, detach=True)
    n = random.randrange(1000, 50000)
    answer = waiting.settle(lambda: cli.exec_run(["wget", "-q", "-O", "-", f"http://api:8000/primes?n={n}"]
                                                 ).output.decode(errors="replace"),
                            lambda text: text.startswith("{"), 30, 0.5)
    want = count_primes(n)
    assert answer.startswith("{") and json.loads(answer).get("primes") == want, (
        f"the hardened system must answer GET api/primes?n={n} with {want}: {answer[-300:]!r}")
    for service, box in boxes.items():
        assert box.attrs["HostConfig"]["ReadonlyRootfs"], f"{service}'s root filesystem is writable"
        assert_unprivileged(hardening.init_status(box), service)
        assert_refused(hardening.attack(box), service)


@koan(man="user_namespaces(7), runc spec --rootless, newuidmap(1)",
      hints=["A user namespace maps uids inside to uids outside: root in the container can be "
             "an ordinary, unprivileged uid of the host.",
             "config.json: a {'type': 'user'} namespace, uidMappings and gidMappings "
             "[{'containerID': 0, 'hostID': host_id, 'size': count}], process.user 0:0."],
      needs=["root", "runc", "userns", "busybox"])
def test_rootless_variant_root_inside_is_nobody_outside(runc, rootfs):
    """This engine has no userns-remap, so the rootless variant runs under runc: root in the
    container is host uid `host_id`, and a file the host's root owns stays out of its reach."""
    host_id = random.randrange(200_000, 400_000, 1000)
    token = secrets.token_hex(8)
    data = rootfs / "data"
    data.mkdir()
    os.chown(data, host_id, host_id)
    (rootfs / "www").mkdir()
    (rootfs / "www" / "index.html").write_text(token)
    for parent in (rootfs, *rootfs.parents[:1]):
        parent.chmod(0o755)  # the mapped root is not the host's root: it needs to traverse

    def edit(config: dict) -> None:
        config["process"]["args"] = ["sh", "-c", f"echo {token} > /data/proof; "
                                     "exec httpd -f -p 127.0.0.1:8080 -h /www"]
        harden.rootless(config, host_id, 65536)

    bundle, _ = runc.bundle(rootfs, edit=edit)
    cid, pid = runc.run_detached(bundle)
    uid_map = Path(f"/proc/{pid}/uid_map").read_text().split()
    assert uid_map == ["0", str(host_id), "65536"], (
        f"/proc/{pid}/uid_map is {uid_map}: container uid 0 must map to host uid {host_id}")
    waiting.until((data / "proof").exists, 10, 0.1)
    assert (data / "proof").stat().st_uid == host_id, (
        f"a file root wrote in the container is owned by host uid {(data / 'proof').stat().st_uid}, "
        f"not the mapped {host_id}")
    host_uids = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                     if line.startswith("Uid:")).split()[1:]
    assert set(host_uids) == {str(host_id)}, f"seen from the host the container's root is uid {host_uids}"
    inside = runc("exec", cid, "sh", "-c", "id -u; wget -q -O - http://127.0.0.1:8080/; "
                  "echo kk >> /etc/passwd && echo WROTE")
    lines = inside.stdout.split()
    assert lines[:2] == ["0", token], f"inside: `id -u` then the service's page, got {inside.stdout!r}"
    assert "WROTE" not in inside.stdout, (
        "root in the container appended to /etc/passwd, a file the host's root owns: "
        "its uid 0 must be the host's unprivileged mapped uid")

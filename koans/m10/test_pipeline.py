"""An event-driven pipeline (queue -> workers -> store), hardened and limited, losing a worker."""
from __future__ import annotations

import hashlib
import json
import random
import secrets
import time

import pytest

from kernel_koans import exercise, hardening, koan, names, services, waiting

pipeline = exercise("m10/pipeline")

NEEDS = ["root", "docker", "busybox"]


class Pipeline:
    """The learner's pipeline: one queue, one store, `workers` workers, each container run
    with pipeline.run_options(role), on a kk- network where they find each other by role."""

    def __init__(self, client, labels, python_image, docker_ip, workers: int, visibility: float):
        tag = services.build(client, labels, python_image, pipeline.path,
                             f"{names.unique('pipe')}:latest")
        self.net = services.network(client, labels, "pipe")
        env = {"QUEUE_URL": "http://queue:8080", "STORE_URL": "http://store:8080",
               "VISIBILITY_S": str(visibility)}

        def run(role: str, name: str):
            return client.containers.run(
                tag, [role], name=f"{self.net}-{name}", labels=labels, detach=True,
                network=self.net, environment=env,
                networking_config={self.net: client.api.create_endpoint_config(aliases=[role])},
                **pipeline.run_options(role))

        self.run = run
        self.boxes = {"queue": run("queue", "queue"), "store": run("store", "store")}
        for _ in range(workers):
            self.add_worker()
        self.queue = f"http://{docker_ip(self.boxes['queue'], self.net)}:8080"
        self.store = f"http://{docker_ip(self.boxes['store'], self.net)}:8080"
        services.wait_answering(self.boxes["queue"], f"{self.queue}/health")
        services.wait_answering(self.boxes["store"], f"{self.store}/health")

    def add_worker(self) -> str:
        name = f"worker{sum(role.startswith('worker') for role in self.boxes)}"
        self.boxes[name] = self.run("worker", name)
        return name

    def workers(self) -> list[str]:
        return [role for role in self.boxes if role.startswith("worker")]

    def wait_stored(self, ids: set[str], seconds: float) -> None:
        waiting.until(lambda: ids <= {r["id"] for r in self.results()}, seconds, 0.1)

    def submit(self, jobs: dict[str, dict]) -> None:
        for job_id, payload in jobs.items():
            body = json.dumps({"id": job_id, "payload": payload}).encode()
            code, _ = services.http(f"{self.queue}/jobs", body, "POST")
            assert code == 201, f"the queue answered {code} to POST /jobs"

    def results(self) -> list[dict]:
        code, body = services.http(f"{self.store}/results")
        assert code == 200, f"the store answered {code} to GET /results"
        return list(json.loads(body)["results"])


def jobs(count: int, slow: int, visibility: float) -> dict[str, dict]:
    """Random ids and data; the last `slow` of them outlast the queue's visibility timeout."""
    made = {}
    for i in range(count):  # the slow ones last: idle workers are there when their lease runs out
        ms = int(visibility * 1600) if i >= count - slow else random.randint(250, 400)
        made[f"job-{secrets.token_hex(6)}"] = {"data": secrets.token_hex(16), "ms": ms}
    return made


def cgroup_limits(box) -> tuple[int, float]:
    """(memory limit in bytes, CPUs) read from the container's own cgroup files."""
    box.reload()
    pid = int(box.attrs["State"]["Pid"])
    mem = hardening.cgroup_dir(pid, "memory")
    cpu = hardening.cgroup_dir(pid, "cpu")
    if (mem / "memory.max").exists():  # cgroup v2
        quota, period = (cpu / "cpu.max").read_text().split()
        return int((mem / "memory.max").read_text()), int(quota) / int(period)
    quota = int((cpu / "cpu.cfs_quota_us").read_text())
    period = int((cpu / "cpu.cfs_period_us").read_text())
    return int((mem / "memory.limit_in_bytes").read_text()), quota / period


@koan(man="docker run --memory --cpus --read-only --cap-drop, cgroups(7)", hints=[
    "Each role runs with the M5 hardening (user, capabilities, no-new-privileges, seccomp, "
    "read-only root) and limits of its own.",
    "mem_limit and nano_cpus in containers.run; the engine writes them to the container's "
    "memory.limit_in_bytes / cpu.cfs_quota_us (v1) or memory.max / cpu.max (v2)."],
    needs=[*NEEDS, "cgroup:memory", "cgroup:cpu"])
@pytest.mark.timeout(120)
def test_pipeline_containers_are_hardened_and_limited(docker_client, python_image,
                                                      docker_cleanup, docker_ip):
    """A real system runs every piece unprivileged and bounded: a leaking worker is killed at
    its own limit, not the host's. The kernel's cgroup files say what was really set."""
    pipe = Pipeline(docker_client, docker_cleanup, python_image, docker_ip, 1, 1.0)
    one = jobs(1, 0, 1.0)
    pipe.submit(one)
    waiting.until(lambda: bool(pipe.results()), 15, 0.2)
    assert len(pipe.results()) == 1, "the hardened pipeline did not carry one job to the store"
    for role, box in pipe.boxes.items():
        assert box.attrs["HostConfig"]["ReadonlyRootfs"], f"{role}'s root filesystem is writable"
        status = hardening.init_status(box)
        assert "0" not in status["Uid"].split(), f"{role} runs as uid 0 ({status['Uid']})"
        assert int(status["CapBnd"], 16) == 0, f"{role} keeps capabilities {status['CapBnd']}"
        assert (status["NoNewPrivs"], status["Seccomp"]) == ("1", "2"), (
            f"{role}: NoNewPrivs {status['NoNewPrivs']}, Seccomp {status['Seccomp']} (want 1, 2)")
        memory, cpus = cgroup_limits(box)
        asked = box.attrs["HostConfig"]
        assert 0 < memory <= 512 * 2**20 and memory == asked["Memory"], (
            f"{role}'s cgroup allows {memory} bytes of memory (the engine was asked for "
            f"{asked['Memory']}): set a memory limit of at most 512 MiB")
        assert 0 < cpus <= 1 and abs(cpus - asked["NanoCpus"] / 1e9) < 1e-6, (
            f"{role}'s cgroup quota is {cpus:.3f} CPUs (the engine was asked for "
            f"{asked['NanoCpus'] / 1e9} CPUs): set a CPU limit of at most one CPU")


@koan(man="at-least-once delivery, idempotency; docker kill", hints=[
    "A job leaves the queue for good only when its worker says it is done; a job whose "
    "worker vanished comes back after a timeout. So a job may be done twice.",
    "Worker: lease, work, store, THEN ack. Queue: re-offer leases older than VISIBILITY_S. "
    "Store: keyed by job id, so a job done twice is stored once."], needs=NEEDS)
@pytest.mark.timeout(120)
def test_pipeline_loses_nothing_and_duplicates_nothing_when_a_worker_dies(
        docker_client, python_image, docker_cleanup, docker_ip):
    """Workers die mid-job (OOM, a node lost). The koan kills every worker while one of them
    works on a long job, starts fresh ones, and that job outlasts its lease again (so an idle
    worker does it too): every job must end in the store exactly once."""
    visibility = round(random.uniform(0.8, 1.2), 2)
    pipe = Pipeline(docker_client, docker_cleanup, python_image, docker_ip, 3, visibility)
    todo = jobs(random.randint(8, 12), 0, visibility)
    pipe.submit(todo)
    pipe.wait_stored(set(todo), 30)  # every worker is up and has done some work by now
    long = jobs(1, 1, visibility)  # 1.6 visibility timeouts long
    long_id = next(iter(long))
    pipe.submit(long)
    # Workers poll an empty queue every few tens of milliseconds: after a second one of them
    # holds the long job and is in the middle of it (it lasts longer than that), so killing
    # every worker now kills that one mid-job, whichever it is.
    time.sleep(1.0)
    assert long_id not in {r["id"] for r in pipe.results()}, "the long job ended too soon"
    for role in pipe.workers():
        pipe.boxes[role].kill()
    pipe.add_worker()
    pipe.add_worker()  # two fresh workers: the long job's lease runs out while one works on it,
    todo.update(long)  # so the idle one is handed it too
    pipe.wait_stored({long_id}, 30)
    time.sleep(visibility + 1.5)  # the second run started within a lease of the first: done by now
    results = pipe.results()
    ids = [r["id"] for r in results]
    lost = set(todo) - set(ids)
    assert not lost, (f"{len(lost)} of {len(todo)} jobs never reached the store: {sorted(lost)[:4]}"
                      + (" (the long job, whose worker was killed mid-job)" if long_id in lost else ""))
    twice = sorted({i for i in ids if ids.count(i) > 1})
    assert not twice, f"the store holds these jobs more than once: {twice[:4]}"
    wrong = [r["id"] for r in results
             if r["result"] != hashlib.sha256(todo[r["id"]]["data"].encode()).hexdigest()]
    assert not wrong, f"wrong results (not sha256 of the job's data) for {wrong[:4]}"

"""Project: a 3-service system (api -> worker -> cache) on its own network, with health checks."""
from __future__ import annotations

import json
import random
import shutil
import time

import pytest

from kernel_koans import exercise, koan, names, waiting
from kernel_koans.oracles import count_primes

stack = exercise("projects/three_services/stack")

NEEDS = ["root", "docker", "busybox"]
HINTS_UP = ["Build an image per service (images.build with labels), make one network, run "
            "each service on it with its service name as an alias and a healthcheck.",
            "Dependencies first: cache, worker, api. Quick health timings (interval 0.5 s, "
            "retries 2, nanoseconds in the SDK) keep the koans fast."]

# Runs inside a client container on the stack's network: one HTTP GET, printed as JSON.
CLIENT = """
import json, sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=8) as r:
        print(json.dumps({"status": r.status, "body": json.loads(r.read())}))
except urllib.error.HTTPError as e:
    print(json.dumps({"status": e.code, "body": json.loads(e.read() or b"{}")}))
except OSError as e:
    print(json.dumps({"status": 0, "body": {"error": str(e)}}))
"""


PUT = """
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="PUT")
with urllib.request.urlopen(req, timeout=8) as r:
    print(r.status)
"""


class Stack:
    """The learner's system, plus a client container on its network to make requests from."""

    def __init__(self, client, labels, python_image: str) -> None:
        self.name = names.unique("three")
        images = stack.build_images(client, labels, python_image)
        self.images = images
        self.containers = stack.up(client, self.name, labels, images)
        self.probe = client.containers.run(python_image, ["sleep", "300"], name=f"{self.name}-cli",
                                           network=self.name, labels=labels, detach=True)

    def get(self, url: str) -> dict:
        code, out = self.probe.exec_run(["python3", "-c", CLIENT, url])
        return json.loads(out.decode().strip().splitlines()[-1])

    def health(self, service: str) -> str:
        box = self.containers[service]
        box.reload()
        return str((box.attrs["State"].get("Health") or {}).get("Status", "no healthcheck"))

    def wait(self, wanted: dict[str, str], seconds: float) -> dict[str, str]:
        return waiting.settle(lambda: {s: self.health(s) for s in wanted}, lambda seen: seen == wanted,
                              seconds, 0.2)


@pytest.fixture
def bring_up(docker_client, busybox_image, python_image, docker_cleanup):
    """Call it in the koan (so your code's errors read as koan failures): builds and starts
    your stack; docker_cleanup removes every labelled container, network and image after."""
    if shutil.which("go") is None:
        pytest.skip("host lacks a Go toolchain for the worker — sudo apt-get install -y golang-go")
    return lambda: Stack(docker_client, docker_cleanup, python_image)


ALL_HEALTHY = {"cache": "healthy", "worker": "healthy", "api": "healthy"}


@koan(man="docker compose up (what it does), docker network create, HEALTHCHECK", hints=HINTS_UP,
      needs=NEEDS)
@pytest.mark.timeout(240)
def test_three_services_come_up_healthy_on_their_own_network(bring_up, docker_client, docker_cleanup):
    """A system is images + one network + containers that find each other by service name.
    Health checks tell the engine (and you) when each piece is really ready."""
    three = bring_up()
    seen = three.wait(ALL_HEALTHY, 30)
    assert seen == ALL_HEALTHY, f"the services' health after 30 s: {seen}"
    for service, box in three.containers.items():
        box.reload()
        networks = set(box.attrs["NetworkSettings"]["Networks"])
        assert networks == {three.name}, f"{service} is on {sorted(networks)}, not only on {three.name}"
        aliases = box.attrs["NetworkSettings"]["Networks"][three.name].get("Aliases") or []
        assert service in aliases, f"{service} is not reachable as '{service}' (aliases {aliases})"
        labels = docker_client.images.get(box.image.id).labels or {}
        assert all(labels.get(k) == v for k, v in docker_cleanup.items()), \
            f"the {service} image lacks the koans' labels: it would outlive the run"


@koan(man="docker network (embedded DNS), HTTP", hints=[
    "The api asks the worker (WORKER_URL), the worker asks the cache (CACHE_URL) by service name.",
    "First request: computed (cached false) and stored; the same request again comes from "
    "the cache (cached true). The koan also reads the key from the cache directly."], needs=NEEDS)
@pytest.mark.timeout(240)
def test_request_flows_from_api_through_worker_to_cache(bring_up):
    """One request crosses three containers over one bridge, by names the engine's DNS answers.
    The second identical request is served from the cache: proof the last hop happened."""
    three = bring_up()
    assert three.wait(ALL_HEALTHY, 30) == ALL_HEALTHY, "the stack did not become healthy"
    n = random.randrange(1000, 50000)  # drawn now: no answer can be written in beforehand
    want = count_primes(n)
    first = three.get(f"http://api:8000/primes?n={n}")
    assert first["status"] == 200 and first["body"].get("primes") == want, \
        f"GET api/primes?n={n} must answer 200 with primes={want} (primes up to {n}): {first}"
    assert first["body"].get("cached") is False, f"a first request cannot come from the cache: {first}"
    second = three.get(f"http://api:8000/primes?n={n}")
    assert second["body"].get("cached") is True and second["body"].get("primes") == want, \
        f"the same request again must be served from the cache: {second}"
    stored = three.probe.exec_run(["wget", "-q", "-O", "-", f"http://cache:6380/kv/primes:{n}"])
    assert stored.output.decode().strip() == str(want), \
        f"the cache holds {stored.output!r} under primes:{n}, not the worker's {want}"
    # A value only the cache holds (the koan put it there): answering it proves the read hop.
    m = n + random.randrange(1, 1000)
    planted = count_primes(m) + random.randrange(1000, 9000)
    three.probe.exec_run(["python3", "-c", PUT, f"http://cache:6380/kv/primes:{m}", str(planted)])
    hit = three.get(f"http://api:8000/primes?n={m}")
    assert hit["body"].get("cached") is True and hit["body"].get("primes") == planted, \
        (f"the koan stored primes:{m} = {planted} in the cache itself; GET api/primes?n={m} "
         f"must answer it from there (cached true): {hit}")


@koan(man="HEALTHCHECK, docker stop", hints=[
    "Without its cache the worker still computes, but says so: its /health turns 503.",
    "The worker's health probe fails -> the engine marks it unhealthy after `retries`; the "
    "api only checks that the worker is alive, so it stays healthy and keeps answering."],
    needs=NEEDS)
@pytest.mark.timeout(240)
def test_stopping_the_cache_degrades_the_worker_not_the_api(bring_up):
    """A dependency outage should degrade, not cascade: the answer still comes, uncached.
    Health is per service; readiness (worker) and liveness (api -> worker) differ on purpose."""
    three = bring_up()
    assert three.wait(ALL_HEALTHY, 30) == ALL_HEALTHY, "the stack did not become healthy"
    three.containers["cache"].stop(timeout=1)
    want = {"worker": "unhealthy", "api": "healthy"}
    seen = three.wait(want, 20)
    assert seen == want, f"with the cache stopped the health is {seen}, expected {want}"
    n = random.randrange(100, 50000)
    answer = three.get(f"http://api:8000/primes?n={n}")
    body = answer["body"]
    assert answer["status"] == 200 and body.get("primes") == count_primes(n), \
        f"with the cache down the api must still answer 200 with primes={count_primes(n)} (n={n}): {answer}"
    assert body.get("cached") is False and body.get("cache") == "down", \
        f"the answer must say it was not cached because the cache is down: {body}"


@koan(man="HEALTHCHECK, docker stop", hints=[
    "Without a worker the api cannot serve: its /health and its answers must say so.",
    "The api's probe fails (worker unreachable) -> unhealthy after `retries`; /primes answers "
    "503 with an error instead of hanging."], needs=NEEDS)
@pytest.mark.timeout(240)
def test_stopping_the_worker_makes_the_api_unhealthy_and_503(bring_up):
    """The api depends on the worker: without it, it must fail fast and visibly (503),
    and its health check must turn unhealthy so a balancer stops sending it traffic."""
    three = bring_up()
    assert three.wait(ALL_HEALTHY, 30) == ALL_HEALTHY, "the stack did not become healthy"
    three.containers["worker"].stop(timeout=1)
    seen = three.wait({"api": "unhealthy", "cache": "healthy"}, 20)
    assert seen == {"api": "unhealthy", "cache": "healthy"}, \
        f"with the worker stopped the health is {seen}: the api should be unhealthy, the cache not"
    started = time.monotonic()
    answer = three.get("http://api:8000/primes?n=100")
    took = time.monotonic() - started
    assert answer["status"] == 503 and "error" in answer["body"], \
        f"with the worker down GET /primes must answer 503 with an error: {answer}"
    assert took < 8, f"the api took {took:.1f}s to say the worker is gone: fail fast instead"

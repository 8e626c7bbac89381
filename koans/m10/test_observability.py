"""Observability: structured logs through the engine, metrics in Prometheus' text format."""
from __future__ import annotations

import json
import random
import secrets

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kernel_koans import exercise, koan, names, services, waiting

telemetry = exercise("m10/telemetry")

NEEDS = ["root", "docker", "busybox"]


def start_service(client, labels, python_image, docker_ip, env: dict[str, str]):
    """The learner's service in a container on a kk- network; (container, base URL)."""
    tag = services.build(client, labels, python_image, telemetry.path,
                         f"{names.unique('tele')}:latest", packages=("prometheus_client",))
    net = services.network(client, labels, "tele")
    box = client.containers.run(tag, name=net, labels=labels, detach=True, network=net,
                                environment=env)
    base = f"http://{docker_ip(box, net)}:8080"
    services.wait_answering(box, f"{base}/health")
    return box, base


def requests_total(base: str) -> dict[str, float]:
    """route -> value of kk_requests_total (summed over status), scraped and parsed."""
    status, body = services.http(f"{base}/metrics")
    assert status == 200, f"GET /metrics answered {status}"
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == "kk_requests_total":
                route = sample.labels.get("route", "")
                totals[route] = totals.get(route, 0.0) + sample.value
    return totals


def logged_lines(box, sent: dict[str, str]) -> list[str]:
    """The container's stdout lines, once every request id sent shows up in them (or after a
    deadline): the engine copies a container's stdout to its log asynchronously."""
    def read() -> list[str]:
        return [ln for ln in box.logs(stdout=True, stderr=False).decode().splitlines() if ln.strip()]

    return waiting.settle(read, lambda lines: all(rid in "\n".join(lines) for rid in sent), 10, 0.2)


@koan(man="docker logs (json-file driver), 12factor.net/logs", hints=[
    "Log to stdout, one JSON object per line: the engine stores the stream, the SDK's "
    "container.logs(stdout=True) gives it back. Nothing else may reach stdout.",
    "json.dumps({ts, level, service, route, status, request_id, **LOG_FIELDS}) + newline, "
    "flushed; silence http.server's own log_message (it writes plain text)."], needs=NEEDS)
@pytest.mark.timeout(90)
def test_every_log_line_is_json_with_the_fields_the_koan_set(docker_client, python_image,
                                                            docker_cleanup, docker_ip):
    """A log collector parses lines, it does not read prose: one JSON object per line, with
    the request's id to correlate it and the fields the platform injects (LOG_FIELDS)."""
    service = f"svc-{secrets.token_hex(4)}"
    extra = {f"k{secrets.token_hex(3)}": secrets.token_hex(5) for _ in range(random.randint(1, 3))}
    box, base = start_service(docker_client, docker_cleanup, python_image, docker_ip,
                      {"SERVICE_NAME": service, "LOG_FIELDS": json.dumps(extra)})
    sent = {secrets.token_hex(8): random.choice(["/work", "/hello"]) for _ in range(random.randint(3, 9))}
    for rid, route in sent.items():
        status, _ = services.http(f"{base}{route}?q={secrets.token_hex(2)}",
                                  headers={"X-Request-Id": rid})
        assert status == 200, f"GET {route} answered {status}"
    lines = logged_lines(box, sent)
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"a line of the container's stdout is not JSON: {line[:200]!r}") from None
    assert all(isinstance(r, dict) for r in records), "every line must be one JSON object"
    for rid, route in sent.items():
        mine = [r for r in records if r.get("request_id") == rid]
        assert len(mine) == 1, f"request {rid} appears in {len(mine)} log lines, not exactly one"
        want = {"service": service, "route": route, "status": 200, "level": "info", **extra}
        got = {k: mine[0].get(k) for k in want}
        assert got == want, f"the log line of request {rid} has {got}, expected {want}"
        assert isinstance(mine[0].get("ts"), str), f"the log line of {rid} has no ts: {mine[0]}"


@koan(man="Prometheus exposition formats, prometheus_client", hints=[
    "A counter only goes up; the scraper computes rates from two scrapes. Count every "
    "request to /work and /hello under its route.",
    "prometheus_client.Counter('kk_requests', ..., ['route', 'status']); "
    ".labels(route=..., status='200').inc(); /metrics serves generate_latest() with "
    "CONTENT_TYPE_LATEST."], needs=NEEDS)
@pytest.mark.timeout(90)
def test_prometheus_counter_moves_by_exactly_what_the_koan_drove(docker_client, python_image,
                                                                docker_cleanup, docker_ip):
    """Metrics are numbers a scraper parses: the text format, a counter per route. Between
    two scrapes it must move by exactly the requests made, no more (scrapes are not work)."""
    _, base = start_service(docker_client, docker_cleanup, python_image, docker_ip,
                    {"SERVICE_NAME": "metrics", "LOG_FIELDS": "{}"})
    before = requests_total(base)
    driven = {"/work": random.randint(2, 15), "/hello": random.randint(0, 6)}
    for route, times in driven.items():
        for _ in range(times):
            query = f"?n={random.randrange(10**6)}"  # one series per route, not per URL
            assert services.http(f"{base}{route}{query}")[0] == 200, f"GET {route}{query} failed"
    want = {k: float(v) for k, v in driven.items()}

    def moved_since_before() -> dict[str, float]:
        after = requests_total(base)
        return {route: after.get(route, 0.0) - before.get(route, 0.0) for route in driven}

    # a service may count a request just after answering it: look again, briefly
    moved = waiting.settle(moved_since_before, lambda m: m == want, 10, 0.2)
    assert moved == want, (
        f"kk_requests_total moved by {moved} between two scrapes; the koan made {driven}")

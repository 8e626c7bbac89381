"""M1 · Container logs: stdout and stderr, captured by the engine into its log driver."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from docker.types import LogConfig

from kernel_koans import exercise, koan

container_logs = exercise("m01/container_logs")

APP = "echo out-1; echo err-1 >&2; sleep 0.05; echo 'out 2 {\"json\": true}'; echo err-2 >&2"


def _engine_time(stamp: str) -> datetime:
    """The koan's own reading of the engine's RFC 3339 nanosecond stamps, to microseconds."""
    day, _, rest = stamp.partition("T")
    clock, _, frac = rest.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{day}T{clock}.{frac[:6].ljust(6, '0')}+00:00")


@pytest.mark.timeout(60)
@koan(man="https://docs.docker.com/engine/logging/drivers/json-file/",
      hints=["One JSON object per line. Which keys? Open the file named by the container's LogPath.",
             "json.loads each line: 'stream' tells stdout from stderr, 'log' keeps its newline, "
             "'time' has nanoseconds: cut the fraction to 6 digits and turn 'Z' into '+00:00'."],
      needs=["root", "docker"])
def test_the_engine_logs_each_line_with_its_stream_and_time(docker_client, busybox_image, docker_cleanup):
    """A container app logs by writing to stdout/stderr; the engine stamps and stores each
    line on the host, which is all `docker logs` (and every log shipper) reads."""
    container = docker_client.containers.run(
        busybox_image, ["sh", "-c", APP], detach=True, labels=docker_cleanup,
        log_config=LogConfig(type=LogConfig.types.JSON))
    container.wait(timeout=20)
    container.reload()
    parsed = container_logs.parse_json_log(Path(container.attrs["LogPath"]).read_text())
    for stream, flags in (("stdout", {"stdout": True, "stderr": False}),
                          ("stderr", {"stdout": False, "stderr": True})):
        engine = container.logs(**flags).decode().splitlines()
        mine = [line.text for line in parsed if line.stream == stream]
        assert mine == engine, f"the engine's {stream} lines are {engine}; parse_json_log gave {mine}"
    stamped = container.logs(stdout=True, stderr=True, timestamps=True).decode().splitlines()
    engine_times = [_engine_time(line.split(" ", 1)[0]) for line in stamped]
    mine_times = [line.time for line in parsed]
    assert all(t.tzinfo is not None and t.utcoffset() == timezone.utc.utcoffset(None) for t in mine_times), (
        f"the engine's times are UTC ('Z'): parse_json_log gave {mine_times}")
    assert mine_times == engine_times, (
        f"the engine stamped the lines {engine_times}; parse_json_log gave {mine_times}")

"""Container logs: what the json-file log driver stores for each line a container writes.

The engine captures the container's stdout and stderr (its fds 1 and 2) and, with
the default `json-file` driver, appends one JSON object per line to a file on the
host. Read https://docs.docker.com/engine/logging/drivers/json-file/
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LogLine:
    stream: str     # "stdout" or "stderr"
    text: str       # the line, without its trailing newline
    time: datetime  # when the engine received it (timezone-aware, UTC)


def parse_json_log(text: str) -> list[LogLine]:
    """Parse the content of a container's json-file log, in file order.

    Each line is a JSON object with "log" (the text, newline included), "stream" and
    "time" (RFC 3339 with nanoseconds, e.g. "2024-05-01T10:00:00.123456789Z": Python's
    datetime holds microseconds and, before 3.11, fromisoformat() rejects the "Z").
    """
    raise NotImplementedError("should return the log's lines, each with its stream, text and time")

"""Container logs: what the json-file log driver stores for each line a container writes.

Reference twin of koans/m01/container_logs.py.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LogLine:
    stream: str     # "stdout" or "stderr"
    text: str       # the line, without its trailing newline
    time: datetime  # when the engine received it (timezone-aware, UTC)


_FRACTION = re.compile(r"\.(\d+)")


def parse_time(stamp: str) -> datetime:
    """RFC 3339 with nanoseconds ("2024-05-01T10:00:00.123456789Z") to an aware datetime."""
    # datetime keeps microseconds and Python < 3.11 rejects "Z": cut and translate both.
    stamp = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), stamp, count=1)
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def parse_json_log(text: str) -> list[LogLine]:
    """One JSON object per line: {"log": "...\\n", "stream": "stdout", "time": "..."}."""
    lines = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        entry = json.loads(raw)
        lines.append(LogLine(entry["stream"], entry["log"].removesuffix("\n"), parse_time(entry["time"])))
    return lines

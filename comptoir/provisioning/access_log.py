"""Traffic from a webspace's access logs, in the combined log format (Apache's and nginx's default).

A line reads
  203.0.113.7 - - [30/Nov/2026:10:15:32 +0000] "GET /index.html HTTP/1.1" 200 5120 "-" "curl/8.0"
The field after the status is the size of the response body in bytes ("-" when none). The common log
format (the same without referrer and user agent) reads the same. Lines that do not parse are skipped:
a log is written by the web server, not by us, and one torn line must not stop the day's collection.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

LINE = re.compile(r'^\S+ \S+ \S+ \[(?P<time>[^\]]+)\] "(?:[^"\\]|\\.)*" \d{3} (?P<bytes>\d+|-)(?: |$)')
TIME_FORMAT = "%d/%b/%Y:%H:%M:%S %z"


def served_bytes(lines: Iterable[str], *, since: datetime, until: datetime) -> int:
    """Bytes served by the requests logged in [since, until)."""
    total = 0
    for line in lines:
        match = LINE.match(line)
        if match is None or match["bytes"] == "-":
            continue
        try:
            moment = datetime.strptime(match["time"], TIME_FORMAT)
        except ValueError:
            continue
        if since <= moment < until:
            total += int(match["bytes"])
    return total


def log_lines(folder: Path) -> Iterator[str]:
    """Every line of the access logs in `folder`: access_log and its rotations (access_log.1,
    access_log.2.gz…), gzip-compressed ones read as such. Symbolic links are not followed: the
    webspace's owner must not make us read files outside it."""
    if folder.is_symlink() or not folder.is_dir():
        return
    for path in sorted(folder.glob("access_log*")):
        if not path.is_file() or path.is_symlink():
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as lines:  # type: ignore[operator]
            yield from lines


def line(*, moment: datetime, size: int, path: str = "/", client: str = "203.0.113.7") -> str:
    """One combined-format line (tests, demos)."""
    return (f'{client} - - [{moment.strftime(TIME_FORMAT)}] "GET {path} HTTP/1.1" 200 {size} "-" '
            f'"Mozilla/5.0"\n')

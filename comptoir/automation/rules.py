"""Pure scheduling arithmetic: recurrences and the sandbox clock's day-by-day steps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DURATION = re.compile(r"^P(?:(?P<months>\d+)M|(?P<days>\d+)D|T(?:(?P<hours>\d+)H|(?P<minutes>\d+)M|(?P<seconds>\d+)S))$")


@dataclass(frozen=True)
class Recurrence:
    """An ISO 8601 duration with one unit: PT30S, PT20M, PT1H, P1D, P7D, P3M. Day and month recurrences
    fall on midnight in the seller's time zone; shorter ones count from the last run."""

    months: int = 0
    days: int = 0
    period: timedelta = timedelta(0)

    @classmethod
    def parse(cls, text: str) -> Recurrence:
        match = _DURATION.match(text)
        if match is None or not any(match.groupdict().values()):
            raise ValueError(f"not a one-unit ISO 8601 duration: {text!r}")
        parts = {k: int(v) for k, v in match.groupdict().items() if v}
        if any(v <= 0 for v in parts.values()):
            raise ValueError(f"a recurrence must be positive: {text!r}")
        return cls(months=parts.get("months", 0), days=parts.get("days", 0),
                   period=timedelta(hours=parts.get("hours", 0), minutes=parts.get("minutes", 0),
                                    seconds=parts.get("seconds", 0)))

    def next_run(self, *, after: datetime, zone: str = "UTC") -> datetime:
        """The first run strictly after `after` (which is usually the run that just happened)."""
        if self.period:
            return after + self.period
        local = after.astimezone(ZoneInfo(zone))
        if self.days:
            day = local.date() + timedelta(days=self.days)
        else:
            month_index = local.year * 12 + local.month - 1 + self.months
            day = local.date().replace(year=month_index // 12, month=month_index % 12 + 1, day=1)
        return datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(UTC)


def day_steps(start: datetime, end: datetime) -> list[datetime]:
    """The sandbox clock's stops from `start` to `end`: every UTC midnight in between, then `end`."""
    steps = []
    midnight = datetime.combine(start.astimezone(UTC).date() + timedelta(days=1), time(0), UTC)
    while midnight < end:
        steps.append(midnight)
        midnight += timedelta(days=1)
    steps.append(end)
    return steps

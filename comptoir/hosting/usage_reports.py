"""Usage reports (SPEC §4.12): per subscription, per customer or the whole seller, per day or month, and
the traffic report per subscription; each also as CSV. Always one seller's subscriptions (the provider
reads its own here, as in its subscription list); row security keeps a customer to its own."""

from __future__ import annotations

import csv
import enum
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from comptoir.errors import DomainError, ErrorCode
from comptoir.hosting.usage_rules import megabytes

LONGEST_DAILY = timedelta(days=366)
LONGEST_MONTHLY = timedelta(days=3 * 366)


class UsageErrorCode(ErrorCode):
    INVALID_PERIOD = "invalid_period"


class Granularity(enum.Enum):
    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True)
class UsagePeriod:
    """One day or month of usage in scope: disk at its end (summed over subscriptions), traffic during it."""

    period_start: date
    disk_bytes: int
    traffic_bytes: int
    subscriptions: int

    @property
    def disk_mb(self) -> int:
        return megabytes(self.disk_bytes)

    @property
    def traffic_mb(self) -> int:
        return megabytes(self.traffic_bytes)


@dataclass(frozen=True)
class TrafficLine:
    subscription_id: uuid.UUID
    domain_name: str
    customer_id: uuid.UUID | None
    traffic_bytes: int
    disk_bytes: int  # on the last day of the period that has a row

    @property
    def traffic_mb(self) -> int:
        return megabytes(self.traffic_bytes)

    @property
    def disk_mb(self) -> int:
        return megabytes(self.disk_bytes)


def _check_period(start: date, end: date, longest: timedelta) -> None:
    if end < start:
        raise DomainError(UsageErrorCode.INVALID_PERIOD, "The period ends before it starts.", field="to")
    if end - start > longest:
        raise DomainError(UsageErrorCode.INVALID_PERIOD, f"Ask for at most {longest.days} days at a time.",
                          field="to")


_SCOPE = """FROM subscription_usage u JOIN subscriptions s ON s.seller_id = u.seller_id AND s.id = u.subscription_id
            WHERE u.seller_id = :seller AND u.day BETWEEN :start AND :end
              AND (CAST(:subscription AS uuid) IS NULL OR s.id = :subscription)
              AND (CAST(:customer AS uuid) IS NULL OR s.customer_id = :customer)"""

_PERIODS = text(f"""
    WITH per AS (
        SELECT date_trunc(:unit, u.day)::date AS period, u.subscription_id, sum(u.traffic_bytes) AS traffic,
               (array_agg(u.disk_bytes ORDER BY u.day DESC))[1] AS disk
          {_SCOPE} GROUP BY 1, 2)
    SELECT period, sum(disk), sum(traffic), count(*) FROM per GROUP BY period ORDER BY period""")


def usage_periods(*, session: Session, seller_id: uuid.UUID, start: date, end: date, granularity: Granularity,
                  subscription_id: uuid.UUID | None = None, customer_id: uuid.UUID | None = None
                  ) -> list[UsagePeriod]:
    """Usage of the seller's subscriptions per day or month between `start` and `end` (inclusive)."""
    _check_period(start, end, LONGEST_DAILY if granularity is Granularity.DAY else LONGEST_MONTHLY)
    rows = session.execute(_PERIODS, {"seller": seller_id, "unit": granularity.value, "start": start, "end": end,
                                      "subscription": subscription_id, "customer": customer_id})
    return [UsagePeriod(period, int(disk), int(traffic), count) for period, disk, traffic, count in rows]


_TRAFFIC = text(f"""
    SELECT s.id, s.domain_name, s.customer_id, sum(u.traffic_bytes),
           (array_agg(u.disk_bytes ORDER BY u.day DESC))[1]
      {_SCOPE} GROUP BY s.id, s.domain_name, s.customer_id
     ORDER BY sum(u.traffic_bytes) DESC, s.domain_name""")


def traffic_report(*, session: Session, seller_id: uuid.UUID, start: date, end: date,
                   customer_id: uuid.UUID | None = None) -> list[TrafficLine]:
    """Traffic per subscription of the seller over the period, the busiest first."""
    _check_period(start, end, LONGEST_MONTHLY)
    rows = session.execute(_TRAFFIC, {"seller": seller_id, "start": start, "end": end, "subscription": None,
                                      "customer": customer_id})
    return [TrafficLine(row[0], row[1], row[2], int(row[3]), int(row[4])) for row in rows]


def as_csv(rows: Sequence[UsagePeriod] | Sequence[TrafficLine], kind: type) -> str:
    """The rows as CSV (RFC 4180, a header line of the field names, sizes in bytes and MB)."""
    names = [f.name for f in fields(kind)]
    sizes = [name for name in names if name.endswith("_bytes")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names + [name.replace("_bytes", "_mb") for name in sizes])
    for row in rows:
        writer.writerow([_cell(getattr(row, name)) for name in names]
                        + [megabytes(getattr(row, name)) for name in sizes])
    return out.getvalue()


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a spreadsheet must not run a cell as a formula
    return value

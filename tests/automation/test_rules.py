"""Scheduling arithmetic: recurrences and the sandbox clock's stops (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.automation.rules import Recurrence, day_steps

moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))


def test_a_daily_event_runs_at_the_next_midnight_of_the_sellers_zone():
    after = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
    assert Recurrence.parse("P1D").next_run(after=after, zone="Europe/Paris") == datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    assert Recurrence.parse("P1D").next_run(after=after) == datetime(2026, 3, 11, 0, 0, tzinfo=UTC)


def test_a_weekly_event_runs_seven_midnights_later():
    after = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
    assert Recurrence.parse("P7D").next_run(after=after) == datetime(2026, 3, 17, tzinfo=UTC)


def test_a_quarterly_event_runs_on_the_first_of_the_month_three_months_on_across_a_year_end():
    after = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert Recurrence.parse("P3M").next_run(after=after) == datetime(2027, 2, 1, tzinfo=UTC)


def test_short_recurrences_count_from_the_last_run():
    after = datetime(2026, 3, 10, 15, 30, 10, tzinfo=UTC)
    assert Recurrence.parse("PT20M").next_run(after=after) == after + timedelta(minutes=20)
    assert Recurrence.parse("PT30S").next_run(after=after) == after + timedelta(seconds=30)


@pytest.mark.parametrize("text", ["", "P", "P1D2M", "PT0S", "daily", "P-1D", "PT1.5H"])
def test_anything_but_a_positive_one_unit_duration_is_refused(text):
    with pytest.raises(ValueError):
        Recurrence.parse(text)


@given(after=moments, text=st.sampled_from(["PT30S", "PT20M", "PT1H", "P1D", "P7D", "P1M", "P3M"]),
       zone=st.sampled_from(["UTC", "Europe/Madrid", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]))
def test_the_next_run_is_always_later(after, text, zone):
    assert Recurrence.parse(text).next_run(after=after, zone=zone) > after


@given(start=moments, length=st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=60)))
def test_the_clock_stops_at_each_midnight_in_order_and_ends_where_asked(start, length):
    end = start + length
    steps = day_steps(start, end)
    assert steps[-1] == end and all(a < b for a, b in zip(steps, steps[1:], strict=False))
    assert all(step.time() == datetime.min.time() for step in steps[:-1])
    assert all(start < step for step in steps)
    assert len(steps) - 1 == (end.date() - start.date()).days - (end.time() == datetime.min.time())

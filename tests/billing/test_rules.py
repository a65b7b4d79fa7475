"""The billing calendar, without a database: anchors, periods, proration, invoice dates, numbering."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from comptoir.billing.numbering_rules import NumberingFormat, Series, counter_for, fiscal_year, format_number
from comptoir.billing.rules import (
    MONTHS,
    BillingMode,
    Cycle,
    LineKind,
    ServiceTerms,
    add_months,
    days_in_month,
    due_periods,
    first_periods,
    invoice_date,
    periods,
    prorated_minor,
    renewal_date,
)

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31))
cycles = st.sampled_from(list(Cycle))


def take(terms: ServiceTerms, n: int) -> list:
    iterator = periods(terms)
    return [next(iterator) for _ in range(n)]


def test_a_sign_up_on_the_31st_renews_on_the_last_day_of_shorter_months_and_comes_back_to_the_31st() -> None:
    renewals = [renewal_date(date(2027, 12, 31), 31, Cycle.MONTHLY, n) for n in range(1, 5)]
    assert renewals == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30)]


def test_a_sign_up_on_feb_29_renews_yearly_on_feb_28_then_29_in_the_next_leap_year() -> None:
    assert [renewal_date(date(2028, 2, 29), 29, Cycle.ANNUAL, n) for n in (1, 4)] == [
        date(2029, 2, 28), date(2032, 2, 29)]


def test_monthly_mode_before_the_threshold_pays_the_rest_of_the_month_only() -> None:
    terms = ServiceTerms(date(2027, 4, 10), Cycle.MONTHLY, 3000, mode=BillingMode.MONTHLY, threshold_day=20)
    # 21 days of 30 (10th to 30th included) of 30.00 = 21.00
    assert first_periods(terms) == [
        type(first_periods(terms)[0])(date(2027, 4, 10), date(2027, 5, 1), LineKind.PRORATION, 2100)]


def test_monthly_mode_on_the_threshold_day_pays_the_rest_of_the_month_and_the_next() -> None:
    terms = ServiceTerms(date(2027, 4, 20), Cycle.MONTHLY, 3000, mode=BillingMode.MONTHLY, threshold_day=20)
    first = first_periods(terms)
    assert [(p.start, p.end, p.kind, p.amount_minor) for p in first] == [
        (date(2027, 4, 20), date(2027, 5, 1), LineKind.PRORATION, 1100),
        (date(2027, 5, 1), date(2027, 6, 1), LineKind.RECURRING, 3000)]


def test_monthly_mode_sign_up_on_the_first_pays_a_full_cycle() -> None:
    terms = ServiceTerms(date(2027, 4, 1), Cycle.QUARTERLY, 9000, mode=BillingMode.MONTHLY)
    assert [(p.start, p.end, p.amount_minor) for p in take(terms, 2)] == [
        (date(2027, 4, 1), date(2027, 7, 1), 9000), (date(2027, 7, 1), date(2027, 10, 1), 9000)]


def test_a_plan_without_proration_follows_anniversary_rules_in_monthly_mode() -> None:
    terms = ServiceTerms(date(2027, 4, 15), Cycle.ANNUAL, 1200, mode=BillingMode.MONTHLY, prorate=False)
    assert [(p.start, p.end) for p in take(terms, 2)] == [
        (date(2027, 4, 15), date(2028, 4, 15)), (date(2028, 4, 15), date(2029, 4, 15))]


def test_proration_rounds_half_up_to_the_minor_unit() -> None:
    # 999 × 1 ÷ 2 = 499.5 → 500 (a quarterly price of 999 on the last day of a 30-day month: 999×1/(30×3))
    assert prorated_minor(999, date(2027, 4, 30), cycle_months=1) == 33  # 33.3
    assert prorated_minor(15, date(2027, 2, 15), cycle_months=1) == 8  # 15 × 14 / 28 = 7.5 → 8


def test_renewal_invoices_are_issued_lead_days_before_the_period_but_never_before_the_start() -> None:
    terms = ServiceTerms(date(2027, 1, 5), Cycle.MONTHLY, 1000)
    first, second = take(terms, 2)
    assert invoice_date(first, lead_days=10, started_on=terms.started_on) == date(2027, 1, 5)
    assert invoice_date(second, lead_days=10, started_on=terms.started_on) == date(2027, 1, 26)
    assert due_periods(terms, today=date(2027, 1, 25), lead_days=10) == [first]
    assert due_periods(terms, today=date(2027, 1, 26), lead_days=10) == [first, second]


def test_numbering_formats() -> None:
    day = date(2026, 3, 15)
    assert format_number(NumberingFormat.SEQ, Series.INVOICE, day, 1000) == "1000"
    assert format_number(NumberingFormat.YEAR_ID, Series.INVOICE, day, 1234) == "2026-1234"
    assert format_number(NumberingFormat.YEAR_SEQ, Series.CREDIT_NOTE, day, 1) == "CN-2026-1"
    assert format_number(NumberingFormat.VATYEAR_SEQ, Series.INVOICE, day, 7, fiscal_start_month=4) == "2025-7"
    assert counter_for(NumberingFormat.YEAR_ID, Series.INVOICE, day).period == ""
    assert counter_for(NumberingFormat.YEAR_SEQ, Series.INVOICE, day).period == "2026"
    assert counter_for(NumberingFormat.VATYEAR_SEQ, Series.INVOICE, date(2026, 4, 1), fiscal_start_month=4) != \
        counter_for(NumberingFormat.VATYEAR_SEQ, Series.INVOICE, date(2026, 3, 31), fiscal_start_month=4)


# ---- laws -------------------------------------------------------------------------------------------

@given(days, cycles, st.sampled_from(list(BillingMode)), st.booleans(), st.integers(2, 28))
def test_periods_tile_time_without_gap_or_overlap(start, cycle, mode, prorate, threshold) -> None:
    terms = ServiceTerms(start, cycle, 1000, mode=mode, prorate=prorate, threshold_day=threshold)
    chain = take(terms, 30)
    assert chain[0].start == start
    assert all(a.end == b.start for a, b in zip(chain, chain[1:]))
    assert all(p.start < p.end for p in chain)


@given(days, cycles)
def test_anniversary_renewals_fall_on_the_anchor_day_or_the_last_day_of_a_shorter_month(start, cycle) -> None:
    terms = ServiceTerms(start, cycle, 1000)
    for period in take(terms, 40)[1:]:
        day = period.start
        assert day.day == min(start.day, days_in_month(day.year, day.month))
        assert (day.year * 12 + day.month - start.year * 12 - start.month) % MONTHS[cycle] == 0


@given(days, cycles, st.integers(2, 28))
def test_monthly_mode_renews_on_the_first_after_its_first_invoice(start, cycle, threshold) -> None:
    terms = ServiceTerms(start, cycle, 1000, mode=BillingMode.MONTHLY, threshold_day=threshold)
    assert all(p.start.day == 1 for p in take(terms, 12)[1:])
    first = first_periods(terms)
    assert len(first) == (2 if start.day >= threshold and start.day != 1 else 1)


@given(st.integers(0, 10**9), days)
def test_proration_is_between_zero_and_the_price_and_a_full_month_costs_the_price(price, day) -> None:
    assert 0 <= prorated_minor(price, day) <= price
    assert prorated_minor(price, day.replace(day=1)) == price


@given(days, st.integers(-60, 60), st.integers(1, 31))
def test_add_months_lands_on_the_anchor_or_the_months_last_day(day, months, anchor) -> None:
    moved = add_months(day, months, anchor_day=anchor)
    assert moved.day == min(anchor, days_in_month(moved.year, moved.month))


@given(days, st.integers(1, 12))
def test_fiscal_year_begins_on_its_start_month(day, start_month) -> None:
    year = fiscal_year(day, start_month)
    assert date(year, start_month, 1) <= day < date(year + 1, start_month, 1)


@given(days, cycles, st.integers(0, 40), st.integers(0, 800))
def test_due_periods_grow_with_today_and_are_a_prefix_of_the_calendar(start, cycle, lead, later) -> None:
    terms = ServiceTerms(start, cycle, 1000)
    today = start + timedelta(days=later)
    now, after = due_periods(terms, today=today, lead_days=lead), due_periods(
        terms, today=today + timedelta(days=31), lead_days=lead)
    assert after[:len(now)] == now and now

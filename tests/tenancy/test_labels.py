"""UI labels shortened to the viewer's "button label length" with an ellipsis (SPEC §1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.tenancy.accounts import ELLIPSIS, shorten_label


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    """Pure functions: no tables to empty after each test."""
    yield


def test_a_label_one_character_too_long_loses_its_last_two_characters_to_the_ellipsis():
    assert shorten_label("Databases", 8) == "Databas…"


def test_a_label_exactly_at_the_limit_is_unchanged():
    assert shorten_label("Domains", 7) == "Domains"


def test_a_limit_of_one_leaves_only_the_ellipsis():
    assert shorten_label("Mail", 1) == ELLIPSIS


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_a_shortened_label_is_exactly_the_limit_long_and_a_prefix_plus_ellipsis(label, limit):
    shown = shorten_label(label, limit)
    if len(label) <= limit:
        assert shown == label
    else:
        assert len(shown) == limit
        assert shown == label[: limit - 1] + ELLIPSIS


@given(st.text())
def test_a_limit_of_zero_means_no_limit(label):
    assert shorten_label(label, 0) == label

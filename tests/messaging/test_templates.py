"""Default e-mail templates: one per shipped language, rendered in a sandbox with whitelisted variables."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comptoir.messaging.templates import DEFAULTS, SHIPPED_LANGUAGES, render


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    """Pure functions: no tables to empty after each test."""
    yield

VARIABLES = {"name": "Ada", "username": "ada", "minutes": 60, "link": "https://panel.example.test/r?token=t"}


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_the_password_reset_template_exists_in_every_shipped_language_and_carries_the_link(language):
    # when
    subject, body = render("password_reset", language, VARIABLES)
    # then
    assert subject
    assert VARIABLES["link"] in body and "ada" in body and "60" in body


def test_an_unshipped_language_falls_back_to_english():
    # when
    subject, _ = render("password_reset", "it", VARIABLES)
    # then
    assert subject == DEFAULTS["password_reset"]["en"].subject


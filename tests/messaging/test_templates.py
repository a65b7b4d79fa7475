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



USAGE = {"domain": "shop.example.com", "resource": "disk", "kind": "limit", "used_mb": 1200,
         "threshold_mb": 1024, "suspended": True, "day": "2026-11-30"}


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_the_overuse_template_exists_in_every_shipped_language_and_says_what_and_how_much(language):
    subject, body = render("usage_overuse", language, USAGE)
    assert "shop.example.com" in subject
    assert "1200" in body and "1024" in body and "2026-11-30" in body
    quiet = render("usage_overuse", language, USAGE | {"suspended": False})[1]
    assert len(quiet) < len(body)  # the suspension sentence is only there when it happened

"""Default e-mail templates: one per shipped language, rendered in a sandbox with whitelisted variables."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comptoir.messaging import sandbox
from comptoir.messaging.templates import (
    DEFAULTS,
    SHIPPED_LANGUAGES,
    load_shipped,
    placeholders,
    render,
    render_email,
    sample_variables,
)


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


SPEC_EMAILS = ("order_confirmation", "welcome", "invoice_issued", "payment_received", "payment_failed",
               "payment_action_required", "overdue_notice", "suspension", "reactivation", "cancellation",
               "card_expiring", "password_reset", "schet_factura", "domain_status", "certificate_status",
               "usage_overuse", "todo_alert")
SHIPPED = load_shipped()


def test_every_automatic_email_of_the_spec_is_shipped():
    assert set(SPEC_EMAILS) <= set(SHIPPED)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_shipped_template_exists_in_every_language_with_the_placeholders_of_the_english_one(name):
    languages = SHIPPED[name]
    assert set(languages) == set(SHIPPED_LANGUAGES), f"{name}: missing {set(SHIPPED_LANGUAGES) - set(languages)}"
    english = languages["en"]
    for language, template in languages.items():
        for part in ("subject", "body", "html"):
            assert placeholders(getattr(template, part)) == placeholders(getattr(english, part)), (
                f"{name} [{language}] {part}: placeholders differ from English")


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_shipped_template_passes_the_sandbox_check_and_renders_its_sample_in_every_language(name):
    for language, template in SHIPPED[name].items():
        for source in (template.subject, template.body, template.html):
            sandbox.check(source, template.allowed, field=name)
        rendered = render_email(template, sample_variables(name), language=language)
        assert rendered.subject and rendered.text.strip() and f'lang="{language}"' in rendered.html

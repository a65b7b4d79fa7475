"""Field checks shared by accounts, resellers and customers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comptoir.errors import DomainError
from comptoir.tenancy.errors import ValidationErrorCode
from comptoir.tenancy.listing import contains_pattern
from comptoir.tenancy.validation import check_country, check_email, check_language, check_username


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    """Pure functions: no tables to empty after each test."""
    yield


@pytest.mark.parametrize(("given", "stored"), [("fr", "FR"), (" de ", "DE"), ("", ""), ("XK", "XK")])
def test_countries_are_iso_3166_codes_stored_upper_case(given, stored):
    assert check_country(given) == stored


@pytest.mark.parametrize("country", ["XX", "ZZ", "EU", "UN", "FRA", "F", "1A"])
def test_codes_that_are_not_iso_3166_countries_are_refused(country):
    with pytest.raises(DomainError) as refused:
        check_country(country)
    assert refused.value.code is ValidationErrorCode.INVALID_COUNTRY


@pytest.mark.parametrize("email", ["a@b.example", " ada@example.test ", "ada+tag@sub.example.test"])
def test_plausible_email_addresses_are_accepted_trimmed(email):
    assert check_email(email) == email.strip()


@pytest.mark.parametrize("email", ["", "ada", "ada@", "@example.test", "a b@example.test", "ada@example",
                                   "a@b@example.test", "x" * 250 + "@e.test"])
def test_malformed_email_addresses_are_refused_naming_the_field(email):
    with pytest.raises(DomainError) as refused:
        check_email(email, field="administrator.email")
    assert (refused.value.code, refused.value.field) == (ValidationErrorCode.INVALID_EMAIL, "administrator.email")


@pytest.mark.parametrize("username", ["", ".ada", "ada lovelace", "x" * 65, "ada/1"])
def test_usernames_outside_the_allowed_characters_are_refused(username):
    with pytest.raises(DomainError) as refused:
        check_username(username)
    assert refused.value.code is ValidationErrorCode.INVALID_USERNAME


@pytest.mark.parametrize("language", ["en", "fr", "de", "es", "ru"])
def test_shipped_languages_are_accepted(language):
    assert check_language(language) == language


@pytest.mark.parametrize("language", ["it", "EN", "", "en_US"])
def test_other_languages_are_refused(language):
    with pytest.raises(DomainError) as refused:
        check_language(language)
    assert refused.value.code is ValidationErrorCode.UNSUPPORTED_LANGUAGE


@pytest.mark.parametrize(("search", "pattern"), [("ada", "%ada%"), (" 50% ", "%50\\%%"), ("a_b", "%a\\_b%"),
                                                 ("c:\\", "%c:\\\\%")])
def test_search_text_becomes_a_contains_pattern_with_wildcards_escaped(search, pattern):
    assert contains_pattern(search) == pattern

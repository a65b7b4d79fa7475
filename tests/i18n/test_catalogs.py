"""The catalogs: every extracted message translated in every shipped language, placeholders intact."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from comptoir.i18n import catalogs
from comptoir.i18n.negotiation import SHIPPED


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    """No database here."""
    yield


EXTRACTED = catalogs.extract(write=False)
MESSAGE_IDS = sorted(str(m.id) for m in EXTRACTED if m.id)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_extraction_finds_the_messages_of_services_and_the_default_texts_of_error_codes():
    assert "Wrong username or password." in MESSAGE_IDS  # a service's message
    assert "Not found" in MESSAGE_IDS  # CommonErrorCode.NOT_FOUND's default text
    assert "Unknown variable(s): %(names)s." in MESSAGE_IDS  # a message with a placeholder


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_is_translated_with_the_same_placeholders(language):
    catalog = catalogs.read_catalog(language)
    translated = {str(m.id): m for m in catalog if m.id}
    missing = [message_id for message_id in MESSAGE_IDS
               if message_id not in translated or not translated[message_id].string
               or "fuzzy" in translated[message_id].flags]
    assert missing == [], f"{language}: run `make i18n` and translate: {missing}"
    differing = [message_id for message_id in MESSAGE_IDS
                 if set(PLACEHOLDER.findall(message_id)) != set(PLACEHOLDER.findall(str(translated[message_id].string)))]
    assert differing == [], f"{language}: placeholders differ in {differing}"


def test_a_translation_is_used_and_its_placeholders_filled():
    assert catalogs.translate("Unknown variable(s): %(names)s.", "fr_CH", {"names": "x, y"}) == (
        "Variable(s) inconnue(s) : x, y.")
    assert catalogs.translate("Wrong username or password.", "de") == "Benutzername oder Passwort falsch."
    assert catalogs.translate("Not in any catalog", "ru") == "Not in any catalog"

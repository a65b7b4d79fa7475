"""Which locale a reader gets: explicit > user preference > Accept-Language > store > seller > English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comptoir.i18n.negotiation import accept_language, resolve_locale


@pytest.fixture(autouse=True)
def clean_tables() -> Iterator[None]:
    """No database here."""
    yield


@pytest.mark.parametrize(("given", "expected"), [
    ({"explicit": "de", "user": "fr", "accept": "es", "store": "ru", "seller": "en"}, "de"),
    ({"user": "fr", "accept": "es", "store": "ru", "seller": "en"}, "fr"),
    ({"accept": "es-MX,fr;q=0.5", "store": "ru", "seller": "en"}, "es_MX"),
    ({"store": "ru", "seller": "fr"}, "ru"),
    ({"seller": "fr_CH"}, "fr_CH"),
    ({}, "en"),
    # an unshipped or unknown choice gives way to the next source
    ({"explicit": "it", "user": "xx-nonsense", "accept": "ja, de;q=0.3", "seller": "fr"}, "de"),
    ({"accept": "*, ru;q=0", "seller": "es"}, "es"),
])
def test_the_first_shipped_locale_in_order_of_precedence_wins(given, expected):
    assert resolve_locale(**given) == expected


def test_accept_language_is_ranked_by_quality_then_order():
    assert accept_language("fr;q=0.4, de , es;q=0.9, ru;q=0, en;q=bad") == ["de", "es", "fr"]

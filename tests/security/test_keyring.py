"""The key ring from the environment: parsing, the development key, production's refusal."""

from __future__ import annotations

import base64

import pytest

from comptoir.security.keyring import EncryptionConfigError, key_ring, parse_keys
from comptoir.settings import get_settings

K1, K2 = base64.b64encode(b"1" * 32).decode(), base64.urlsafe_b64encode(b"\xfb" * 32).decode().rstrip("=")


def test_first_key_is_current_and_others_still_found() -> None:
    ring = parse_keys(f"new:{K1}, old:{K2}")
    assert ring.current.id == "new" and ring.current.key == b"1" * 32
    assert ring.get("old").key == b"\xfb" * 32


@pytest.mark.parametrize("spec", ["", "nocolon", f"bad id:{K1}", "short:" + base64.b64encode(b"x" * 16).decode(),
                                  "notb64:!!!!", f"a:{K1},a:{K2}"])
def test_malformed_rings_are_refused(spec: str) -> None:
    with pytest.raises(EncryptionConfigError):
        parse_keys(spec)


def test_unknown_key_id_is_a_configuration_error() -> None:
    with pytest.raises(EncryptionConfigError, match="gone"):
        parse_keys(f"a:{K1}").get("gone")


def test_without_keys_development_derives_one_and_production_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMPTOIR_ENCRYPTION_KEYS", raising=False)
    get_settings.cache_clear()
    try:
        assert key_ring().current.id == "dev"
        monkeypatch.setenv("COMPTOIR_ENVIRONMENT", "production")
        get_settings.cache_clear()
        with pytest.raises(EncryptionConfigError, match="required in production"):
            key_ring()
    finally:
        get_settings.cache_clear()

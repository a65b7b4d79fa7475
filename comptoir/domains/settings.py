"""Driver settings of registrar accounts and certificate providers: validated by the driver's pydantic
model, secret fields sealed at rest (comptoir.security.secrets) and unsealed only to build a driver."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError

from comptoir.domains.errors import DomainsError, DomainsErrorCode
from comptoir.security import secrets


def validated(model: type[BaseModel], given: Mapping[str, Any], *, previous: Mapping[str, Any] | None = None,
              secret_fields: tuple[str, ...], seller_id: uuid.UUID) -> dict[str, Any]:
    """The settings to store: checked by the model, secret fields sealed. On an edit, a secret left out
    keeps its previous (sealed) value: clients never read secrets back, so they cannot resend them."""
    merged = {**unsealed(previous or {}, secret_fields), **given}
    try:
        parsed = model.model_validate(merged)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DomainsError(DomainsErrorCode.INVALID_SETTINGS, f"{where}: {first['msg']}",
                           field=f"settings.{where}" if where else "settings") from None
    stored = parsed.model_dump(mode="json")
    for name in secret_fields:
        value = getattr(parsed, name, None)
        plain = value.get_secret_value() if isinstance(value, SecretStr) else (value or "")
        stored[name] = secrets.seal(str(plain), seller_id=seller_id) if plain else ""
    return stored


def unsealed(stored: Mapping[str, Any], secret_fields: tuple[str, ...]) -> dict[str, Any]:
    """The settings with their secrets in clear, to build a driver (never to show)."""
    values = dict(stored)
    for name in secret_fields:
        if values.get(name):
            values[name] = secrets.unseal(values[name])
    return values


def public(stored: Mapping[str, Any], secret_fields: tuple[str, ...]) -> dict[str, Any]:
    """The settings as staff may read them: secrets replaced by whether they are set."""
    return {key: (bool(value) if key in secret_fields else value) for key, value in stored.items()}


def check_name(name: str) -> str:
    """An account's name as staff see it: 1 to 255 characters, trimmed."""
    name = name.strip()
    if not 1 <= len(name) <= 255:
        raise DomainsError(DomainsErrorCode.INVALID_SETTINGS, "A name has 1 to 255 characters.", field="name")
    return name

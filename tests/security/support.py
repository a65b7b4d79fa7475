"""Key rings for tests: switch COMPTOIR_ENCRYPTION_KEYS, forgetting whatever the process held."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator

import pytest

from comptoir.security import secrets
from comptoir.settings import get_settings


def new_key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


@pytest.fixture
def use_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """`use_keys("b:…", "a:…")`: the ring from now on (first current); memory of keys dropped."""

    def switch(*entries: str) -> None:
        monkeypatch.setenv("COMPTOIR_ENCRYPTION_KEYS", ",".join(entries))
        get_settings.cache_clear()
        secrets.forget_keys()

    yield switch
    monkeypatch.delenv("COMPTOIR_ENCRYPTION_KEYS", raising=False)
    get_settings.cache_clear()
    secrets.forget_keys()

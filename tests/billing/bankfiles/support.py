"""Reading fixed-width records the way the specs number them (1-based start, length)."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.billing.bankfiles.model import BankFileError


def zone(record: str, start: int, length: int) -> str:
    return record[start - 1:start - 1 + length]


def raises(code: Any, field: str | None = None) -> Any:
    """`with raises(CODE, "debits[0].iban"):` — a BankFileError with that code (and field, if given)."""

    class _Check:
        def __enter__(self) -> None:
            self._context = pytest.raises(BankFileError)
            self.info = self._context.__enter__()

        def __exit__(self, *exc: Any) -> bool:
            handled = self._context.__exit__(*exc)
            assert self.info.value.code is code, self.info.value
            if field is not None:
                assert self.info.value.field == field, self.info.value.field
            return bool(handled)

    return _Check()

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comptoir.payments.drivers.sandbox_card import PROCESSOR


@pytest.fixture(autouse=True)
def sandbox_processor() -> Iterator[None]:
    """Each test starts with a processor that remembers no charge."""
    PROCESSOR.reset()
    yield
    PROCESSOR.reset()

"""docs/operations.md lists every setting of comptoir.settings.Settings, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from comptoir.settings import Settings

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_the_settings_table_lists_every_setting():
    rows = set(re.findall(r"^\| `(COMPTOIR_[A-Z0-9_]+)` \|", GUIDE.read_text(encoding="utf-8"), re.MULTILINE))
    fields = {f"COMPTOIR_{name.upper()}" for name in Settings.model_fields}
    assert fields - rows == set(), "settings missing from docs/operations.md"
    assert rows - fields == set(), "docs/operations.md lists settings that do not exist"

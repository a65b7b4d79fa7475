"""How a seller's documents look: colours, font, texts, where the address block sits, stationery.

A `Layout` is a frozen value: it is copied into each render request at issue time, so a later change
of the seller's settings reaches only documents issued afterwards.
"""

from __future__ import annotations

import base64
import enum
import json
import re
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

# Fonts bundled with the renderer (comptoir/documents/fonts); nothing is fetched.
FONTS = ("DejaVu Sans", "DejaVu Serif")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_TEXT = 1000
MAX_OFFSET_MM = Decimal("250")


class AddressPosition(enum.Enum):
    """DIN 5008 window positions for a DL/C6 envelope, or the seller's own offsets."""

    DIN_5008_A = "din_5008_a"  # address field starts 27 mm from the top (short letterhead)
    DIN_5008_B = "din_5008_b"  # 45 mm from the top (tall letterhead)
    CUSTOM = "custom"


# (top, left) of the address block in mm from the page's top-left corner.
DIN_OFFSETS = {
    AddressPosition.DIN_5008_A: (Decimal("27"), Decimal("20")),
    AddressPosition.DIN_5008_B: (Decimal("45"), Decimal("20")),
}


@dataclass(frozen=True)
class Layout:
    primary_colour: str = "#1f3a5f"
    accent_colour: str = "#e8eef5"
    font: str = "DejaVu Sans"
    header_text: str = ""
    footer_text: str = ""
    address_position: AddressPosition = AddressPosition.DIN_5008_B
    address_top_mm: Decimal = Decimal("45")
    address_left_mm: Decimal = Decimal("20")
    logo: bytes | None = None  # PNG, JPEG or GIF (the seller's branding logo)
    logo_content_type: str = ""
    stationery: bytes | None = None  # a one-page PDF printed under every page

    @property
    def address_offsets(self) -> tuple[Decimal, Decimal]:
        return DIN_OFFSETS.get(self.address_position, (self.address_top_mm, self.address_left_mm))

    def to_json(self) -> str:
        """The layout without its binaries (those travel in their own columns)."""
        data: dict[str, Any] = asdict(replace(self, logo=None, stationery=None))
        data["address_position"] = self.address_position.value
        data["address_top_mm"] = str(self.address_top_mm)
        data["address_left_mm"] = str(self.address_left_mm)
        del data["logo"], data["stationery"]
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, *, logo: bytes | None = None, stationery: bytes | None = None) -> Layout:
        data = json.loads(text)
        return cls(**{**data, "address_position": AddressPosition(data["address_position"]),
                      "address_top_mm": Decimal(data["address_top_mm"]),
                      "address_left_mm": Decimal(data["address_left_mm"]),
                      "logo": logo, "stationery": stationery})

    def logo_data_url(self) -> str:
        if not self.logo:
            return ""
        return f"data:{self.logo_content_type};base64,{base64.b64encode(self.logo).decode()}"

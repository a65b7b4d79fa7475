"""Uploaded images (logos, button backgrounds) judged by their bytes alone: GIF, JPEG or PNG (SPEC §1).

A file name or a declared content type proves nothing, so neither is ever read: the format comes from
the magic bytes and the size from the format's own header, and the whole structure is walked to the
end marker, so a truncated file or one with bytes appended (a polyglot) is refused as corrupt.
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
import struct
import zlib
from dataclasses import dataclass

from comptoir.errors import DomainError, ErrorCode


class ImageErrorCode(ErrorCode):
    INVALID_BASE64 = "invalid_base64"
    UNSUPPORTED_IMAGE_TYPE = "unsupported_image_type"
    IMAGE_TOO_LARGE = "image_too_large"
    CORRUPT_IMAGE = "corrupt_image"


class ImageFormat(enum.Enum):
    GIF = "image/gif"
    JPEG = "image/jpeg"
    PNG = "image/png"


@dataclass(frozen=True)
class Image:
    format: ImageFormat
    width: int
    height: int
    data: bytes

    @property
    def content_type(self) -> str:
        return self.format.value

    @property
    def byte_size(self) -> int:
        return len(self.data)

    def data_url(self) -> str:
        return f"data:{self.content_type};base64,{base64.b64encode(self.data).decode('ascii')}"


class _Corrupt(Exception):
    """The bytes start like a supported format but do not follow it."""


# An optional data-URL prefix is accepted for convenience; its declared type is discarded unread.
_DATA_URL_PREFIX = re.compile(r"^data:[^,]*;base64,", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def decode_base64(text: str, *, max_bytes: int, field: str) -> bytes:
    """The bytes of a base64 upload; refuses non-base64 text, and oversized input before decoding it."""
    compact = _WHITESPACE.sub("", _DATA_URL_PREFIX.sub("", text.strip(), count=1))
    if len(compact) > 4 * (max_bytes // 3 + 1):
        raise _too_large(max_bytes, field)
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(ImageErrorCode.INVALID_BASE64, "The upload is not valid base64.",
                          field=field) from None


def read_image(data: bytes, *, max_bytes: int, field: str) -> Image:
    """The image in `data` with its format and pixel size, or a typed error (type, size, corruption)."""
    if len(data) > max_bytes:
        raise _too_large(max_bytes, field)
    image_format = sniff(data)
    if image_format is None:
        raise DomainError(ImageErrorCode.UNSUPPORTED_IMAGE_TYPE,
                          "Upload a GIF, JPEG or PNG image (judged by its content, not its name).",
                          field=field)
    try:
        width, height = _READERS[image_format](data)
    except (_Corrupt, struct.error, IndexError, ValueError):  # ValueError: no marker left
        raise DomainError(ImageErrorCode.CORRUPT_IMAGE,
                          f"This {image_format.name} file is damaged or incomplete.", field=field) from None
    return Image(image_format, width, height, data)


def sniff(data: bytes) -> ImageFormat | None:
    """The format the magic bytes announce, if it is one we accept."""
    if data.startswith(PNG_SIGNATURE):
        return ImageFormat.PNG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return ImageFormat.GIF
    if data.startswith(b"\xff\xd8\xff"):
        return ImageFormat.JPEG
    return None


def _too_large(max_bytes: int, field: str) -> DomainError:
    return DomainError(ImageErrorCode.IMAGE_TOO_LARGE, f"The image may be at most {max_bytes // 1024} KB.",
                       field=field)


def _require(condition: bool) -> None:
    if not condition:
        raise _Corrupt


# --- PNG: signature, IHDR first, every chunk's CRC, at least one IDAT, IEND last ---------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_BIT_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
_MAX_DIMENSION = 2**31 - 1


def _png_size(data: bytes) -> tuple[int, int]:
    position, size, seen_idat = len(PNG_SIGNATURE), None, False
    while True:
        _require(position + 12 <= len(data))
        length, kind = struct.unpack_from(">I4s", data, position)
        end = position + 8 + length
        _require(length <= _MAX_DIMENSION and end + 4 <= len(data) and kind.isalpha())
        body = data[position + 8 : end]
        _require(zlib.crc32(kind + body) == struct.unpack_from(">I", data, end)[0])
        if size is None:
            _require(kind == b"IHDR")
            size = _png_header(body)
        elif kind == b"IDAT":
            seen_idat = True
        elif kind == b"IEND":
            _require(seen_idat and length == 0 and end + 4 == len(data))
            return size
        else:
            _require(kind != b"IHDR")
        position = end + 4


def _png_header(body: bytes) -> tuple[int, int]:
    _require(len(body) == 13)
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", body)
    _require(0 < width <= _MAX_DIMENSION and 0 < height <= _MAX_DIMENSION)
    _require(depth in _PNG_BIT_DEPTHS.get(colour, set()) and compression == 0 and filtering == 0
             and interlace in (0, 1))
    return width, height


# --- GIF: header, logical screen, then extension and image blocks up to the trailer --------------------

def _gif_size(data: bytes) -> tuple[int, int]:
    width, height, flags = struct.unpack_from("<HHB", data, 6)
    _require(width > 0 and height > 0)
    position = 13 + _colour_table_size(flags)
    images = 0
    while True:
        _require(position < len(data))
        introducer = data[position]
        if introducer == 0x3B:  # trailer
            _require(images > 0 and position + 1 == len(data))
            return width, height
        if introducer == 0x21:  # extension: label, then data sub-blocks
            position = _skip_sub_blocks(data, position + 2)
        elif introducer == 0x2C:  # image descriptor, local colour table, LZW code size, data sub-blocks
            _require(position + 10 < len(data))
            position += 10 + _colour_table_size(data[position + 9])
            _require(position < len(data) and 2 <= data[position] <= 8)
            position = _skip_sub_blocks(data, position + 1)
            images += 1
        else:
            raise _Corrupt


def _colour_table_size(flags: int) -> int:
    return 3 * 2 ** ((flags & 0x07) + 1) if flags & 0x80 else 0


def _skip_sub_blocks(data: bytes, position: int) -> int:
    while True:
        _require(position < len(data))
        size = data[position]
        position += 1 + size
        if size == 0:
            return position


# --- JPEG: marker segments; a frame header (SOFn) before the first scan; EOI last -----------------------

_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_STANDALONE_MARKERS = {0x01, *range(0xD0, 0xD8)}  # TEM and RST0-7 carry no length


def _jpeg_size(data: bytes) -> tuple[int, int]:
    position, size = 2, None
    while True:
        _require(position + 1 < len(data) and data[position] == 0xFF)
        while data[position] == 0xFF:  # fill bytes may precede a marker
            position += 1
            _require(position < len(data))
        marker = data[position]
        position += 1
        if marker == 0xD9:  # EOI
            if size is None or position != len(data):
                raise _Corrupt
            return size
        if marker in _STANDALONE_MARKERS:
            continue
        _require(marker not in (0x00, 0xD8))
        (length,) = struct.unpack_from(">H", data, position)
        _require(length >= 2 and position + length <= len(data))
        if marker in _SOF_MARKERS:
            _require(size is None)
            size = _jpeg_frame(data[position + 2 : position + length])
        position += length
        if marker == 0xDA:  # start of scan: entropy-coded data follows until the next real marker
            _require(size is not None)
            position = _skip_entropy_coded(data, position)


def _jpeg_frame(body: bytes) -> tuple[int, int]:
    _, height, width, components = struct.unpack_from(">BHHB", body)
    _require(height > 0 and width > 0 and components > 0 and len(body) == 6 + 3 * components)
    return width, height


def _skip_entropy_coded(data: bytes, position: int) -> int:
    while True:
        position = data.index(b"\xff", position)
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte or restart marker
            position += 2
        elif following == 0xFF:
            position += 1
        else:
            return position


_READERS = {ImageFormat.PNG: _png_size, ImageFormat.GIF: _gif_size, ImageFormat.JPEG: _jpeg_size}

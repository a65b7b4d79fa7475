"""Real, decodable GIF, JPEG and PNG files of any pixel size, built in a few lines (no imaging library)."""

from __future__ import annotations

import struct
import zlib


def png(width: int, height: int, *, size: int | None = None) -> bytes:
    """A grey PNG; `size` pads it with a text chunk to exactly that many bytes."""
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    chunks = [_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)),
              _chunk(b"IDAT", zlib.compress(rows, 9))]
    if size is not None:
        missing = size - (8 + sum(map(len, chunks)) + 12 + 12)
        assert missing >= 8, "too small to pad"
        chunks.append(_chunk(b"tEXt", b"Comment\x00" + b"x" * (missing - 8)))
    data = b"\x89PNG\r\n\x1a\n" + b"".join(chunks) + _chunk(b"IEND", b"")
    assert size is None or len(data) == size
    return data


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def gif(width: int, height: int) -> bytes:
    """A one-colour GIF89a; LZW codes stay 3 bits wide because a clear code follows every two pixels."""
    codes: list[int] = []
    pixels = width * height
    for start in range(0, pixels, 2):
        codes += [4] + [0] * min(2, pixels - start)
    codes.append(5)
    packed, bits = 0, 0
    for index, code in enumerate(codes):
        packed |= code << (3 * index)
        bits += 3
    stream = packed.to_bytes((bits + 7) // 8, "little")
    blocks = b"".join(bytes([len(part)]) + part for part in (stream[i:i + 255] for i in range(0, len(stream), 255)))
    return (b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x80\x80\x80\xff\xff\xff"
            + b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02" + blocks + b"\x00\x3b")


# Standard luminance Huffman tables (ITU T.81 annex K): code counts per length, then symbols.
_DC_TABLE = bytes([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, *range(12)])
_AC_COUNTS = bytes([0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D])
_AC_SYMBOLS = bytes.fromhex(
    "01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738"
    "393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5"
    "a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa")


def jpeg(width: int, height: int) -> bytes:
    """A mid-grey baseline greyscale JPEG: every 8×8 block is DC difference 0 (code 00) then end-of-block (1010)."""
    blocks = -(-width // 8) * -(-height // 8)
    bits = "001010" * blocks
    bits += "1" * (-len(bits) % 8)
    scan = int(bits, 2).to_bytes(len(bits) // 8, "big").replace(b"\xff", b"\xff\x00")
    return (b"\xff\xd8" + _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
            + _segment(0xDB, b"\x00" + b"\x01" * 64)
            + _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
            + _segment(0xC4, b"\x00" + _DC_TABLE) + _segment(0xC4, b"\x10" + _AC_COUNTS + _AC_SYMBOLS)
            + _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + scan + b"\xff\xd9")


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

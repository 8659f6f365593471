"""Images made in the test, for the cases no photo in shared/testdata covers."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def jpeg(width: int = 200, height: int = 200, color: str = "gray") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


def png(width: int = 200, height: int = 200) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    whole = jpeg(400, 400, "navy")
    return whole[: len(whole) // 2]


def pixel_bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A tiny PNG that declares width x height pixels (400 MP by default)."""
    raw = b"".join(b"\x00" + b"\x00" * (width // 8) for _ in range(height))
    compressed = zlib.compress(raw, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", compressed)
        + chunk(b"IEND", b"")
    )

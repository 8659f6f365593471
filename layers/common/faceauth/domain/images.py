"""Checks an uploaded image before anything is stored or sent to a face engine."""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from faceauth.domain.model import ValidatedImage
from faceauth.errors import ImageTooLarge, InvalidBase64, InvalidImage

_MAGIC = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_bytes: int
    max_pixels: int
    min_side: int


def decode_base64_image(encoded: str, limits: ImageLimits) -> bytes:
    """Decode a base64 image strictly. Raises ImageTooLarge before decoding an oversized
    payload, InvalidBase64 when the text is not base64."""
    if len(encoded) > (limits.max_bytes * 4) // 3 + 4:
        raise ImageTooLarge(f"The image must be at most {limits.max_bytes} bytes.")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidBase64 from exc


def validate_image(content: bytes, limits: ImageLimits) -> ValidatedImage:
    """Accept a complete JPEG or PNG within the byte, pixel and side limits.

    Raises ImageTooLarge or InvalidImage.
    """
    if len(content) > limits.max_bytes:
        raise ImageTooLarge(f"The image must be at most {limits.max_bytes} bytes.")
    declared = next((fmt for magic, fmt in _MAGIC.items() if content.startswith(magic)), None)
    if declared is None:
        raise InvalidImage("The image must be a JPEG or PNG.")
    try:
        with warnings.catch_warnings():
            # Pillow only warns about decompression bombs below 2x its own cap.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[declared]) as img:
                width, height = img.size
                if width * height > limits.max_pixels:
                    raise InvalidImage(f"The image has more than {limits.max_pixels} pixels.")
                # verify() passes a truncated JPEG; a full decode does not.
                img.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise InvalidImage(f"The image has more than {limits.max_pixels} pixels.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidImage("The image is damaged or truncated.") from exc
    if min(width, height) < limits.min_side:
        raise InvalidImage(f"The image must be at least {limits.min_side} pixels on each side.")
    return ValidatedImage(content=content, format=declared, width=width, height=height)

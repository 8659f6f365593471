"""Checks an uploaded image before anything is stored or sent to a face engine."""

from __future__ import annotations

import base64
import binascii
import io
import re
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
    """Decode an image sent as standard base64, as the two forms real clients produce it:
    with or without line breaks or other whitespace (what `base64` without -w0 and many
    libraries give), and with or without a ``data:image/jpeg;base64,`` or
    ``data:image/png;base64,`` prefix (what a browser canvas gives).

    Raises ImageTooLarge before decoding an oversized payload, InvalidBase64 saying what
    was found otherwise (base64url alphabet, missing padding, a data URL of another type).
    """
    text = _without_data_url_prefix(encoded)
    # Whitespace adds about 1/76; anything longer than that cannot decode within the limit.
    if len(text) > ((limits.max_bytes * 4) // 3 + 4) * 78 // 76:
        raise ImageTooLarge(f"The image must be at most {limits.max_bytes} bytes.")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        pass
    compact = "".join(text.split())
    try:
        decoded = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidBase64(_what_is_wrong(compact)) from exc
    return decoded


_DATA_URL = re.compile(r"data:([^,;]{0,100})((?:;[^,;]{0,100}){0,4}),", re.IGNORECASE)
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,60}/[a-z0-9][a-z0-9.+-]{0,60}")
_IMAGE_MEDIA_TYPES = ("image/jpeg", "image/png")
_STANDARD = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def _without_data_url_prefix(encoded: str) -> str:
    if encoded[:5].lower() != "data:":
        return encoded
    prefix = _DATA_URL.match(encoded, 0, 512)
    if prefix is None:
        raise InvalidBase64(
            "The image is a data URL without a comma before its data; "
            "send data:image/jpeg;base64,<base64> or plain base64."
        )
    media_type = prefix.group(1).strip().lower()
    if media_type not in _IMAGE_MEDIA_TYPES:
        found = repr(media_type) if _MEDIA_TYPE.fullmatch(media_type) else "an unknown type"
        raise InvalidBase64(
            f"The image is a data URL of {found}; only image/jpeg and image/png are accepted."
        )
    if ";base64" not in prefix.group(2).lower():
        raise InvalidBase64("The data URL is not base64-encoded: it lacks ';base64'.")
    return encoded[prefix.end() :]


def _what_is_wrong(compact: str) -> str:
    """Why text that is not standard base64 fails, in words a developer can act on."""
    if _URL_SAFE.fullmatch(compact) and not _STANDARD.fullmatch(compact):
        return (
            "The image is base64url (it uses - and _); send standard base64 (+ and /), "
            "e.g. base64.b64encode in Python or btoa in JavaScript."
        )
    if _STANDARD.fullmatch(compact) and len(compact) % 4:
        return "The image's base64 is missing its '=' padding (or is cut short)."
    return "The image is not valid base64: it holds characters outside A-Z, a-z, 0-9, + and /."


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

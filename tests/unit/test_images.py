"""Image checks before anything is stored: format by magic bytes, completeness, size."""

from __future__ import annotations

import pytest

from faceauth.domain.images import ImageLimits, decode_base64_image, validate_image
from faceauth.errors import ImageTooLarge, InvalidBase64, InvalidImage
from tests.images import jpeg, pixel_bomb_png, png, truncated_jpeg

LIMITS = ImageLimits(max_bytes=4 * 1024 * 1024, max_pixels=25_000_000, min_side=80)


def test_a_complete_jpeg_is_accepted_with_its_format_and_size() -> None:
    checked = validate_image(jpeg(640, 480), LIMITS)
    assert (checked.format, checked.width, checked.height) == ("JPEG", 640, 480)
    assert (checked.content_type, checked.extension) == ("image/jpeg", "jpg")


def test_a_png_is_accepted() -> None:
    assert validate_image(png(), LIMITS).extension == "png"


def test_a_truncated_jpeg_is_rejected() -> None:
    with pytest.raises(InvalidImage, match="damaged or truncated"):
        validate_image(truncated_jpeg(), LIMITS)


def test_a_png_declaring_400_megapixels_is_rejected_without_decoding() -> None:
    bomb = pixel_bomb_png()
    assert len(bomb) < 64 * 1024
    with pytest.raises(InvalidImage, match="pixels"):
        validate_image(bomb, LIMITS)


def test_pillow_bomb_warning_below_its_own_limit_is_an_error() -> None:
    # 12 MP is under Pillow's warning threshold x2 but over this cap: the cap decides.
    with pytest.raises(InvalidImage, match="pixels"):
        validate_image(pixel_bomb_png(4000, 3000), ImageLimits(4 * 1024 * 1024, 10_000_000, 80))


def test_an_image_under_the_minimum_side_is_rejected() -> None:
    with pytest.raises(InvalidImage, match="80 pixels"):
        validate_image(jpeg(300, 79), LIMITS)


def test_bytes_over_the_limit_are_too_large() -> None:
    with pytest.raises(ImageTooLarge):
        validate_image(jpeg(), ImageLimits(max_bytes=1024, max_pixels=25_000_000, min_side=80))


def test_magic_bytes_decide_the_format_not_the_content() -> None:
    with pytest.raises(InvalidImage, match="JPEG or PNG"):
        validate_image(b"GIF89a" + jpeg(), LIMITS)


def test_base64_is_decoded_strictly() -> None:
    with pytest.raises(InvalidBase64):
        decode_base64_image("aGVsbG8=\n!!", LIMITS)
    assert decode_base64_image("aGVsbG8=", LIMITS) == b"hello"


def test_oversized_base64_is_refused_before_decoding() -> None:
    with pytest.raises(ImageTooLarge):
        decode_base64_image("A" * 16, ImageLimits(max_bytes=4, max_pixels=1, min_side=1))

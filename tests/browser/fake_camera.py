"""Fake camera videos for Chromium: a face photo framed like a selfie, written as a .y4m file.

Chromium's `--use-file-for-fake-video-capture` plays a YUV4MPEG2 file in a loop as the camera.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

WIDTH, HEIGHT = 640, 480


def selfie_frame(photo: Path) -> Image.Image:
    """Crop the photo to 4:3 around its face (face about 45% of the height), at 640x480."""
    image = Image.open(photo).convert("RGB")
    face = _face_box(image)
    if face is None:  # no face found: a centred 4:3 crop
        side = min(image.width * 3 / 4, image.height)
        cx, cy, height = image.width / 2, image.height / 2, side
    else:
        left, top, right, bottom = face
        cx, cy = (left + right) / 2, (top + bottom) / 2
        height = (bottom - top) / 0.45
    width = height * WIDTH / HEIGHT
    box = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
    # Pixels outside the photo become mid-grey rather than failing the crop.
    framed = Image.new("RGB", (round(width), round(height)), (128, 128, 128))
    framed.paste(image, (round(-box[0]), round(-box[1])))
    return framed.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)


def write_y4m(frame: Image.Image, target: Path, frames: int = 8, fps: int = 15) -> Path:
    """Write `frames` copies of a 640x480 RGB frame as 4:2:0 YUV4MPEG2."""
    ycbcr = frame.convert("YCbCr")
    y, cb, cr = ycbcr.split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = (
        y.tobytes()
        + cb.resize(half, Image.Resampling.BOX).tobytes()
        + cr.resize(half, Image.Resampling.BOX).tobytes()
    )
    with target.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(planes)
    return target


def _face_box(image: Image.Image) -> tuple[float, float, float, float] | None:
    import dlib  # noqa: PLC0415 - the local face engine's dependency; only needed here

    scale = min(1.0, 800 / max(image.size))
    small = image.resize((round(image.width * scale), round(image.height * scale)))
    faces = dlib.get_frontal_face_detector()(np.asarray(small), 1)
    if not faces:
        return None
    face = max(faces, key=lambda r: r.area())
    return (
        face.left() / scale,
        face.top() / scale,
        face.right() / scale,
        face.bottom() / scale,
    )

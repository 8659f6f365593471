"""An offline face engine on dlib, for local runs and self-hosting.

Pipeline: Pillow decodes the image (EXIF orientation applied, RGB, longest side at most
``max_side`` pixels so the cost per image is bounded), dlib's HOG frontal face detector
finds faces, the 5-point shape predictor aligns the face and dlib's ResNet model (both
shipped by the ``face_recognition_models`` package, nothing is downloaded) turns it into
a 128-d embedding. Two faces are the same person when the embeddings are close: dlib's
customary decision boundary is a Euclidean distance of 0.6.

Calibration to the 0-100 scale every engine shares. A logistic curve, strictly decreasing
in the distance d::

    similarity(d) = 100 / (1 + exp(k * (d - d0)))

pinned by two anchors: similarity(0.6) = 90, so the default pass threshold 90 means
dlib's boundary d = 0.6, and similarity(0.5) = 99, dlib's stricter boundary for the
strictest threshold operators use with Rekognition. That gives
k = ln(11) / 0.1 ~= 23.98 and d0 = 0.6 + ln(9) / k ~= 0.692 (similarity 50). The scale
then resembles Rekognition's: the same person typically scores above 99, different
people below 10. Thresholds 80 / 95 / 99 correspond to d = 0.634 / 0.569 / 0.5.

The models load once per process, on first use, under a lock; one lock also serialises
inference because dlib's network reuses its buffers between calls. The reference's
embedding is cached per reference key (keys are unique per enrolment, so an entry never
goes stale), so a verification computes one embedding, not two.
"""

from __future__ import annotations

import io
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from faceauth.domain.deadline import Deadline
from faceauth.domain.ports import ImageStore
from faceauth.errors import FaceTooSmall, InvalidImage, MultipleFaces, NoFaceDetected

Embedding = npt.NDArray[np.float64]
Pixels = npt.NDArray[np.uint8]

SAME_PERSON_DISTANCE = 0.6  # dlib's customary same-person boundary
SAME_PERSON_SIMILARITY = 90.0  # ... maps to the default pass threshold
STRICT_DISTANCE = 0.5
STRICT_SIMILARITY = 99.0
_SLOPE = (math.log(100 / SAME_PERSON_SIMILARITY - 1) - math.log(100 / STRICT_SIMILARITY - 1)) / (
    SAME_PERSON_DISTANCE - STRICT_DISTANCE
)
_MIDPOINT = SAME_PERSON_DISTANCE - math.log(100 / SAME_PERSON_SIMILARITY - 1) / _SLOPE
_MAX_EXPONENT = 700.0  # exp() overflows a float above ~709


def similarity_from_distance(distance: float) -> float:
    """Map an embedding distance (>= 0) to the shared 0-100 similarity scale.

    Strictly decreasing; similarity_from_distance(0.6) == 90. Raises ValueError for a
    negative or NaN distance.
    """
    if not distance >= 0:
        raise ValueError("an embedding distance is a non-negative number")
    exponent = min(_MAX_EXPONENT, _SLOPE * (distance - _MIDPOINT))
    return 100.0 / (1.0 + math.exp(exponent))


def distance_from_similarity(similarity: float) -> float:
    """The embedding distance a similarity (or a pass threshold) stands for; the inverse of
    similarity_from_distance. Raises ValueError outside 0 < similarity < 100."""
    if not 0.0 < similarity < 100.0:
        raise ValueError("a similarity strictly between 0 and 100 has a finite distance")
    return max(0.0, _MIDPOINT + math.log(100.0 / similarity - 1.0) / _SLOPE)


class LocalModelsMissing(RuntimeError):
    """dlib or the face_recognition_models files are not installed."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The local face engine cannot start: {detail}. It needs dlib-bin and "
            "face-recognition-models (requirements/local.txt): run `make setup`."
        )


@dataclass(frozen=True, slots=True)
class _Models:
    detector: Any
    predictor: Any
    encoder: Any
    # dlib's ResNet keeps per-call buffers: one inference at a time per process.
    lock: threading.Lock


_models: _Models | None = None
_models_lock = threading.Lock()


def _model_files() -> tuple[Path, Path]:
    try:
        import face_recognition_models  # noqa: PLC0415  (only the local engine needs it)
    except ImportError as exc:
        raise LocalModelsMissing("face_recognition_models is not installed") from exc
    predictor = Path(face_recognition_models.pose_predictor_five_point_model_location())
    encoder = Path(face_recognition_models.face_recognition_model_location())
    for path in (predictor, encoder):
        if not path.is_file():
            raise LocalModelsMissing(f"the model file {path.name} is missing")
    return predictor, encoder


def _loaded_models() -> _Models:
    global _models  # noqa: PLW0603  (one set of models per process, loaded on first use)
    if _models is None:
        with _models_lock:
            if _models is None:
                predictor_path, encoder_path = _model_files()
                try:
                    import dlib  # noqa: PLC0415  (heavy: kept out of the Lambda path)
                except ImportError as exc:
                    raise LocalModelsMissing("dlib is not installed") from exc
                _models = _Models(
                    detector=dlib.get_frontal_face_detector(),
                    predictor=dlib.shape_predictor(str(predictor_path)),
                    encoder=dlib.face_recognition_model_v1(str(encoder_path)),
                    lock=threading.Lock(),
                )
    return _models


class _EmbeddingCache:
    """A small thread-safe LRU of reference embeddings."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[str, Embedding] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Embedding | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: str, embedding: Embedding) -> None:
        with self._lock:
            self._entries[key] = embedding
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


class LocalFaceEngine:
    """Implements the FaceEngine port offline with dlib's detector and ResNet embeddings."""

    name = "local"

    def __init__(
        self,
        images: ImageStore,
        *,
        min_face_px: int = 60,
        upsample: int = 1,
        max_side: int = 1024,
        num_jitters: int = 1,
        cache_size: int = 1024,
    ) -> None:
        """Raises LocalModelsMissing when the model files are not installed (checked now,
        so a misconfigured local stack fails at start; the models themselves load lazily)."""
        _model_files()
        self._images = images
        self._min_face_px = min_face_px
        self._upsample = upsample
        self._max_side = max_side
        self._num_jitters = num_jitters
        self._references = _EmbeddingCache(cache_size)

    def preload(self) -> None:
        """Load the models now instead of on the first request. Raises LocalModelsMissing."""
        _loaded_models()

    def check_single_face(self, image: bytes, deadline: Deadline) -> None:
        """Accept an image with exactly one face at least ``min_face_px`` wide and high.

        Raises NoFaceDetected, MultipleFaces, FaceTooSmall, InvalidImage.
        """
        pixels = self._decode(image)
        models = _loaded_models()
        with models.lock:
            self._single_face(models, pixels)

    def compare(
        self, reference_key: str, capture_key: str, capture: bytes | None, deadline: Deadline
    ) -> float:
        """Similarity (0-100) of the capture's single face to the reference's face.

        The capture comes as bytes (read from capture_key when None); the reference
        embedding from the cache or, on a miss, from the image store. Raises NoFaceDetected,
        MultipleFaces, FaceTooSmall, InvalidImage, DependencyUnavailable (image store).
        """
        if capture is None:
            capture = self._images.get(capture_key, deadline)
        pixels = self._decode(capture)
        models = _loaded_models()
        with models.lock:
            face = self._single_face(models, pixels)
            probe = self._embed(models, pixels, face)
        reference = self._reference_embedding(reference_key, deadline)
        return similarity_from_distance(float(np.linalg.norm(probe - reference)))

    # -- internals -----------------------------------------------------------------------

    def _reference_embedding(self, reference_key: str, deadline: Deadline) -> Embedding:
        cached = self._references.get(reference_key)
        if cached is not None:
            return cached
        pixels = self._decode(self._images.get(reference_key, deadline))
        models = _loaded_models()
        with models.lock:
            faces = self._detect(models, pixels)
            if not faces:
                raise NoFaceDetected("No face was found in the reference image; register again.")
            # The registration gate allowed one face; take the largest should that differ.
            embedding = self._embed(models, pixels, max(faces, key=lambda face: face.area()))
        self._references.put(reference_key, embedding)
        return embedding

    def _decode(self, image: bytes) -> Pixels:
        try:
            with Image.open(io.BytesIO(image)) as opened:
                # JPEG only: decode at a reduced DCT scale (1/2, 1/4, 1/8), far cheaper
                # than full size; draft never goes below the size asked for.
                ratio = min(1.0, self._max_side / max(opened.size))
                opened.draft(
                    "RGB", (math.ceil(opened.width * ratio), math.ceil(opened.height * ratio))
                )
                upright = ImageOps.exif_transpose(opened).convert("RGB")
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
            raise InvalidImage("The image is damaged or not a JPEG or PNG.") from exc
        scale = self._max_side / max(upright.size)
        if scale < 1:
            size = (max(1, round(upright.width * scale)), max(1, round(upright.height * scale)))
            upright = upright.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        return np.asarray(upright, dtype=np.uint8)

    def _detect(self, models: _Models, pixels: Pixels) -> list[Any]:
        faces = list(models.detector(pixels, 0))
        if not faces and self._upsample > 0:
            # HOG sees faces down to ~80 px; upsampling finds smaller ones (then judged).
            faces = list(models.detector(pixels, self._upsample))
        return faces

    def _single_face(self, models: _Models, pixels: Pixels) -> Any:
        faces = self._detect(models, pixels)
        if not faces:
            raise NoFaceDetected
        if len(faces) > 1:
            raise MultipleFaces
        face = faces[0]
        if min(face.width(), face.height()) < self._min_face_px:
            raise FaceTooSmall(
                f"The face must be at least {self._min_face_px} pixels wide and high; "
                "move closer to the camera."
            )
        return face

    def _embed(self, models: _Models, pixels: Pixels, face: Any) -> Embedding:
        landmarks = models.predictor(pixels, face)
        descriptor = models.encoder.compute_face_descriptor(pixels, landmarks, self._num_jitters)
        return np.asarray(descriptor, dtype=np.float64)

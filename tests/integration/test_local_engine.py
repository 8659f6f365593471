"""The offline dlib engine on the shared face photos: every labelled pair decided right."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from faceauth.adapters.local_engine import LocalFaceEngine, LocalModelsMissing
from faceauth.bootstrap import face_engine
from faceauth.domain.deadline import UNLIMITED, Deadline
from faceauth.errors import FaceTooSmall, InvalidImage, MultipleFaces, NoFaceDetected
from faceauth.settings import Settings
from tests.faces import PAIRS, FacePair, face_bytes
from tests.fakes import FakeImageStore

DEFAULT_THRESHOLD = Settings.model_fields["pass_threshold"].default
SINGLE_FACE_PHOTOS = sorted({name for pair in PAIRS for name in (pair.reference, pair.probe)})


class CountingImageStore(FakeImageStore):
    """An in-memory ImageStore that counts reads."""

    gets = 0

    def get(self, key: str, deadline: Deadline) -> bytes:
        self.gets += 1
        return super().get(key, deadline)


ROOMY = UNLIMITED  # no deadline: these tests are about other limits


def _reference_key(name: str) -> str:
    return f"references/{name}"


def _new_engine(store: CountingImageStore) -> LocalFaceEngine:
    # Missing dlib or model files fail here with a message that says `make setup`.
    try:
        engine = LocalFaceEngine(store)
        engine.preload()
    except LocalModelsMissing as exc:
        pytest.fail(str(exc))
    return engine


def _store_with_references() -> CountingImageStore:
    store = CountingImageStore()
    for name in SINGLE_FACE_PHOTOS:
        store.put(_reference_key(name), face_bytes(name), "image/jpeg", ROOMY)
    return store


@pytest.fixture(scope="module")
def engine() -> LocalFaceEngine:
    return _new_engine(_store_with_references())


def _png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("pair", PAIRS, ids=[pair.id for pair in PAIRS])
def test_every_labelled_pair_is_decided_correctly(engine: LocalFaceEngine, pair: FacePair) -> None:
    # Given a registered reference and a probe of the same or another person
    # When the probe is compared with the reference
    similarity = engine.compare(
        _reference_key(pair.reference), f"captures/{pair.probe}", face_bytes(pair.probe), ROOMY
    )
    # Then the default threshold decides as pairs.csv says
    assert 0.0 <= similarity <= 100.0
    assert (similarity >= DEFAULT_THRESHOLD) is pair.same_person, f"similarity {similarity:.2f}"


@pytest.mark.parametrize("name", SINGLE_FACE_PHOTOS)
def test_every_single_face_photo_passes_the_gate(engine: LocalFaceEngine, name: str) -> None:
    engine.check_single_face(face_bytes(name), ROOMY)


def test_two_people_fail_the_gate(engine: LocalFaceEngine) -> None:
    with pytest.raises(MultipleFaces):
        engine.check_single_face(face_bytes("two_people.jpg"), ROOMY)


def test_two_people_in_a_capture_are_multiple_faces(engine: LocalFaceEngine) -> None:
    with pytest.raises(MultipleFaces):
        engine.compare(
            _reference_key("obama_1.jpg"), "captures/two.jpg", face_bytes("two_people.jpg"), ROOMY
        )


@pytest.mark.parametrize("kind", ["plain", "noise"])
def test_an_image_without_a_face_is_no_face(engine: LocalFaceEngine, kind: str) -> None:
    # Given a generated image with nothing face-like in it
    if kind == "plain":
        pixels = np.full((480, 640, 3), 128, dtype=np.uint8)
    else:
        pixels = np.random.default_rng(2024).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    # When / Then
    with pytest.raises(NoFaceDetected):
        engine.check_single_face(_png(pixels), ROOMY)


def test_a_tiny_face_is_too_small(engine: LocalFaceEngine) -> None:
    # Given obama_small.jpg shrunk until its face is ~45 px
    with Image.open(io.BytesIO(face_bytes("obama_small.jpg"))) as photo:
        tiny = np.asarray(photo.convert("RGB").resize((120, 90)))
    # When / Then
    with pytest.raises(FaceTooSmall):
        engine.check_single_face(_png(tiny), ROOMY)


def test_bytes_that_are_no_image_are_invalid(engine: LocalFaceEngine) -> None:
    with pytest.raises(InvalidImage):
        engine.check_single_face(b"\xff\xd8\xff\xe0 this is not a JPEG", ROOMY)


def test_the_reference_embedding_is_computed_once() -> None:
    # Given a fresh engine over a store that counts reads
    store = _store_with_references()
    engine = _new_engine(store)
    reference = _reference_key("obama_1.jpg")
    # When the same reference is used by two verifications
    first = engine.compare(reference, "captures/a.jpg", face_bytes("obama_2.jpg"), ROOMY)
    second = engine.compare(reference, "captures/b.jpg", face_bytes("obama_3.jpg"), ROOMY)
    # Then the reference image was read from the store only once
    assert store.gets == 1
    assert first >= DEFAULT_THRESHOLD
    assert second >= DEFAULT_THRESHOLD


def test_the_factory_builds_the_local_engine_when_configured() -> None:
    settings = Settings(database_url="sqlite://", face_engine="local")
    assert face_engine(settings, CountingImageStore()).name == "local"

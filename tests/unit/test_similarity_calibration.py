"""The local engine's distance -> similarity calibration (no models needed)."""

from __future__ import annotations

import itertools
import math

import pytest

from faceauth.adapters.local_engine import distance_from_similarity, similarity_from_distance
from faceauth.settings import Settings

DEFAULT_THRESHOLD = Settings.model_fields["pass_threshold"].default


def test_dlib_boundary_is_the_default_threshold() -> None:
    # Given dlib's customary same-person boundary d = 0.6
    # Then it scores exactly the default pass threshold
    assert similarity_from_distance(0.6) == pytest.approx(DEFAULT_THRESHOLD, abs=1e-9)


def test_strict_boundary_scores_99() -> None:
    assert similarity_from_distance(0.5) == pytest.approx(99.0, abs=1e-9)


def test_similarity_strictly_decreases_with_distance() -> None:
    distances = [step / 1000 for step in range(0, 2001)]
    scores = [similarity_from_distance(d) for d in distances]
    assert all(a > b for a, b in itertools.pairwise(scores))


@pytest.mark.parametrize("distance", [0.0, 0.3, 0.6, 0.9, 1.5, 2.0, 1e6])
def test_similarity_stays_within_0_and_100(distance: float) -> None:
    assert 0.0 <= similarity_from_distance(distance) <= 100.0


@pytest.mark.parametrize(("distance", "passes"), [(0.59, True), (0.61, False)])
def test_closer_than_the_boundary_passes(distance: float, passes: bool) -> None:
    assert (similarity_from_distance(distance) >= DEFAULT_THRESHOLD) is passes


@pytest.mark.parametrize("distance", [-0.1, math.nan])
def test_a_negative_or_nan_distance_is_rejected(distance: float) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        similarity_from_distance(distance)


@pytest.mark.parametrize("distance", [0.05, 0.35, 0.5, 0.6, 0.634, 0.85, 1.2])
def test_distance_from_similarity_inverts_the_calibration(distance: float) -> None:
    similarity = similarity_from_distance(distance)
    assert distance_from_similarity(similarity) == pytest.approx(distance, abs=1e-9)


@pytest.mark.parametrize("similarity", [0.0, 100.0, -1.0])
def test_a_similarity_without_a_finite_distance_is_rejected(similarity: float) -> None:
    with pytest.raises(ValueError, match="strictly between"):
        distance_from_similarity(similarity)

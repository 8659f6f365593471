"""Test doubles for ports whose real adapters are tested on their own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from faceauth.errors import FaceAuthError


@dataclass
class ScriptedFaceEngine:
    """A zero-latency face engine: answers the similarity it is told, or raises."""

    similarity: float = 99.0
    gate_error: FaceAuthError | None = None
    compare_error: FaceAuthError | None = None
    name: str = "fake"
    compared: list[tuple[str, str]] = field(default_factory=list)
    on_compare: Callable[[], None] | None = None

    def check_single_face(self, image: bytes) -> None:
        if self.gate_error:
            raise self.gate_error

    def compare(self, reference_key: str, capture_key: str, capture: bytes) -> float:
        self.compared.append((reference_key, capture_key))
        if self.on_compare:
            self.on_compare()
        if self.compare_error:
            raise self.compare_error
        return self.similarity

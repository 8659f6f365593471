"""The shared face photos in ``../shared/testdata/faces/``: read in place, never copied.

Import ``FACES_DIR``, ``face_bytes(name)`` and ``PAIRS`` (the labelled pairs of pairs.csv).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
FACES_DIR = REPO_ROOT.parent / "shared" / "testdata" / "faces"


@dataclass(frozen=True, slots=True)
class FacePair:
    reference: str
    probe: str
    same_person: bool
    note: str

    @property
    def id(self) -> str:
        return f"{self.reference}-vs-{self.probe}"


def _require_faces_dir() -> Path:
    if not (FACES_DIR / "pairs.csv").is_file():
        raise FileNotFoundError(
            f"The shared face photos are missing: expected {FACES_DIR}/pairs.csv "
            "(../shared/testdata/faces/ next to the repository)."
        )
    return FACES_DIR


@cache
def face_bytes(name: str) -> bytes:
    """The bytes of one photo, e.g. face_bytes("obama_1.jpg")."""
    return (_require_faces_dir() / name).read_bytes()


def _read_pairs() -> list[FacePair]:
    with (_require_faces_dir() / "pairs.csv").open(newline="") as rows:
        return [
            FacePair(
                reference=row["reference"],
                probe=row["probe"],
                same_person=row["same_person"].strip().lower() == "yes",
                note=row["note"],
            )
            for row in csv.DictReader(rows)
        ]


PAIRS: list[FacePair] = _read_pairs()

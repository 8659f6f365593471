"""Time the local (dlib) face engine on the shared face photos.

Prints the first-call model load time, then the time per verification with a warm,
cached reference (one embedding per verification, as in production) over the pairs of
pairs.csv, plus each pair's embedding distance and similarity. Wall-clock times depend on
what else runs on the machine, so CPU time per verification is printed too.

Run: .venv/bin/python bench/bench_local_engine.py [--rounds N]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/ helpers; the packages are installed

from faceauth.adapters.local_engine import (  # noqa: E402
    LocalFaceEngine,
    distance_from_similarity,
)
from faceauth.domain.deadline import UNLIMITED  # noqa: E402
from faceauth.settings import Settings  # noqa: E402
from tests.faces import PAIRS, face_bytes  # noqa: E402
from tests.fakes import FakeImageStore  # noqa: E402


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the pairs")
    rounds = parser.parse_args().rounds

    threshold = Settings.model_fields["pass_threshold"].default
    store = FakeImageStore()
    for pair in PAIRS:
        store.put(pair.reference, face_bytes(pair.reference), "image/jpeg", UNLIMITED)
    engine = LocalFaceEngine(store)

    started = time.perf_counter()
    engine.preload()
    print(f"model load (first call): {(time.perf_counter() - started) * 1000:.0f} ms")

    print(f"\n{'reference':<13}{'probe':<24}{'same':<6}{'distance':>9}{'similarity':>12}  ok")
    for pair in PAIRS:  # also warms the reference cache
        similarity = engine.compare(pair.reference, "capture", face_bytes(pair.probe), UNLIMITED)
        correct = "yes" if (similarity >= threshold) is pair.same_person else "NO"
        distance = distance_from_similarity(similarity)
        print(
            f"{pair.reference:<13}{pair.probe:<24}{'yes' if pair.same_person else 'no':<6}"
            f"{distance:>9.4f}{similarity:>12.2f}  {correct}"
        )

    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for pair in PAIRS:
            probe = face_bytes(pair.probe)
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            engine.compare(pair.reference, "capture", probe, UNLIMITED)
            cpu.append(time.process_time() - cpu_start)
            wall.append(time.perf_counter() - wall_start)

    def summary(label: str, values: list[float]) -> str:
        ms = [value * 1000 for value in values]
        return (
            f"{label}: mean {statistics.fmean(ms):.0f} ms, p50 {statistics.median(ms):.0f} ms,"
            f" p95 {_percentile(ms, 0.95):.0f} ms, max {max(ms):.0f} ms"
        )

    print(f"\nverification, warm and cached reference, n={len(wall)}")
    print(summary("  wall", wall))
    print(summary("  cpu ", cpu))


if __name__ == "__main__":
    main()

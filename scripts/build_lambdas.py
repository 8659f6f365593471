"""Build the Lambda artifacts as reproducible zips under build/.

    build/layers/deps.zip        python/<third-party packages for manylinux2014_aarch64, cp312>
    build/layers/common.zip      python/faceauth/  (from layers/common/faceauth/)
    build/functions/compare.zip  compare/          (from functions/compare/)
    build/functions/purge.zip    purge/            (from functions/purge/)
    build/functions/migrate.zip  migrate/ + db/alembic.ini + db/migrations/

Reproducible means: entries sorted, every timestamp fixed, fixed permissions, no bytecode or
caches, so two builds of the same sources give byte-identical zips (`--check` proves it).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"

# 1980-01-01, the earliest date a zip entry can hold; any fixed date would do.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "tests"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}

# The Lambda runtime the dependency layer is built for: python3.12 on arm64 (Amazon Linux 2023,
# glibc 2.34), so both manylinux2014 and manylinux_2_28 wheels run there; some packages
# (Pillow 13) publish aarch64 wheels only for the latter.
LAMBDA_PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64")
LAMBDA_PYTHON = "3.12"


class BuildError(Exception):
    """A source is missing or a build step failed."""


@dataclass(frozen=True)
class Source:
    """A folder of the repo and the path it takes inside the zip."""

    path: Path
    prefix: str


@dataclass(frozen=True)
class Artifact:
    name: str
    output: Path
    sources: tuple[Source, ...]


ARTIFACTS = (
    Artifact(
        "common",
        BUILD / "layers" / "common.zip",
        (Source(ROOT / "layers" / "common" / "faceauth", "python/faceauth"),),
    ),
    Artifact(
        "compare",
        BUILD / "functions" / "compare.zip",
        (Source(ROOT / "functions" / "compare", "compare"),),
    ),
    Artifact(
        "purge",
        BUILD / "functions" / "purge.zip",
        (Source(ROOT / "functions" / "purge", "purge"),),
    ),
    Artifact(
        "migrate",
        BUILD / "functions" / "migrate.zip",
        (
            Source(ROOT / "functions" / "migrate", "migrate"),
            Source(ROOT / "db" / "alembic.ini", "db/alembic.ini"),
            Source(ROOT / "db" / "migrations", "db/migrations"),
        ),
    ),
)
DEPS_OUTPUT = BUILD / "layers" / "deps.zip"
DEPS_REQUIREMENTS = ROOT / "requirements" / "runtime.txt"


def iter_files(source: Source) -> Iterator[tuple[Path, str]]:
    """Yield (file on disk, name in the zip) for one source, skipping caches and bytecode."""
    if source.path.is_file():
        yield source.path, source.prefix
        return
    for dirpath, dirnames, filenames in os.walk(source.path):
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS]
        for filename in filenames:
            path = Path(dirpath) / filename
            if path.suffix in SKIPPED_SUFFIXES:
                continue
            relative = path.relative_to(source.path).as_posix()
            yield path, f"{source.prefix}/{relative}"


def write_zip(output: Path, files: list[tuple[Path, str]]) -> str:
    """Write files sorted by zip name with fixed metadata; return the zip's sha256."""
    names = [name for _, name in files]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise BuildError(f"{output.name}: duplicate entries {sorted(duplicates)}")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path, name in sorted(files, key=lambda item: item[1]):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so external_attr below is honoured
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            zf.writestr(info, path.read_bytes())
    tmp.replace(output)
    return sha256(output)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_artifact(artifact: Artifact) -> str:
    files: list[tuple[Path, str]] = []
    for source in artifact.sources:
        if not source.path.exists():
            raise BuildError(f"{artifact.name}: source {source.path.relative_to(ROOT)} is missing")
        files.extend(iter_files(source))
    if not files:
        raise BuildError(f"{artifact.name}: no files under its sources")
    return write_zip(artifact.output, files)


def build_deps(python: str) -> str:
    """pip-install the runtime requirements for the Lambda platform, then zip under python/."""
    if not DEPS_REQUIREMENTS.is_file():
        raise BuildError(f"deps: {DEPS_REQUIREMENTS.relative_to(ROOT)} is missing")
    with tempfile.TemporaryDirectory(prefix="faceauth-deps-") as tmp:
        target = Path(tmp) / "python"
        command = [
            python, "-m", "pip", "install",
            "--quiet", "--disable-pip-version-check", "--no-compile",
            *(arg for platform in LAMBDA_PLATFORMS for arg in ("--platform", platform)),
            "--implementation", "cp",
            "--python-version", LAMBDA_PYTHON,
            "--only-binary=:all:",
            "--target", str(target),
            "-r", str(DEPS_REQUIREMENTS),
        ]  # fmt: skip
        # The command is built from constants and paths of this repo, never from user input.
        result = subprocess.run(command, check=False, timeout=1800)  # noqa: S603
        if result.returncode != 0:
            raise BuildError(f"deps: pip install failed with exit code {result.returncode}")
        # pip's own records differ between runs (absolute paths, install times) and the
        # runtime never reads them.
        for junk in target.glob("*.dist-info/RECORD"):
            junk.unlink()
        for junk in target.glob("*.dist-info/direct_url.json"):
            junk.unlink()
        bin_dir = target / "bin"
        if bin_dir.exists():
            shutil.rmtree(bin_dir)  # console scripts carry the build host's interpreter path
        return write_zip(DEPS_OUTPUT, list(iter_files(Source(target, "python"))))


def build_all(names: list[str], python: str) -> tuple[dict[str, str], list[str]]:
    """Build every selected artifact whose sources exist; return digests and the failures."""
    digests: dict[str, str] = {}
    failures: list[str] = []
    for artifact in ARTIFACTS:
        if names and artifact.name not in names:
            continue
        try:
            digests[artifact.output.relative_to(ROOT).as_posix()] = build_artifact(artifact)
        except BuildError as error:
            failures.append(str(error))
    if not names or "deps" in names:
        try:
            digests[DEPS_OUTPUT.relative_to(ROOT).as_posix()] = build_deps(python)
        except BuildError as error:
            failures.append(str(error))
    return digests, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    known = [a.name for a in ARTIFACTS] + ["deps"]
    parser.add_argument(
        "artifacts", nargs="*", metavar="ARTIFACT", help=f"build only these of {known}"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="build twice and fail unless both builds give byte-identical zips",
    )
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter whose pip builds the deps layer"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.artifacts) - set(known))
    if unknown:
        parser.error(f"unknown artifacts {unknown}; choose from {known}")
    digests, failures = build_all(args.artifacts, args.python)
    for name, digest in sorted(digests.items()):
        print(f"{digest}  {name}")
    if args.check and digests:
        again, _ = build_all(args.artifacts, args.python)
        differing = sorted(name for name in digests if again.get(name) != digests[name])
        if differing:
            failures.append(f"not reproducible: {', '.join(differing)} changed between builds")
        else:
            print(f"reproducible: {len(digests)} zips identical across two consecutive builds")
    for failure in failures:
        print(f"build failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""The `faceauth` command line: register, verify and inspect users from a terminal or a pipeline.

Exit codes: 0 success (PASS for verify), 1 verify FAIL, 2 usage error, 3 API error,
4 worth retrying later: no answer, or an error the API's error table marks retryable.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from faceauth_client.client import DEFAULT_MAX_IMAGE_BYTES, USER_ID_PATTERN, Client
from faceauth_client.errors import FaceAuthApiError, FaceAuthClientError, TransportError
from faceauth_client.models import Registration, UserStatus, Verification

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_API_ERROR = 3
EXIT_RETRY_LATER = 4

_COMMANDS_WITH_SELFIE = ("register", "reregister", "verify")  # a photo or a liveness session
# They change state: Idempotency-Key.
_COMMANDS_WITH_KEY = (*_COMMANDS_WITH_SELFIE, "erase", "liveness-session")


@dataclass(frozen=True, slots=True)
class _Selfie:
    """What register, reregister and verify send: a photo or a liveness session id."""

    photo: bytes | None = None
    liveness_session_id: str | None = None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faceauth",
        description="Selfie login API client (faceauth API contract v1).",
        epilog="Exit codes: 0 ok/PASS, 1 FAIL, 2 usage, 3 API error, 4 retry later.",
    )
    parser.add_argument(
        "--base-url",
        default=os.environ.get("FACEAUTH_BASE_URL"),
        help="API base URL including the stage, e.g. http://127.0.0.1:8080/v1 "
        "(env FACEAUTH_BASE_URL)",
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get("FACEAUTH_API_KEY"),
        help="API key sent as x-api-key (env FACEAUTH_API_KEY)",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument(
        "--max-retries",
        type=_count,
        default=3,
        help="retries of a retryable error or a lost connection (default 3)",
    )
    parser.add_argument(
        "--max-image-bytes",
        type=_count,
        default=DEFAULT_MAX_IMAGE_BYTES,
        help="refuse a larger photo before sending it "
        f"(default {DEFAULT_MAX_IMAGE_BYTES}, the API's default limit)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    helps = {
        "register": "store the first reference selfie of a user",
        "reregister": "replace the reference selfie of a registered user",
        "verify": "compare a selfie with the user's reference (exit 0 PASS, 1 FAIL)",
        "status": "show registration, last verification and lock state",
        "erase": "erase the user's reference and captures",
        "liveness-session": "start a Face Liveness session for the user's next selfie",
        "health": "check that the API and its database answer",
    }
    for name, text in helps.items():
        command = commands.add_parser(name, help=text, description=text)
        if name != "health":
            command.add_argument("--user", required=True, type=_user_id, help="user id")
        if name in _COMMANDS_WITH_SELFIE:
            command.add_argument(
                "photo", type=Path, nargs="?", help="JPEG or PNG file (or --liveness-session)"
            )
            command.add_argument(
                "--liveness-session",
                type=_uuid,
                metavar="ID",
                help="instead of a photo: the id of a completed Face Liveness session of the "
                "user (from `liveness-session`)",
            )
        if name in _COMMANDS_WITH_KEY:
            command.add_argument(
                "--idempotency-key",
                type=_uuid,
                help="UUID sent as Idempotency-Key (default: a new one); to retry a failed "
                "run, pass the key it printed, so the API runs the request at most once",
            )
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.base_url:
        parser.error("no API base URL: pass --base-url or set FACEAUTH_BASE_URL")
    if not args.api_key and args.command != "health":
        parser.error("no API key: pass --api-key or set FACEAUTH_API_KEY")
    selfie = _Selfie()
    if args.command in _COMMANDS_WITH_SELFIE:
        selfie = _read_selfie(parser, args)
    key = None
    if args.command in _COMMANDS_WITH_KEY:
        key = args.idempotency_key or str(uuid.uuid4())
    try:
        client = Client(
            args.base_url,
            args.api_key or "",
            timeout=args.timeout,
            max_retries=args.max_retries,
            max_image_bytes=args.max_image_bytes,
        )
    except ValueError as exc:
        parser.error(str(exc))
    try:
        return _run(client, args.command, getattr(args, "user", ""), selfie, out, key=key)
    except FaceAuthApiError as exc:
        print(f"ERROR  {exc.code} ({exc.status}): {exc.message}{_retry_hint(exc)}", file=err)
        if not exc.retryable:
            return EXIT_API_ERROR
        _print_key_hint(key, err)
        return EXIT_RETRY_LATER
    except TransportError as exc:
        print(f"UNAVAILABLE  {exc}", file=err)
        _print_key_hint(key, err)
        return EXIT_RETRY_LATER
    except FaceAuthClientError as exc:
        print(f"ERROR  {exc}", file=err)
        return EXIT_API_ERROR


def _read_selfie(parser: argparse.ArgumentParser, args: argparse.Namespace) -> _Selfie:
    if (args.photo is None) == (args.liveness_session is None):
        parser.error("give a photo file or --liveness-session ID (exactly one)")
    if args.liveness_session is not None:
        return _Selfie(liveness_session_id=args.liveness_session)
    try:
        return _Selfie(photo=args.photo.read_bytes())
    except OSError as exc:
        parser.error(f"cannot read {args.photo}: {exc.strerror}")


def _run(
    client: Client, command: str, user: str, selfie: _Selfie, out: TextIO, *, key: str | None
) -> int:
    if command == "register":
        registration = client.register(
            user, selfie.photo, liveness_session_id=selfie.liveness_session_id, idempotency_key=key
        )
        _print_registration("REGISTERED", registration, out)
    elif command == "reregister":
        registration = client.replace_reference(
            user, selfie.photo, liveness_session_id=selfie.liveness_session_id, idempotency_key=key
        )
        _print_registration("REREGISTERED", registration, out)
    elif command == "verify":
        verification = client.verify(
            user, selfie.photo, liveness_session_id=selfie.liveness_session_id, idempotency_key=key
        )
        _print_verification(verification, out)
        return EXIT_OK if verification.passed else EXIT_FAIL
    elif command == "liveness-session":
        session = client.start_liveness_session(user, idempotency_key=key)
        print(
            f"SESSION  {session.session_id}  region {session.region}  "
            f"expires {_when(session.expires_at)}",
            file=out,
        )
    elif command == "status":
        _print_status(client.status(user), out)
    elif command == "erase":
        client.erase(user, idempotency_key=key)
        print(f"ERASED  user {user}", file=out)
    else:
        print(f"OK  {client.health().status}", file=out)
    return EXIT_OK


def _print_registration(label: str, registration: Registration, out: TextIO) -> None:
    print(
        f"{label}  user {registration.user_id} at {_when(registration.registered_at)} "
        f"(run {registration.run_id})",
        file=out,
    )


def _print_verification(verification: Verification, out: TextIO) -> None:
    print(
        f"{verification.result}  similarity {verification.similarity:.2f} "
        f"(threshold {verification.threshold:g})",
        file=out,
    )


def _print_status(status: UserStatus, out: TextIO) -> None:
    registered = f"yes, at {_when(status.registered_at)}" if status.registered else "no"
    lines = [f"user          {status.user_id}", f"registered    {registered}"]
    last = status.last_verification
    if last is None:
        lines.append("last verify   none")
    else:
        outcome = last.result or f"error {last.error_code}"
        similarity = "" if last.similarity is None else f", similarity {last.similarity:.2f}"
        lines.append(f"last verify   {outcome}{similarity} at {_when(last.verified_at)}")
    locked = f"yes, until {_when(status.locked_until)}" if status.locked else "no"
    lines.append(f"locked        {locked}")
    lines.append(f"failures      {status.consecutive_failures} in a row")
    print("\n".join(lines), file=out)


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.isoformat(timespec="seconds")


def _retry_hint(error: FaceAuthApiError) -> str:
    if error.retry_after is None:
        return ""
    return f" (retry after {error.retry_after:g} s)"


def _print_key_hint(key: str | None, err: TextIO) -> None:
    # The request may have run: the same key makes a retry return its answer, not run it again.
    if key is not None:
        print(f"retry with --idempotency-key {key}", file=err)


def _user_id(value: str) -> str:
    if not USER_ID_PATTERN.fullmatch(value):
        raise argparse.ArgumentTypeError("must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'")
    return value


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise argparse.ArgumentTypeError("must be a UUID") from None


def _count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError("must be a whole number >= 0")
    return int(value)


if __name__ == "__main__":
    raise SystemExit(main())

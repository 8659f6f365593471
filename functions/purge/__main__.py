"""`make purge`: one run of the purge Lambda's handler against the local stack (`make run`).

Finds the stack in .local/stack.json (written by `make run`: its database, its S3 and that
S3's credentials); FACEAUTH_DATABASE_URL, FACEAUTH_S3_ENDPOINT_URL or the flags below point
it anywhere else.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any, cast

from aws_lambda_powertools.utilities.typing import LambdaContext

REPO_ROOT = Path(__file__).resolve().parents[2]


class LocalContext:
    """The parts of the Lambda context the handler and Powertools read."""

    function_name = "faceauth-purge-local"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:faceauth-purge-local"

    def __init__(self, timeout_seconds: float) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m purge", description=__doc__)
    parser.add_argument("--dry-run", action="store_true", help="report only, change nothing")
    parser.add_argument("--now", help="decide as of this ISO instant (default: the DB clock)")
    parser.add_argument("--batch-size", type=int, help="rows per batch (1-1000)")
    parser.add_argument("--s3-endpoint", help="S3 endpoint (default: the running local stack)")
    parser.add_argument("--database-url", help="database URL (default: the local stack's)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds the run may take")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("FACEAUTH_LOCAL_DIR", REPO_ROOT / ".local")),
    )
    return parser.parse_args()


def _configure(args: argparse.Namespace) -> None:
    stack_file = args.state_dir / "stack.json"
    stack: dict[str, Any] = json.loads(stack_file.read_text()) if stack_file.exists() else {}
    defaults = {
        "FACEAUTH_DATABASE_URL": stack.get(
            "database_url", f"sqlite:///{args.state_dir}/faceauth.db"
        ),
        "FACEAUTH_S3_ENDPOINT_URL": stack.get("s3_endpoint_url", ""),
        "FACEAUTH_IMAGES_BUCKET": stack.get("bucket", "faceauth-local-images"),
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "POWERTOOLS_SERVICE_NAME": "purge",
        "POWERTOOLS_TRACE_DISABLED": "1",
    }
    for name, value in defaults.items():
        if value:
            os.environ.setdefault(name, value)
    if args.s3_endpoint:
        os.environ["FACEAUTH_S3_ENDPOINT_URL"] = args.s3_endpoint
    credentials = stack.get("s3_credentials")
    if credentials and os.environ.get("FACEAUTH_S3_ENDPOINT_URL") == stack["s3_endpoint_url"]:
        # The stack's own S3 server takes only its own credentials, whatever the shell has.
        os.environ.update(credentials)
        os.environ.pop("AWS_SESSION_TOKEN", None)
    if args.database_url:
        os.environ["FACEAUTH_DATABASE_URL"] = args.database_url
    if not os.environ.get("FACEAUTH_S3_ENDPOINT_URL"):
        raise SystemExit("No local S3: start the stack with `make run`, or pass --s3-endpoint.")


def main() -> None:
    args = _arguments()
    _configure(args)
    from faceauth.errors import DependencyUnavailable  # noqa: PLC0415
    from purge.handler import lambda_handler  # noqa: PLC0415 - after the environment is set

    event: dict[str, Any] = {"source": "local", "dryRun": args.dry_run}
    if args.now:
        event["now"] = args.now
    if args.batch_size:
        event["batchSize"] = args.batch_size
    try:
        summary = lambda_handler(event, cast(LambdaContext, LocalContext(args.timeout)))
    except DependencyUnavailable as exc:
        raise SystemExit(f"The {exc.dependency} is unreachable: is `make run` running?") from exc
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()

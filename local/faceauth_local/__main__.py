"""`make run`: the compare API on http://127.0.0.1:$PORT/v1 with a local stack that keeps its
state in a folder (.local/): SQLite and versitygw's S3 by default, or any MySQL
(DATABASE_URL) and any S3-compatible endpoint (FACEAUTH_S3_ENDPOINT_URL), so that several
`make run`s can share one state."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from faceauth_local.ports import port_is_taken
from faceauth_local.s3_server import S3Server, S3ServerError, start_s3_server
from faceauth_local.server import COMPARE_HANDLER, ServerOptions, run_server
from faceauth_local.stack import (
    LOCAL_BUCKET,
    REPO_ROOT,
    LocalStack,
    StackRefused,
    StateFolder,
    ensure_bucket,
    prepare_database,
    use_fake_aws_credentials,
)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m faceauth_local", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WORKERS", "1")),
        help="worker processes, each like one Lambda container (one request at a time)",
    )
    parser.add_argument(
        "--s3-port",
        type=int,
        default=int(os.environ.get("FACEAUTH_LOCAL_S3_PORT", "0")),
        help="port of the local S3 server (0: any free port)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("FACEAUTH_LOCAL_DIR", REPO_ROOT / ".local")),
    )
    parser.add_argument("--reset", action="store_true", help="delete the database and images first")
    parser.add_argument(
        "--handler",
        default=os.environ.get("FACEAUTH_LOCAL_HANDLER", COMPARE_HANDLER),
        help="the Lambda handler to serve, module:function (tests serve stand-ins)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=float(os.environ.get("FACEAUTH_LOCAL_TIMEOUT_SECONDS", "15")),
        help="seconds each request may run, like the compare function's Lambda timeout",
    )
    arguments = parser.parse_args()
    if arguments.workers < 1:
        parser.error("--workers must be 1 or more")
    return arguments


def main() -> None:
    args = _arguments()
    folder = StateFolder(args.state_dir)
    s3: S3Server | None = None
    master = os.getpid()
    try:
        # Both checks come before anything is started or written.
        folder.claim()
        if port_is_taken(args.host, args.port):
            raise StackRefused(
                f"{args.host}:{args.port} is in use (another `make run`?): stop it, or "
                "choose another port with PORT=<port>"
            )
        if args.reset:
            folder.reset()
        os.environ.setdefault("FACEAUTH_FACE_ENGINE", "local")
        os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "compare")
        os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
        os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "FaceAuth")
        database_url = (
            os.environ.get("FACEAUTH_DATABASE_URL")
            or os.environ.get("DATABASE_URL")
            or folder.sqlite_url
        )
        s3_endpoint = os.environ.get("FACEAUTH_S3_ENDPOINT_URL")
        use_fake_aws_credentials(own_s3_server=not s3_endpoint)
        if not s3_endpoint:
            s3 = start_s3_server(args.state_dir, args.s3_port)
            s3_endpoint = s3.endpoint_url
        stack = LocalStack(
            database_url=database_url,
            s3_endpoint_url=s3_endpoint,
            bucket=os.environ.get("FACEAUTH_IMAGES_BUCKET", LOCAL_BUCKET),
            api_key=os.environ.get("FACEAUTH_API_KEY") or secrets.token_urlsafe(24),
        )
        ensure_bucket(stack.s3_endpoint_url, stack.bucket)
        prepare_database(stack.database_url)
        os.environ.update(stack.environment())
        options = ServerOptions(
            host=args.host,
            port=args.port,
            api_key=stack.api_key,
            web_root=REPO_ROOT / "web",
            workers=args.workers,
            handler=args.handler,
            timeout_seconds=args.timeout,
            on_ready=lambda: print(f"faceauth API {options.api_url}", flush=True),
        )
        folder.write_stack_file(stack, options.api_url, args.workers, own_s3_server=bool(s3))
        s3_name = "versitygw, in " + str(args.state_dir / "s3") if s3 else "shared"
        print(
            f"local stack   {args.workers} worker(s), state in {args.state_dir}\n"
            f"S3            {stack.s3_endpoint_url} ({s3_name}), bucket {stack.bucket}\n"
            f"database      {_without_password(stack.database_url)}\n"
            f"API key       {stack.api_key}\n"
            f"camera page   http://{args.host}:{args.port}/",
            flush=True,
        )
        run_server(options)
    except (StackRefused, S3ServerError) as refused:
        print(f"faceauth_local: {refused}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        pass
    finally:
        # gunicorn's workers leave through this frame too: only the master cleans up.
        if os.getpid() == master:
            if s3 is not None:
                s3.stop()
            if folder.read_stack_file().get("pid") == master:
                folder.remove_stack_file()
            folder.release()


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main()

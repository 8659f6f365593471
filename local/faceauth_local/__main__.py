"""`make run`: the compare API on http://127.0.0.1:$PORT/v1 with an embedded default stack."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from faceauth_local.server import STAGE, serve
from faceauth_local.stack import REPO_ROOT, start_stack


def main() -> None:
    parser = argparse.ArgumentParser(prog="faceauth_local", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument(
        "--s3-port",
        type=int,
        default=int(os.environ.get("FACEAUTH_LOCAL_S3_PORT", "0")),
        help="port of the in-process S3 (0: any free port)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("FACEAUTH_LOCAL_DIR", REPO_ROOT / ".local")),
    )
    args = parser.parse_args()

    os.environ.setdefault("FACEAUTH_FACE_ENGINE", "local")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "compare")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "FaceAuth")
    stack, s3_server = start_stack(args.state_dir, args.s3_port)

    from compare import handler  # noqa: PLC0415 - after the environment is set

    handler.compare_dependencies()  # load the face engine before the first request
    httpd = serve(args.host, args.port, stack.api_key, REPO_ROOT / "web", handler.lambda_handler)
    print(
        f"faceauth API  http://{args.host}:{httpd.server_port}/{STAGE}   (camera page: http://{args.host}:{httpd.server_port}/)",
        flush=True,
    )
    print(f"API key       {stack.api_key}", flush=True)
    print(f"S3 (moto)     {stack.s3_endpoint_url}   database {stack.database_url}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        s3_server.stop()


if __name__ == "__main__":
    main()

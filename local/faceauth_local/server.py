"""The local API's HTTP server: gunicorn, pre-forked, each worker process like one Lambda
container (one request at a time; the face models loaded once, before the fork), behind one port.

gunicorn parses HTTP (keep-alive, chunked bodies, bounded request line and headers) and
answers what it cannot parse itself; `LambdaWorker` makes those answers JSON in the API's
error shape. The app each worker serves is `faceauth_local.gateway.ApiGateway`.
"""

from __future__ import annotations

import gc
import importlib
import json
import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from faceauth_local.events import proxy_event
from faceauth_local.gateway import STAGE, ApiGateway, LambdaHandler, LocalLambdaContext

if TYPE_CHECKING:
    from faceauth.domain.ports import ImageStore

COMPARE_HANDLER = "compare.handler:lambda_handler"
# gunicorn's defaults, written out: they are part of what the local API accepts.
LIMIT_REQUEST_LINE = 4094
LIMIT_REQUEST_FIELDS = 100
LIMIT_REQUEST_FIELD_SIZE = 8190
KEEPALIVE_SECONDS = 5
# Only a worker that stops reporting for this long is replaced (it warms up at start).
WORKER_SILENT_SECONDS = 120
STOP_SECONDS = 5

_MESSAGES = {
    400: "The request is not valid HTTP.",
    403: "Access denied.",
    414: "The request line is too long.",
    417: "Only 100-continue is understood in Expect.",
    431: "Too many request headers, or one too long.",
    501: "That Transfer-Encoding is not supported.",
}


@dataclass(frozen=True)
class ServerOptions:
    host: str
    port: int
    api_key: str
    web_root: Path
    workers: int = 1
    handler: str = COMPARE_HANDLER  # module:function, imported once before the fork
    timeout_seconds: float = 15.0  # the Lambda timeout each request's context counts down
    on_ready: Callable[[], None] = field(default=lambda: None)  # every worker is warm

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/{STAGE}"


class LambdaWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn ships no types
    """gunicorn's threaded worker, run with one thread: one request at a time, idle
    keep-alive connections waiting in its poller. Three changes: it accepts a connection
    only while idle (gthread would queue up to worker_connections behind its one thread
    while other workers sit idle), it answers malformed HTTP in JSON, and it exits quickly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._requests_queued = 0  # only the worker's main thread touches it

    def init_process(self) -> None:
        """gunicorn's worker life, then out without the interpreter's teardown, as a forked
        child should (collecting the models and every module at exit could outlast the
        graceful timeout on a busy machine, and the worker was then killed)."""
        try:
            super().init_process()
        except SystemExit as stop:  # how gunicorn's signal handlers end a worker
            code = stop.code if isinstance(stop.code, int) else 1
        else:
            code = 0
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    def enqueue_req(self, conn: Any) -> None:
        self._requests_queued += 1
        super().enqueue_req(conn)

    def finish_request(self, conn: Any, fs: Any) -> None:
        self._requests_queued -= 1
        super().finish_request(conn, fs)

    def accept(self, listener: Any) -> None:
        super().accept(listener)
        self.set_accept_enabled(False)  # busy now; the run loop enables it again when idle

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled and self._requests_queued == 0)

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        # gunicorn decides the status (and logs); its HTML page is replaced by our JSON.
        page = _WrittenBytes()
        super().handle_error(req, page, addr, exc)
        status = page.status()
        code = {403: "FORBIDDEN", 500: "INTERNAL_ERROR"}.get(status, "INVALID_REQUEST")
        message = _MESSAGES.get(status, "Internal error.")
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        head = (
            f"HTTP/1.1 {page.status_line()}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        try:
            util.write_nonblock(client, head.encode("latin-1") + body)
        except OSError:
            self.log.debug("Failed to send error message.")


class _WrittenBytes:
    """Stands in for the client socket while gunicorn writes its error page."""

    def __init__(self) -> None:
        self.data = bytearray()

    def gettimeout(self) -> float:
        return 0.0

    def sendall(self, data: bytes) -> None:
        self.data += data

    def status_line(self) -> str:
        first = bytes(self.data).split(b"\r\n", 1)[0].decode("latin-1")
        parts = first.split(" ", 1)
        return parts[1] if len(parts) == 2 and parts[1][:3].isdigit() else "500 Internal Error"

    def status(self) -> int:
        return int(self.status_line()[:3])


def load_handler(path: str) -> LambdaHandler:
    """`module:function` -> the function."""
    module, _, name = path.partition(":")
    handler: LambdaHandler = getattr(importlib.import_module(module), name)
    return handler


def preload(handler_path: str) -> None:
    """Before the fork, once for every worker: import the handler's modules and load the
    local face models (plain data, shared copy-on-write), so a worker starts in a moment."""
    load_handler(handler_path)
    if os.environ.get("FACEAUTH_FACE_ENGINE") == "local":
        from faceauth.adapters.local_engine import LocalFaceEngine  # noqa: PLC0415 - heavy

        LocalFaceEngine(cast("ImageStore", _NoImages())).preload()
    # What exists now is never garbage: the workers' collector skips it (and so does not
    # touch, and copy, the shared pages).
    gc.freeze()


def warm_up(handler: LambdaHandler, timeout_seconds: float) -> None:
    """After the fork, what a Lambda container does at init: build the handler's service with
    its own connections (one health request, which also checks the database)."""
    handler(proxy_event("GET", "/health"), LocalLambdaContext("warm-up", timeout_seconds))


class _NoImages:
    """The image store of an engine that only loads its models: any call is a mistake."""

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"ImageStore.{name} while only preloading face models")


class _LocalApplication(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    """gunicorn's documented custom-application entry point, configured in code."""

    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        # Shared with the forked workers: how many have warmed up.
        self.warm_workers = multiprocessing.Value("i", 0)
        super().__init__()

    def load_config(self) -> None:
        options = self.options
        warm_workers = self.warm_workers

        def post_worker_init(_worker: Any) -> None:
            with warm_workers.get_lock():
                warm_workers.value += 1
                if warm_workers.value == options.workers:
                    options.on_ready()

        settings: dict[str, Any] = {
            "bind": [f"{options.host}:{options.port}"],
            "workers": options.workers,
            "worker_class": LambdaWorker,
            "threads": 1,
            "keepalive": KEEPALIVE_SECONDS,
            "timeout": WORKER_SILENT_SECONDS,
            "graceful_timeout": STOP_SECONDS,
            "limit_request_line": LIMIT_REQUEST_LINE,
            "limit_request_fields": LIMIT_REQUEST_FIELDS,
            "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE,
            "accesslog": None,  # the handler's JSON logs are the access log
            "errorlog": "-",
            "loglevel": "warning",
            "proc_name": "faceauth-local",
            "control_socket_disable": True,  # no ~/.gunicorn/gunicorn.ctl shared by runs
            "post_worker_init": post_worker_init,
        }
        for name, value in settings.items():
            self.cfg.set(name, value)

    def load(self) -> ApiGateway:
        """Runs in each worker after the fork: its own handler, engine and connections."""
        options = self.options
        # Health and error answers publish no metric, as in AWS: not worth a warning.
        warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
        handler = load_handler(options.handler)
        warm_up(handler, options.timeout_seconds)
        return ApiGateway(options.api_key, options.web_root, handler, options.timeout_seconds)


def run_server(options: ServerOptions) -> None:
    """Serve until SIGINT or SIGTERM. Raises SystemExit, in this process when the server
    stops and in each forked worker when it ends: a caller's `finally` runs in both."""
    preload(options.handler)
    sys.stdout.flush()
    _LocalApplication(options).run()

"""The v1 routes as data (routes.json): the one list that API Gateway's resources and methods
(terraform/modules/api, through the stack), the local gateway, the OpenAPI generator and the
tests read. The handler's own routes must be exactly these (tests/contract/test_routes.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class Route:
    """One method on one path; ``api_key``: the caller must send x-api-key; ``body``: the
    method takes the JSON selfie body, which API Gateway validates before invoking."""

    method: str
    path: str
    api_key: bool
    body: bool


def _load() -> tuple[Route, ...]:
    raw = json.loads(resources.files("compare").joinpath("routes.json").read_text())
    return tuple(
        Route(route["method"], route["path"], route["apiKey"], route["body"])
        for route in raw["routes"]
    )


ROUTES = _load()
# Paths reachable without an API key (the health check).
OPEN_PATHS = frozenset(route.path for route in ROUTES if not route.api_key)

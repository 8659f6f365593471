"""functions/compare/routes.json is the one list of the API's routes: the handler serves exactly
these (as its OpenAPI document, checked against the handler for drift, shows), Terraform builds
API Gateway from it, and the local gateway's events name the same resources."""

from __future__ import annotations

from pathlib import Path

import yaml

from compare.routes import OPEN_PATHS, ROUTES
from faceauth_local.events import RESOURCES, proxy_event

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC = REPO_ROOT / "api" / "openapi.yaml"


def _operations() -> dict[tuple[str, str], dict[str, object]]:
    document = yaml.safe_load(SPEC.read_text())
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def test_the_handler_serves_exactly_the_listed_routes() -> None:
    # Given the handler's operations (api/openapi.yaml is generated from it)
    operations = _operations()
    # When they are compared with routes.json
    # Then each route is served, and nothing else is
    assert set(operations) == {(route.method, route.path) for route in ROUTES}


def test_each_routes_body_and_key_are_what_the_handler_declares() -> None:
    # Given the handler's operations
    operations = _operations()
    for route in ROUTES:
        operation = operations[(route.method, route.path)]
        # Then a route with a body is one whose operation takes a request body
        assert ("requestBody" in operation) is route.body, route
        # And a route without a key is one the document opens (security: [])
        assert (operation.get("security") != []) is route.api_key, route


def test_only_the_health_check_is_open() -> None:
    assert frozenset({"/health"}) == OPEN_PATHS


def test_local_events_name_the_resource_api_gateway_would() -> None:
    # Given every route's path with its parameters filled in
    for route in ROUTES:
        path = route.path.replace("{userId}", "alice")
        # When the local gateway builds the proxy event
        event = proxy_event(route.method, path)
        # Then its resource is the route's, as API Gateway's would be
        assert event["resource"] == route.path
        assert route.path in RESOURCES

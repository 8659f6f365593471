"""Hypothesis strategies for what API Gateway (REST API, Lambda proxy integration) can hand
the compare Lambda: methods, paths, headers, bodies and event shapes, well-formed and hostile.

A request starts valid (a route's method and path, a JSON content type, a body with a good
JPEG or PNG) and then takes up to three mutations, each replacing one part with something
odd or hostile: so most requests reach the service, and each oddity is tried alone and in
company. A generated `ApiRequest` is plain data (readable when hypothesis prints a failing
example); `ApiRequest.event()` builds its proxy event with `faceauth_local.events.proxy_event`
and then applies the event shape API Gateway can really produce.
"""

from __future__ import annotations

import base64
import enum
import json
import reprlib
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import cache
from typing import Any, TypeVar

from hypothesis import strategies as st

from faceauth_local.events import proxy_event
from tests.images import jpeg, pixel_bomb_png, png, truncated_jpeg

T = TypeVar("T")

# Users the scenario may have registered beforehand; most requests name one of them.
KNOWN_USERS = ("alice", "bob")
# A few fixed keys, so that the requests of one scenario share keys (replays, reuse).
IDEMPOTENCY_KEYS = tuple(str(uuid.UUID(int=n * 0x1111_1111_1111_1111)) for n in range(1, 4))
# Face Liveness sessions the scenario may have recorded: alice's, bob's, and one it has not.
LIVENESS_SESSIONS = tuple(str(uuid.UUID(int=n * 0x2222_2222_2222_2222)) for n in range(1, 4))
# The image limit of the fuzzed service: low, so that an oversized image is cheap to send.
FUZZ_MAX_IMAGE_BYTES = 64 * 1024

ROUTES = (
    ("POST", "/users/{}/registration"),
    ("PUT", "/users/{}/registration"),
    ("DELETE", "/users/{}/registration"),
    ("POST", "/users/{}/verification"),
    ("POST", "/users/{}/liveness-sessions"),
    ("GET", "/users/{}"),
    ("GET", "/health"),
)
WRITES = ("POST", "PUT")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
ODD_METHODS = ("TRACE", "CONNECT", "PROPFIND", "QUERY", "MKCOL", "get", "Post", "")


def weighted(*choices: tuple[int, st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """One of the strategies, picked in proportion to its weight."""
    indices = [i for i, (weight, _) in enumerate(choices) for _ in range(weight)]
    return st.sampled_from(indices).flatmap(lambda i: choices[i][1])


def weighted_choice(*choices: tuple[int, T]) -> st.SearchStrategy[T]:
    """One of the values, picked in proportion to its weight."""
    return st.sampled_from([value for weight, value in choices for _ in range(weight)])


# -- images and their encodings -----------------------------------------------------------


@cache
def sample_images() -> dict[str, bytes]:
    """Image payloads by name: a valid JPEG and PNG, and every kind of bad one."""
    good = jpeg()
    return {
        "jpeg": good,
        "png": png(),
        "jpeg_79px": jpeg(79, 300),
        "jpeg_truncated": truncated_jpeg(),
        "png_pixel_bomb": pixel_bomb_png(),
        "jpeg_over_limit": good + b"\0" * (FUZZ_MAX_IMAGE_BYTES + 1 - len(good)),
        "jpeg_magic_only": b"\xff\xd8\xff" + b"\0" * 100,
        "png_magic_only": b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
        "gif": b"GIF89a" + b"\0" * 200,
        "text": b"hello world",
        "empty": b"",
    }


def _named_image(name: str) -> bytes:
    return sample_images()[name]


GOOD_IMAGES = st.sampled_from(["jpeg", "png"]).map(_named_image)
BAD_IMAGES = weighted(
    (3, st.sampled_from(sorted(set(sample_images()) - {"jpeg", "png"})).map(_named_image)),
    (
        1,
        st.builds(
            bytes.__add__,
            st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b""]),
            st.binary(max_size=300),
        ),
    ),
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def standard(data: bytes) -> str:
    return _b64(data)


def line_broken(data: bytes) -> str:
    return base64.encodebytes(data).decode()


def crlf_line_broken(data: bytes) -> str:
    return base64.encodebytes(data).decode().replace("\n", "\r\n")


def padded_with_whitespace(data: bytes) -> str:
    return " \t" + _b64(data) + "\n "


def jpeg_data_url(data: bytes) -> str:
    return "data:image/jpeg;base64," + _b64(data)


def png_data_url_in_capitals(data: bytes) -> str:
    return "DATA:IMAGE/PNG;BASE64," + _b64(data)


def data_url_with_parameters(data: bytes) -> str:
    return "data:image/png;name=selfie.png;charset=utf-8;base64," + _b64(data)


def gif_data_url(data: bytes) -> str:
    return "data:image/gif;base64," + _b64(data)


def data_url_without_base64(data: bytes) -> str:
    return "data:image/jpeg," + _b64(data)


def data_url_without_comma(data: bytes) -> str:
    return "data:image/jpeg;base64" + _b64(data)


def base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def unpadded(data: bytes) -> str:
    return _b64(data).rstrip("=")


def cut_short(data: bytes) -> str:
    return _b64(data)[:-3]


def with_foreign_characters(data: bytes) -> str:
    text = _b64(data)
    return text[: len(text) // 2] + "é\u2028\0!" + text[len(text) // 2 :]


def twice_encoded(data: bytes) -> str:
    return _b64(_b64(data).encode())


# What the API accepts (issue 10 item 2), and what it refuses as INVALID_BASE64.
ACCEPTED_ENCODINGS = st.sampled_from(
    [
        standard,
        line_broken,
        crlf_line_broken,
        padded_with_whitespace,
        jpeg_data_url,
        png_data_url_in_capitals,
        data_url_with_parameters,
    ]
)
REFUSED_ENCODINGS = st.sampled_from(
    [
        gif_data_url,
        data_url_without_base64,
        data_url_without_comma,
        base64url,
        unpadded,
        cut_short,
        with_foreign_characters,
        twice_encoded,
    ]
)


def _encode(encoding: Callable[[bytes], str], image: bytes) -> str:
    return encoding(image)


GOOD_IMAGE_FIELDS = st.builds(_encode, ACCEPTED_ENCODINGS, GOOD_IMAGES)
BAD_IMAGE_FIELDS = weighted(
    (3, st.builds(_encode, ACCEPTED_ENCODINGS, BAD_IMAGES)),
    (2, st.builds(_encode, REFUSED_ENCODINGS, GOOD_IMAGES | BAD_IMAGES)),
    (1, st.text(max_size=50)),
    (1, st.sampled_from(["", "data:", "data:,", "====", "\0"])),
)


# -- bodies -------------------------------------------------------------------------------

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=6,
)


def _as_json(value: Any, ascii_only: bool) -> str:
    return json.dumps(value, ensure_ascii=ascii_only)


def _nested_image(depth: int) -> str:
    return '{"image": ' + "[" * depth + "]" * depth + "}"


def _nested_objects(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def _long_number(digits: int) -> str:
    return '{"image": ' + "9" * digits + "}"


HOSTILE_JSON_TEXTS = st.one_of(
    st.integers(min_value=1, max_value=100_000).map(_nested_image),
    st.integers(min_value=1, max_value=100_000).map(_nested_objects),
    st.integers(min_value=1, max_value=20_000).map(_long_number),
    st.sampled_from(
        [
            '{"image": 1e999}',
            '{"image": -1e400}',
            '{"image": NaN}',
            '{"image": Infinity}',
            '{"image": "a", "image": "b"}',
            '{"image": "\\ud800"}',
            '{"image": "\\u0000"}',
            "\ufeff{}",
            '{"image": }',
            "{'image': 'x'}",
            '{"image": "x"} trailing',
            "{",
            "",
            " ",
            "[]",
            "[[]]",
        ]
    ),
)


def _image_object(image: str) -> dict[str, Any]:
    return {"image": image}


def _with_extra_keys(image: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {**extra, "image": image}


def _in_a_list(image: str) -> list[Any]:
    return [{"image": image}]


def _liveness_object(session_id: str) -> dict[str, Any]:
    return {"livenessSessionId": session_id}


SELFIES = weighted(
    (4, GOOD_IMAGE_FIELDS.map(_image_object)),
    (1, st.sampled_from(LIVENESS_SESSIONS).map(_liveness_object)),
)
GOOD_BODIES = st.builds(_as_json, SELFIES, st.booleans())
ODD_SELFIES = st.one_of(
    st.builds(
        lambda image, session: {"image": image, "livenessSessionId": session},
        GOOD_IMAGE_FIELDS | st.none(),
        st.sampled_from(LIVENESS_SESSIONS) | st.none(),
    ),
    st.one_of(
        st.uuids().map(str),
        st.sampled_from(LIVENESS_SESSIONS).map(str.upper),
        st.sampled_from(LIVENESS_SESSIONS).map(lambda session: "{" + session + "}"),
        st.text(max_size=40),
    ).map(_liveness_object),
)
OTHER_JSON_BODIES = st.one_of(
    ODD_SELFIES,
    st.builds(
        _with_extra_keys,
        GOOD_IMAGE_FIELDS,
        st.dictionaries(st.text(max_size=8), JSON_VALUES, min_size=1, max_size=3),
    ),
    st.fixed_dictionaries({"image": JSON_VALUES}),
    GOOD_IMAGE_FIELDS.map(_in_a_list),
    JSON_VALUES,
)
OTHER_BODIES: st.SearchStrategy[str | bytes | None] = st.one_of(
    st.builds(_as_json, OTHER_JSON_BODIES, st.booleans()),
    HOSTILE_JSON_TEXTS,
    st.text(max_size=50),
    st.binary(max_size=100),  # mostly not UTF-8: API Gateway sends it base64-encoded
    GOOD_BODIES.map(lambda text: text.encode("utf-16")),
    st.none(),
)


# -- headers ------------------------------------------------------------------------------

CONTENT_TYPE_NAMES = st.sampled_from(
    ["content-type", "Content-Type", "CONTENT-TYPE", "cOnTeNt-TyPe"]
)
JSON_CONTENT_TYPES = st.sampled_from(
    ["application/json", "APPLICATION/JSON", "Application/Json; charset=utf-8"]
)
OTHER_CONTENT_TYPES = st.sampled_from(
    [
        "application/json;charset=UTF-8 ",
        " application/json",
        "application/json; boundary=x",
        "application/jsonx",
        "application/problem+json",
        "text/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=----x",
        "image/jpeg",
        "*/*",
        "",
    ]
) | st.text(max_size=30)

IDEMPOTENCY_NAMES = st.sampled_from(["Idempotency-Key", "idempotency-key", "IDEMPOTENCY-KEY"])
GOOD_IDEMPOTENCY_KEYS = st.sampled_from(IDEMPOTENCY_KEYS) | st.uuids().map(str)
# Spellings uuid.UUID reads, then values that are no UUID at all.
ODD_IDEMPOTENCY_KEYS = st.one_of(
    st.builds(
        _encode,
        st.sampled_from(
            [
                str.upper,
                lambda key: "{" + key + "}",
                lambda key: "urn:uuid:" + key,
                lambda key: key.replace("-", ""),
                lambda key: " " + key + " ",
            ]
        ),
        st.sampled_from(IDEMPOTENCY_KEYS),
    ),
    st.text(max_size=40),
    st.sampled_from(["", "not-a-uuid", "0f8fad5b-d9cb-469f-a165-70867728950", "é" * 36]),
)
API_KEY_NAMES = st.sampled_from(["x-api-key", "X-API-Key"])
HEADER_NAMES = st.text(alphabet="ABCXYZabcxyz0189!#$%&'*+.^_`|~-", min_size=1, max_size=20)

Header = tuple[str, str]


# -- paths --------------------------------------------------------------------------------

_ID_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

GOOD_USER_IDS = weighted(
    (4, st.sampled_from(KNOWN_USERS)),
    (1, st.text(alphabet=_ID_CHARACTERS, min_size=1, max_size=64)),  # compare.schemas' pattern
)
ODD_USER_IDS = st.one_of(
    st.text(max_size=30),
    st.builds(str.__mul__, st.sampled_from(["a", "_-9"]), st.integers(22, 5_000)),
    st.text(min_size=1, max_size=30).map(lambda text: urllib.parse.quote(text, safe="")),
    st.sampled_from(
        [
            "",
            ".",
            "..",
            "%2E%2E",
            "a%2Fb",
            "%00",
            "al ice",
            "ålice",
            "alice%20",
            "%",
            "%zz",
            "alice;x",
            "{userId}",
            "<userId>",
            "alice\nbob",
        ]
    ),
)
ODD_PATHS: st.SearchStrategy[Callable[[str], str]] = st.sampled_from(
    [
        lambda route: route + "/",
        lambda route: route + "/extra",
        lambda route: "/v1" + route,
        lambda route: route.upper(),
        lambda route: route.replace("/", "//"),
        lambda route: route + "%2F",
        lambda _: "/users/" + "a" * 10_000,
        lambda _: "/",
        lambda _: "",
        lambda _: "/users",
        lambda _: "/users//registration",
        lambda _: "/health/..",
        lambda _: "/./health",
    ]
)
UNKNOWN_PATHS = st.lists(st.text(max_size=20), min_size=1, max_size=4).map(
    lambda parts: "/" + "/".join(parts)
)


# -- requests and events ------------------------------------------------------------------


class BodyEncoding(enum.Enum):
    """How the body reaches the Lambda."""

    AS_GATEWAY_DOES = "text when it is UTF-8, else base64 with isBase64Encoded"
    BINARY = "always base64 with isBase64Encoded (a binary media type matched)"
    FLAGGED_BUT_NOT_BASE64 = "isBase64Encoded true on a body that is not base64"


class HeaderShape(enum.Enum):
    """How the headers reach the Lambda."""

    BOTH = "headers and multiValueHeaders"
    NO_MULTI_VALUE = "no multiValueHeaders key"
    NULL = "headers and multiValueHeaders null"


def _short_repr() -> reprlib.Repr:
    short = reprlib.Repr()
    short.maxstring = short.maxother = 400
    short.maxlevel, short.maxdict, short.maxlist, short.maxtuple = 4, 30, 30, 30
    return short


SHORT_REPR = _short_repr()


@dataclass(frozen=True, repr=False)
class ApiRequest:
    method: str
    path: str
    route_template: str  # the route the request was made for, before any mutation
    headers: tuple[Header, ...]
    body: str | bytes | None
    body_encoding: BodyEncoding = BodyEncoding.AS_GATEWAY_DOES
    header_shape: HeaderShape = HeaderShape.BOTH
    query: tuple[tuple[str, str], ...] = ()

    def __repr__(self) -> str:
        # Bodies and paths can be megabytes long; a failing example stays readable.
        shown = (f"{f.name}={SHORT_REPR.repr(getattr(self, f.name))}" for f in fields(self))
        return f"ApiRequest({', '.join(shown)})"

    def event(self) -> dict[str, Any]:
        """A fresh proxy event (the handler normalises its event in place)."""
        event = proxy_event(self.method, self.path, body=self.body)
        event["httpMethod"] = event["requestContext"]["httpMethod"] = self.method
        # A repeated header: the last value in `headers`, every value in `multiValueHeaders`.
        single: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        for name, value in self.headers:
            single[name] = value
            multi.setdefault(name, []).append(value)
        event["headers"], event["multiValueHeaders"] = single or None, multi or None
        if self.header_shape is HeaderShape.NO_MULTI_VALUE:
            del event["multiValueHeaders"]
        elif self.header_shape is HeaderShape.NULL:
            event["headers"] = event["multiValueHeaders"] = None
        if self.query:
            event["queryStringParameters"] = dict(self.query)
            event["multiValueQueryStringParameters"] = {
                name: [v for n, v in self.query if n == name] for name, _ in self.query
            }
        raw = self.body.encode() if isinstance(self.body, str) else self.body
        if raw is not None and self.body_encoding is BodyEncoding.BINARY:
            event["body"], event["isBase64Encoded"] = _b64(raw), True
        elif raw is not None and self.body_encoding is BodyEncoding.FLAGGED_BUT_NOT_BASE64:
            event["body"] = raw.decode("utf-8", errors="replace") + "*"
            event["isBase64Encoded"] = True
        return event


@st.composite
def valid_requests(draw: st.DrawFn) -> ApiRequest:
    """A request as the documented client sends it."""
    method, template = draw(st.sampled_from(ROUTES))
    headers: list[Header] = []
    body = None
    if method in WRITES and not template.endswith("/liveness-sessions"):
        headers.append((draw(CONTENT_TYPE_NAMES), draw(JSON_CONTENT_TYPES)))
        body = draw(GOOD_BODIES)
    if draw(st.booleans()):
        headers.append((draw(API_KEY_NAMES), "test-key"))
    if method != "GET" and draw(st.booleans()):
        headers.append((draw(IDEMPOTENCY_NAMES), draw(GOOD_IDEMPOTENCY_KEYS)))
    path = template.format(draw(GOOD_USER_IDS)) if "{}" in template else template
    return ApiRequest(method, path, template, tuple(headers), body)


Mutation = Callable[[st.DrawFn, ApiRequest], ApiRequest]


def any_method(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    return replace(request, method=draw(st.sampled_from(METHODS + ODD_METHODS)))


def method_case(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    """The route's own method in another case (the resolver routes it all the same)."""
    return replace(request, method=draw(st.sampled_from([str.lower, str.title]))(request.method))


def odd_user_id(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    if "{}" not in request.route_template:
        return request
    return replace(request, path=request.route_template.format(draw(ODD_USER_IDS)))


def odd_path(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    return replace(request, path=draw(ODD_PATHS)(request.path))


def unknown_path(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    return replace(request, path=draw(UNKNOWN_PATHS))


def _add_header(draw: st.DrawFn, request: ApiRequest, header: Header) -> ApiRequest:
    """The header inserted anywhere among the others (the last of a name wins)."""
    at = draw(st.integers(0, len(request.headers)))
    return replace(request, headers=(*request.headers[:at], header, *request.headers[at:]))


def other_content_type(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    return _add_header(draw, request, (draw(CONTENT_TYPE_NAMES), draw(OTHER_CONTENT_TYPES)))


def without_content_type(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    kept = tuple(h for h in request.headers if h[0].lower() != "content-type")
    return replace(request, headers=kept)


def odd_idempotency_key(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    key = draw(ODD_IDEMPOTENCY_KEYS | GOOD_IDEMPOTENCY_KEYS)
    return _add_header(draw, request, (draw(IDEMPOTENCY_NAMES), key))


def odd_api_key(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    return _add_header(draw, request, (draw(API_KEY_NAMES), draw(st.text(max_size=30))))


def other_header(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    return _add_header(draw, request, (draw(HEADER_NAMES), draw(st.text(max_size=20))))


def other_body(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    return replace(request, body=draw(OTHER_BODIES))


def bad_image(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    body = draw(st.builds(_as_json, BAD_IMAGE_FIELDS.map(_image_object), st.booleans()))
    return replace(request, body=body)


def body_encoding(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    encoding = draw(st.sampled_from([BodyEncoding.BINARY, BodyEncoding.FLAGGED_BUT_NOT_BASE64]))
    return replace(request, body_encoding=encoding)


def header_shape(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    shape = draw(st.sampled_from([HeaderShape.NO_MULTI_VALUE, HeaderShape.NULL]))
    return replace(request, header_shape=shape)


def query_string(draw: st.DrawFn, request: ApiRequest) -> ApiRequest:
    pairs = draw(
        st.lists(st.tuples(st.text(max_size=10), st.text(max_size=10)), min_size=1, max_size=3)
    )
    return replace(request, query=tuple(pairs))


MUTATIONS = weighted_choice(
    (2, any_method),
    (1, method_case),
    (2, odd_user_id),
    (1, odd_path),
    (1, unknown_path),
    (2, other_content_type),
    (1, without_content_type),
    (2, odd_idempotency_key),
    (1, odd_api_key),
    (1, other_header),
    (3, other_body),
    (4, bad_image),  # the image is where most of the service's checks are
    (2, body_encoding),
    (1, header_shape),
    (1, query_string),
)


@st.composite
def api_requests(draw: st.DrawFn) -> ApiRequest:
    """A valid request, then up to three mutations."""
    request = draw(valid_requests())
    for mutation in draw(st.lists(MUTATIONS, max_size=3)):
        request = mutation(draw, request)
    return request

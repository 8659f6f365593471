"""The local API as `make run` serves it (a real process, real sockets, the real handler and
face engine): API Gateway's key check, proxy events, the camera page, and HTTP as hostile
clients send it. Malformed requests go over raw sockets, so nothing tidies them up."""

from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.browser.local_server import API_KEY, REPO_ROOT, LocalServer, run_local_server
from tests.faces import face_bytes

TIMEOUT = 30  # seconds; a registration runs the face engine


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with run_local_server(tmp_path_factory.mktemp("local-server") / "state") as running:
        yield running


@dataclass(frozen=True)
class Reply:
    status: int
    version: int
    headers: dict[str, str]
    body: bytes

    def error_code(self) -> str:
        code: str = json.loads(self.body)["error"]["code"]
        return code


def registration_body() -> bytes:
    return json.dumps({"image": base64.b64encode(face_bytes("obama_1.jpg")).decode()}).encode()


def request(
    server: LocalServer, path: str, method: str = "GET", key: str | None = API_KEY
) -> Reply:
    req = urllib.request.Request(server.url + path, method=method)
    if key is not None:
        req.add_header("x-api-key", key)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as answer:
            return Reply(answer.status, 11, _lower(answer.headers.items()), answer.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, 11, _lower(error.headers.items()), error.read())


def send_raw(server: LocalServer, data: bytes) -> Reply:
    """Send bytes as they are and read one answer (fails if the server just hangs up)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        return read_reply(sock)


def read_reply(sock: socket.socket) -> Reply:
    answer = http.client.HTTPResponse(sock)
    answer.begin()
    return Reply(answer.status, answer.version, _lower(answer.getheaders()), answer.read())


def _lower(headers: object) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}  # type: ignore[attr-defined]


def is_registered(server: LocalServer, user_id: str) -> bool:
    reply = request(server, f"/v1/users/{user_id}")
    assert reply.status == 200
    registered: bool = json.loads(reply.body)["registered"]
    return registered


def test_requests_without_a_valid_api_key_are_403(server: LocalServer) -> None:
    for key in (None, "wrong"):
        reply = request(server, "/v1/users/alice", key=key)
        assert (reply.status, reply.error_code()) == (403, "FORBIDDEN")


def test_a_non_ascii_api_key_is_a_wrong_key_not_a_dropped_connection(
    server: LocalServer,
) -> None:
    # When the key holds bytes outside ASCII
    reply = send_raw(
        server,
        b"GET /v1/users/alice HTTP/1.1\r\nHost: local\r\nx-api-key: cl\xc3\xa9\r\n\r\n",
    )
    # Then it is just a wrong key
    assert (reply.status, reply.error_code()) == (403, "FORBIDDEN")


def test_health_needs_no_key(server: LocalServer) -> None:
    reply = request(server, "/v1/health", key=None)
    assert (reply.status, json.loads(reply.body)) == (200, {"status": "ok"})


def test_a_registration_travels_through_proxy_events_to_the_handler(server: LocalServer) -> None:
    body = registration_body()
    reply = send_raw(
        server,
        b"POST /v1/users/proxy-event/registration HTTP/1.1\r\nHost: local\r\n"
        b"x-api-key: " + API_KEY.encode() + b"\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
    )
    assert reply.status == 201
    assert reply.headers["content-type"] == "application/json"
    assert json.loads(reply.body)["userId"] == "proxy-event"


def test_undeclared_methods_get_a_json_error_not_an_html_page(server: LocalServer) -> None:
    reply = request(server, "/v1/users/alice/registration", "TRACE")
    assert (reply.status, reply.error_code()) == (404, "NOT_FOUND")


def test_the_camera_page_and_its_config_are_served(server: LocalServer) -> None:
    page = request(server, "/", key=None)
    assert page.status == 200
    assert page.headers["content-type"] == "text/html"
    config = request(server, "/config.json", key=None)
    assert json.loads(config.body) == {"apiBase": "/v1", "apiKey": API_KEY}


def test_static_files_cannot_escape_the_web_folder(server: LocalServer) -> None:
    reply = send_raw(server, b"GET /../../etc/passwd HTTP/1.1\r\nHost: local\r\n\r\n")
    assert (reply.status, reply.error_code()) == (404, "NOT_FOUND")


def test_a_content_length_that_is_not_a_number_is_answered_400(server: LocalServer) -> None:
    reply = send_raw(
        server,
        b"POST /v1/users/alice/verification HTTP/1.1\r\nHost: local\r\n"
        b"Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}",
    )
    assert (reply.status, reply.error_code()) == (400, "INVALID_REQUEST")


def test_a_negative_content_length_is_answered_at_once_and_never_runs(
    server: LocalServer,
) -> None:
    # When a complete registration arrives with Content-Length: -1 (the connection stays open)
    reply = send_raw(
        server,
        b"POST /v1/users/negative-length/registration HTTP/1.1\r\nHost: local\r\n"
        b"x-api-key: " + API_KEY.encode() + b"\r\nContent-Type: application/json\r\n"
        b"Content-Length: -1\r\n\r\n" + registration_body(),
    )
    # Then it is refused without waiting for the connection to end, and nothing is registered
    assert (reply.status, reply.error_code()) == (400, "INVALID_REQUEST")
    assert not is_registered(server, "negative-length")


def test_a_chunked_body_reaches_the_handler(server: LocalServer) -> None:
    body = registration_body()
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 65536]), body[i : i + 65536])
        for i in range(0, len(body), 65536)
    )
    reply = send_raw(
        server,
        b"POST /v1/users/chunked/registration HTTP/1.1\r\nHost: local\r\n"
        b"x-api-key: " + API_KEY.encode() + b"\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n",
    )
    assert reply.status == 201
    assert json.loads(reply.body)["userId"] == "chunked"


def test_a_malformed_request_line_is_answered_400_in_json(server: LocalServer) -> None:
    reply = send_raw(server, b"HELLO THERE\r\n\r\n")
    assert (reply.status, reply.error_code()) == (400, "INVALID_REQUEST")
    assert reply.headers["content-type"] == "application/json"


def test_too_many_headers_are_answered_431_in_json(server: LocalServer) -> None:
    headers = b"".join(b"x-filler-%d: %d\r\n" % (n, n) for n in range(101))
    reply = send_raw(server, b"GET /v1/health HTTP/1.1\r\nHost: local\r\n" + headers + b"\r\n")
    assert (reply.status, reply.error_code()) == (431, "INVALID_REQUEST")
    assert reply.headers["content-type"] == "application/json"


def test_connections_are_kept_alive_over_http_1_1(server: LocalServer) -> None:
    # Given one connection
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    connection.request("GET", "/v1/health")
    first = connection.getresponse()
    first.read()
    sock = connection.sock
    # When a second request follows on it
    connection.request("GET", "/v1/health")
    second = connection.getresponse()
    second.read()
    # Then both are HTTP/1.1 answers on the same, still open socket
    assert (first.version, second.version) == (11, 11)
    assert first.getheader("connection") == "keep-alive"
    assert connection.sock is sock
    connection.close()


def test_a_client_that_gives_up_mid_body_gets_nothing_processed(server: LocalServer) -> None:
    # Given a complete registration announced 100 bytes longer than it is
    body = registration_body()
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
        sock.sendall(
            b"POST /v1/users/gave-up/registration HTTP/1.1\r\nHost: local\r\n"
            b"x-api-key: " + API_KEY.encode() + b"\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body) + 100).encode() + b"\r\n\r\n" + body
        )
    # When the client closes before sending the rest
    # Then the registration never ran (one worker, one request at a time: this comes after)
    assert not is_registered(server, "gave-up")


def test_a_body_over_6_mb_is_answered_413_to_a_client_that_sends_it_all_first(
    server: LocalServer,
) -> None:
    # Given Python's http.client, which sends the whole body before reading an answer
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    body = json.dumps({"image": "A" * (7 * 1024 * 1024)}).encode()
    # When it sends 7 MB
    connection.request(
        "POST",
        "/v1/users/big/verification",
        body=body,
        headers={"x-api-key": API_KEY, "Content-Type": "application/json"},
    )
    answer = connection.getresponse()
    # Then it reads a 413 in the error shape, and the connection still serves
    assert answer.status == 413
    assert json.loads(answer.read())["error"]["code"] == "IMAGE_TOO_LARGE"
    connection.request("GET", "/v1/health")
    assert connection.getresponse().status == 200
    connection.close()


def test_the_s3_servers_access_log_stays_out_of_the_output(server: LocalServer) -> None:
    # When a registration stores its image
    body = registration_body()
    reply = send_raw(
        server,
        b"POST /v1/users/quiet-log/registration HTTP/1.1\r\nHost: local\r\n"
        b"x-api-key: " + API_KEY.encode() + b"\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
    )
    assert reply.status == 201
    # Then no S3 request line shows in what the server prints
    assert not re.search(r"\b(PUT|GET|HEAD|POST) /faceauth-local-images", server.output())


def test_the_server_prints_the_line_the_readme_says_to_wait_for(server: LocalServer) -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    found = re.search(r'wait for "([^"]+)"', readme)
    assert found, "the README says which line to wait for"
    expected = found.group(1).replace(":8080", f":{server.port}")
    assert expected in server.output().splitlines()

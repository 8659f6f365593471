"""Drives one release's Lambda code the way AWS does, against a database migrated elsewhere.

    PYTHONPATH=<release>/layers/common:<release>/functions python release_round_trip.py FACES

Run by tests/integration/test_previous_release.py with an older release's code first on the
path: it calls that code's compare and purge handlers with API Gateway proxy events and a
scheduled event (S3 is moto's, the face engine the local one) and exits non-zero, saying
which step broke, when an answer is not what the API contract promises. It imports nothing
from this repository, so that the code under test is the release's alone.
"""

from __future__ import annotations

import base64
import json
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws


@dataclass
class Context:
    function_name: str = "faceauth-compat"
    function_version: str = "1"
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:000000000000:function:faceauth-compat"
    memory_limit_in_mb: int = 1024
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    log_group_name: str = "/aws/lambda/faceauth-compat"
    log_stream_name: str = "compat"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def proxy_event(method: str, resource: str, user: str, body: Any = None) -> dict[str, Any]:
    """A REST API (v1 stage) Lambda proxy event for /users/{userId}[/<resource>]."""
    path = f"/users/{user}" + (f"/{resource}" if resource else "")
    template = "/users/{userId}" + (f"/{resource}" if resource else "")
    headers = {"x-api-key": "compat", "content-type": "application/json"}
    request_id = str(uuid.uuid4())
    return {
        "resource": template,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"userId": user},
        "stageVariables": {"lambdaAlias": "v1"},
        "requestContext": {
            "resourcePath": template,
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTimeEpoch": 0,
            "protocol": "HTTP/1.1",
            "accountId": "000000000000",
            "apiId": "compat",
            "identity": {"sourceIp": "127.0.0.1", "apiKeyId": None, "userAgent": None},
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def image(faces: Path, name: str) -> dict[str, str]:
    return {"image": base64.b64encode((faces / name).read_bytes()).decode()}


def call(handler: Any, step: str, event: dict[str, Any], status: int) -> dict[str, Any]:
    answer = handler.lambda_handler(event, Context())
    body = json.loads(answer.get("body") or "null")
    if answer["statusCode"] != status:
        sys.exit(f"{step}: expected {status}, got {answer['statusCode']}: {body}")
    print(f"{step}: {status}")
    return body if isinstance(body, dict) else {}


def main() -> None:
    faces = Path(sys.argv[1])
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        bucket = "faceauth-compat-images"
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})

        from compare import handler as compare  # noqa: PLC0415 - the release's, after mock_aws
        from purge import handler as purge  # noqa: PLC0415

        user = f"compat-{uuid.uuid4().hex[:12]}"
        call(
            compare,
            "register",
            proxy_event("POST", "registration", user, image(faces, "obama_1.jpg")),
            201,
        )
        passed = call(
            compare,
            "verify same person",
            proxy_event("POST", "verification", user, image(faces, "obama_2.jpg")),
            200,
        )
        failed = call(
            compare,
            "verify other person",
            proxy_event("POST", "verification", user, image(faces, "biden_1.jpg")),
            200,
        )
        if (passed.get("result"), failed.get("result")) != ("PASS", "FAIL"):
            sys.exit(f"verify: expected PASS then FAIL, got {passed} and {failed}")
        call(compare, "status", proxy_event("GET", "", user), 200)
        summary = purge.lambda_handler({"source": "schedule"}, Context())
        print(f"purge: {summary}")
        call(compare, "erase", proxy_event("DELETE", "registration", user), 204)
    print("release round trip: ok")


if __name__ == "__main__":
    main()

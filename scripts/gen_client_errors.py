"""Generate the typed client's error classes from the API's one error table.

Reads functions/compare/error_codes.json and writes:
- client/faceauth_client/api_errors.py: one `FaceAuthApiError` subclass per code, named after
  it (USER_LOCKED -> UserLockedError; a trailing _ERROR is dropped), with the code, status,
  retryable and message of its row, the lookup by code, and the reading of answers without
  an error body (from the table's gateway responses: such answers come from the edge);
- the error table in client/README.md, between its `gen_client_errors` markers.
The client package copies the table at generation time: installed alone, it reads no repo file.

    python scripts/gen_client_errors.py            # write both files
    python scripts/gen_client_errors.py --check    # exit 1 with a diff when either is stale
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
TABLE_PATH = REPO_ROOT / "functions" / "compare" / "error_codes.json"
MODULE_PATH = REPO_ROOT / "client" / "faceauth_client" / "api_errors.py"
README_PATH = REPO_ROOT / "client" / "README.md"
README_START = "<!-- gen_client_errors: start (generated from the error table; do not edit) -->"
README_END = "<!-- gen_client_errors: end -->"
BASE_CLASS = "FaceAuthApiError"
LINE_LENGTH = 100  # ruff's, from pyproject.toml
# Published names the naming rule would not give (it makes INTERNAL_ERROR InternalError).
CLASS_NAMES = {"INTERNAL_ERROR": "InternalServerError"}


class TableError(ValueError):
    """The error table does not have the shape this generator reads."""


@dataclass(frozen=True)
class ErrorRow:
    code: str
    status: int
    retryable: bool
    retry_after: int | str | None  # seconds, "computed" (the answer's own) or not sent
    message: str

    @property
    def class_name(self) -> str:
        if self.code in CLASS_NAMES:
            return CLASS_NAMES[self.code]
        words = self.code.removesuffix("_ERROR").split("_")
        return "".join(word.capitalize() for word in words) + "Error"

    @property
    def retry_wait(self) -> str | None:
        """What a retry waits for, as the table says."""
        if isinstance(self.retry_after, int):
            return f"the answer's Retry-After ({self.retry_after} s)"
        return "the answer's Retry-After" if self.retry_after == "computed" else None

    @property
    def retry_note(self) -> str:
        if not self.retryable:
            return "not retryable"
        return f"retryable after {self.retry_wait}" if self.retry_wait else "retryable"


@dataclass(frozen=True)
class ErrorTable:
    rows: list[ErrorRow]
    by_status: dict[int, str]  # status -> code, for answers without an error body
    other_4xx: str | None
    other_5xx: str | None


def load_table(document: dict[str, Any]) -> ErrorTable:
    """Check and read the table; raises TableError naming the first bad entry."""
    rows = [_row(code, entry) for code, entry in _mapping(document, "errors").items()]
    names = [row.class_name for row in rows]
    clashes = sorted({name for name in names if names.count(name) > 1 or name == BASE_CLASS})
    if clashes:
        raise TableError(f"codes give the same class name: {', '.join(clashes)}")
    statuses = {row.code: row.status for row in rows}
    by_status: dict[int, str] = {}
    other: dict[int, str] = {}
    for name, response in _mapping(document, "gatewayResponses").items():
        code = response.get("code") if isinstance(response, dict) else None
        if code not in statuses:
            raise TableError(f"gateway response {name}: code {code!r} is not in errors")
        status = response.get("status", statuses[code])
        if status is None:  # the default for every other status of its class (4xx or 5xx)
            other.setdefault(statuses[code] // 100, code)
        elif isinstance(status, int):
            by_status.setdefault(status, code)  # the first listed wins, e.g. THROTTLED on 429
        else:
            raise TableError(f"gateway response {name}: status must be an integer or null")
    return ErrorTable(rows, dict(sorted(by_status.items())), other.get(4), other.get(5))


def _mapping(document: dict[str, Any], key: str) -> dict[str, Any]:
    value = document.get(key)
    if not isinstance(value, dict):
        raise TableError(f"{key!r} must be an object")
    return value


def _row(code: str, entry: Any) -> ErrorRow:
    if not (code.isupper() and code.replace("_", "").isalnum() and code[0].isalpha()):
        raise TableError(f"{code!r}: a code is UPPER_SNAKE_CASE")
    if not isinstance(entry, dict):
        raise TableError(f"{code}: must be an object")
    status, retryable = entry.get("status"), entry.get("retryable")
    retry_after, message = entry.get("retryAfter"), entry.get("message")
    if not (isinstance(status, int) and 400 <= status <= 599):
        raise TableError(f"{code}: status must be an HTTP error status")
    if not isinstance(retryable, bool):
        raise TableError(f"{code}: retryable must be true or false")
    if not (retry_after is None or retry_after == "computed" or type(retry_after) is int):
        raise TableError(f"{code}: retryAfter must be null, seconds or 'computed'")
    if not (isinstance(message, str) and message.strip()):
        raise TableError(f"{code}: message must be a non-empty string")
    return ErrorRow(code, status, retryable, retry_after, message)


def render_module(table: ErrorTable) -> str:
    """The client's api_errors.py, formatted as `ruff format` leaves it."""
    classes = {row.code: row.class_name for row in table.rows}
    lines = [
        "# Generated by scripts/gen_client_errors.py from functions/compare/error_codes.json;",
        "# do not edit: change the table and run `make openapi`.",
        '"""One exception class per code of the API\'s error table.',
        "",
        "Catch them by name (`except UserLockedError`), or branch on `code`, `status` and",
        "`retryable`. `ERRORS_BY_CODE` finds the class of an error body's code; an answer without",
        "an error body comes from the edge (API Gateway, a proxy), and `ERRORS_BY_STATUS` and",
        "`OTHER_4XX_ERROR` / `OTHER_5XX_ERROR` read its status as the gateway responses do.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        f"from faceauth_client.errors import {BASE_CLASS}",
        "",
        "__all__ = [",
        *(f'    "{name}",' for name in sorted(classes.values())),
        "]",
    ]
    for row in table.rows:
        lines += ["", "", f"class {row.class_name}({BASE_CLASS}):"]
        lines += _docstring(f"{row.message}\n\n{row.status} {row.code}; {row.retry_note}.")
        lines += [
            "",
            f"    code = {_literal(row.code)}",
            f"    status = {row.status}",
            f"    retryable = {row.retryable}",
            *_assignment("default_message", row.message),
        ]
    lines += [
        "",
        "",
        f"ERRORS_BY_CODE: dict[str, type[{BASE_CLASS}]] = {{",
        *(f"    {_literal(code)}: {name}," for code, name in classes.items()),
        "}",
        f"ERRORS_BY_STATUS: dict[int, type[{BASE_CLASS}]] = {{",
        *(f"    {status}: {classes[code]}," for status, code in table.by_status.items()),
        "}",
        f"OTHER_4XX_ERROR: type[{BASE_CLASS}] = {classes.get(table.other_4xx or '', BASE_CLASS)}",
        f"OTHER_5XX_ERROR: type[{BASE_CLASS}] = {classes.get(table.other_5xx or '', BASE_CLASS)}",
    ]
    return "\n".join(lines) + "\n"


def _docstring(text: str, indent: str = "    ") -> list[str]:
    width = LINE_LENGTH - len(indent)
    paragraphs = [textwrap.wrap(part, width) for part in text.split("\n\n")]
    body = [line for lines in paragraphs for line in [*lines, ""]][:-1]
    if len(body) == 1 and len(body[0]) + 6 <= width:
        return [f'{indent}"""{body[0]}"""']
    if len(body[0]) + 3 > width:  # the opening quotes need room on the first line
        body = [*textwrap.wrap(body[0], width - 3), *body[1:]]
    first, *rest = body
    return [
        f'{indent}"""{first}',
        *(f"{indent}{line}" if line else "" for line in rest),
        f'{indent}"""',
    ]


def _assignment(name: str, text: str, indent: str = "    ") -> list[str]:
    single = f"{indent}{name} = {_literal(text)}"
    if len(single) <= LINE_LENGTH:
        return [single]
    inner = indent * 2
    parts = textwrap.wrap(text, LINE_LENGTH - len(inner) - 2, drop_whitespace=False)
    return [f"{indent}{name} = (", *(f"{inner}{_literal(part)}" for part in parts), f"{indent})"]


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a double-quoted Python literal for this text


def render_readme_table(table: ErrorTable) -> str:
    lines = [
        "| status | code | exception | retryable | default message |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in sorted(table.rows, key=lambda row: row.status):
        retryable = "yes" if row.retryable else "no"
        if row.retryable and row.retry_wait:
            retryable += f", after {row.retry_wait}"
        lines.append(
            f"| {row.status} | `{row.code}` | `{row.class_name}` | {retryable} | {row.message} |"
        )
    return "\n".join(lines)


def render_readme(current: str, table: ErrorTable) -> str:
    head, start, rest = current.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not (start and end):
        raise TableError(f"{README_PATH.name} lacks the markers {README_START} / {README_END}")
    return f"{head}{README_START}\n{render_readme_table(table)}\n{README_END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a file is out of date")
    parser.add_argument("--table", type=Path, default=TABLE_PATH)
    parser.add_argument("--module", type=Path, default=MODULE_PATH)
    parser.add_argument("--readme", type=Path, default=README_PATH)
    args = parser.parse_args(argv)
    try:
        table = load_table(json.loads(args.table.read_text()))
        readme = args.readme.read_text()
        fresh = {args.module: render_module(table), args.readme: render_readme(readme, table)}
    except TableError as exc:
        print(f"{args.table}: {exc}", file=sys.stderr)
        return 2
    stale = {path: text for path, text in fresh.items() if _read(path) != text}
    if args.check:
        for path, text in stale.items():
            sys.stdout.writelines(
                difflib.unified_diff(
                    _read(path).splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    fromfile=f"{path} (committed)",
                    tofile=f"generated from {args.table.name}",
                )
            )
        if stale:
            print("\nThe client's error types are stale: run `make openapi` and commit them.")
        return 1 if stale else 0
    for path, text in stale.items():
        path.write_text(text)
        print(f"wrote {path}")
    return 0


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


if __name__ == "__main__":
    raise SystemExit(main())

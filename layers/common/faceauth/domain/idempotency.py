"""Safe retries: the first final answer to a request sent with an Idempotency-Key is kept and
replayed to the request's retries, which neither run nor count again.

A key belongs to one request (its fingerprint: method, path and body); the same key with
another request is refused. While the first request runs, its key is held until that
request is surely over (its deadline plus a grace), so a retry racing it waits; if the first
request died, a retry after that takes the key over. Answers a client should retry
(429, 503, an in-progress 423...) are not kept: the retry runs again. Keys expire after a
time to live and are deleted by the purge.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from faceauth.domain.deadline import Deadline
from faceauth.errors import DependencyUnavailable

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer as it was sent: its status and its body (opaque here)."""

    status: int
    body: str


class IdempotencyLedger(Protocol):
    """Where keys and first answers are kept. Each call is its own short transaction."""

    def claim(
        self,
        key: str,
        fingerprint: str,
        now: datetime,
        held_until: datetime,
        expires_at: datetime,
    ) -> Answer | None:
        """Take ``key`` for a request: None when the request is ours to run (a new or
        expired key, or one whose first request died); the first answer when there is one.

        Raises IdempotencyKeyReused (another request's key), IdempotencyKeyInUse (the first
        request may still be running), DependencyUnavailable."""

    def complete(self, key: str, answer: Answer) -> None:
        """Keep the first answer. Raises DependencyUnavailable."""

    def release(self, key: str) -> None:
        """Forget the key: the request may run again. Raises DependencyUnavailable."""


class Idempotency:
    """Runs a request once per key (see the module)."""

    def __init__(
        self,
        ledger: IdempotencyLedger,
        *,
        time_to_live: timedelta,
        grace: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self._ledger = ledger
        self._ttl = time_to_live
        self._grace = grace
        self._clock = clock

    def run_once(
        self,
        key: str,
        fingerprint: str,
        deadline: Deadline,
        run: Callable[[], Answer],
        is_final: Callable[[Answer], bool],
    ) -> tuple[Answer, bool]:
        """The first answer and True for a retry; else run the request, keep its answer if
        ``is_final``, and return it with False. Raises what ``claim`` raises, and what
        ``run`` raises (the key is released then)."""
        now = self._clock()
        request_end = timedelta(seconds=max(0.0, min(deadline.for_cleanup().remaining(), 900.0)))
        first = self._ledger.claim(
            key, fingerprint, now, now + request_end + self._grace, now + self._ttl
        )
        if first is not None:
            return first, True
        try:
            answer = run()
        except BaseException:
            self._release_quietly(key)
            raise
        try:
            if is_final(answer):
                self._ledger.complete(key, answer)
            else:
                self._ledger.release(key)
        except DependencyUnavailable:
            # The answer stands; the key stays held until the request is surely over, then a
            # retry runs again (and meets the state this run left, e.g. ALREADY_REGISTERED).
            logger.warning("idempotency key not settled", extra={"status": answer.status})
        return answer, False

    def _release_quietly(self, key: str) -> None:
        try:
            self._ledger.release(key)
        except DependencyUnavailable:
            logger.warning("idempotency key not released")

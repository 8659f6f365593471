"""One deadline per request: every step, retry and wait is budgeted from the time the
invocation has left, so a request answers (after cleaning up) instead of being killed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from faceauth.errors import OutOfTime


@dataclass(frozen=True, slots=True)
class Deadline:
    """When a request must have finished its work (``at``), and when it must have finished
    cleaning up after a failure and answered (``cleanup_at``), on a monotonic clock."""

    at: float
    cleanup_at: float
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @classmethod
    def for_invocation(
        cls,
        remaining_seconds: float,
        cleanup_margin_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> Deadline:
        """The deadline of an invocation with ``remaining_seconds`` left (Lambda's
        ``get_remaining_time_in_millis``), keeping ``cleanup_margin_seconds`` back."""
        now = clock()
        end = now + remaining_seconds
        return cls(min(end, now + max(0.0, remaining_seconds - cleanup_margin_seconds)), end, clock)

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """Work and cleanup both within ``seconds`` from now."""
        end = clock() + seconds
        return cls(end, end, clock)

    def remaining(self) -> float:
        """Seconds of work time left; negative once passed."""
        return self.at - self.clock()

    def allows(self, seconds: float) -> bool:
        """Whether a step that may take ``seconds`` still ends in time."""
        return self.remaining() >= seconds

    def require(self, seconds: float, step: str) -> None:
        """Raises OutOfTime unless a step that may take ``seconds`` still ends in time."""
        if not self.allows(seconds):
            raise OutOfTime(step)

    def for_cleanup(self) -> Deadline:
        """The time kept back for cleaning up, now spendable."""
        return Deadline(self.cleanup_at, self.cleanup_at, self.clock)


UNLIMITED = Deadline(float("inf"), float("inf"))
"""For work that budgets its time itself (the purge) or has none to keep (tools)."""

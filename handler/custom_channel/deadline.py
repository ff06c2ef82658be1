"""The point in time by which an invocation must have answered."""

from __future__ import annotations

import time
from collections.abc import Callable


class Deadline:
    """A point on the monotonic clock by which the invocation must have answered."""

    def __init__(self, at: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.at = at
        self._clock = clock

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        return self.at - self._clock()

    def earlier(self, seconds: float) -> Deadline:
        """A deadline `seconds` before this one, on the same clock."""
        return Deadline(self.at - seconds, self._clock)

"""A token bucket per container, so one provider quota is respected across workers.

CHANNEL_RATE_LIMIT_PER_SECOND caps the requests this container starts per second (every
attempt counts, retries included), with bursts of up to one second's worth. The account-wide
rate is this figure times the function's concurrency: set reserved concurrency, or the
campaign's MessagesPerSecond, to bound that.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self,
        rate_per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate_per_second
        self._capacity = max(rate_per_second, 1.0)
        self._tokens = self._capacity
        self._updated = clock()
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    def acquire(self, budget_seconds: float) -> bool:
        """Take one token, waiting at most `budget_seconds`; False when none came in time."""
        give_up_at = self._clock() + budget_seconds
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                # The epsilon absorbs float rounding: 0.2 s at 5/s must make a whole token.
                if self._tokens >= 1.0 - 1e-9:
                    self._tokens = max(self._tokens - 1.0, 0.0)
                    return True
                wait = (1.0 - self._tokens) / self.rate
            if now + wait > give_up_at:
                return False
            self._sleep(wait)

    def refund(self) -> None:
        """Give back a token taken for a request that is not sent after all."""
        with self._lock:
            self._tokens = min(self._capacity, self._tokens + 1.0)

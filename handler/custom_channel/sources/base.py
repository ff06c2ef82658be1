"""What an event source provides to the pipeline (sources/__init__.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..events import Event
from ..results import Outcome


class EventSource(Protocol):
    name: str  # "pinpoint" or "connect": in logs, metrics and failure-queue messages
    wait_seconds: float  # how long the caller waits for the answer
    retries_failed_invocations: bool  # whether a raised invocation is retried (not failed)

    def parse(self, raw: object) -> Event:
        """The batch; raises events.InvalidEvent naming the field when it cannot be read."""
        ...

    def ids_of(self, raw: object) -> list[str]:
        """The recipient ids of an event that could not be parsed, to answer each one."""
        ...

    def answer(self, raw: object, outcomes: Mapping[str, Outcome]) -> dict[str, Any]:
        """The response the caller reads, one entry per recipient of the request."""
        ...

    def idempotency_parts(self, event: Event, recipient_id: str) -> tuple[str, ...]:
        """What identifies one delivery, whatever the caller repeats."""
        ...

    def queue_items(
        self, raw: object, names: frozenset[str]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """For the failure queue: the event's context, and each recipient as the source sent
        it, reduced to what delivery reads (the address, consent, and the `names` that the
        templates use). Empty when the event holds no recipients."""
        ...

    def rebuild(self, context: Mapping[str, Any], recipients: Mapping[str, Any]) -> dict[str, Any]:
        """An event of this source from a queued context and queued recipients by id."""
        ...

    def answers_of(self, response: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """Each recipient's status, reason, ... from an answer this source formatted."""
        ...

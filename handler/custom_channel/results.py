"""What happened to each endpoint, and the response Pinpoint reads back.

Every endpoint ends in exactly one status. The response uses the journey format
`{endpointId: {"EventAttributes": {...}}}`: at most 5 attributes (status, reason, attempts,
http_status, recipient), names and values at most 128 characters, so journeys can split on
`status` and on `recipient` (opted_out, unreachable).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

MAX_ATTRIBUTE_LENGTH = 128


class Status(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    UNKNOWN = "unknown"  # sent, but the provider's answer never came: not resent blindly
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Outcome:
    status: Status
    reason: str = ""
    attempts: int = 0
    http_status: int | None = None
    latency_ms: float | None = None
    # A failure the provider surely did not act on, worth another invocation (not final).
    retryable: bool = False
    # What the provider's answer said about the recipient rather than the attempt
    # (adapters/base.py RecipientFact: opted_out, unreachable), or None.
    recipient: str | None = None
    error_code: str | None = None  # the provider's own code, with `recipient` (not answered)

    def as_dict(self, *, clip: bool = True) -> dict[str, str | int]:
        """The one shape an outcome is told in: its status, then its reason (clipped to a
        journey attribute's 128 characters unless `clip` is False), attempts and HTTP status
        when there are any. Pinpoint's EventAttributes, Connect's ResultData and the failure
        queue's message all use it."""
        fields: dict[str, str | int] = {"status": self.status.value}
        if self.reason:
            fields["reason"] = _clip(self.reason) if clip else self.reason
        if self.attempts:
            fields["attempts"] = self.attempts
        if self.http_status is not None:
            fields["http_status"] = self.http_status
        if self.recipient is not None:
            fields["recipient"] = self.recipient
        return fields

    def event_attributes(self) -> dict[str, str]:
        """as_dict, every value a string (a journey's EventAttributes)."""
        return {name: str(value) for name, value in self.as_dict().items()}


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ATTRIBUTE_LENGTH else text[: MAX_ATTRIBUTE_LENGTH - 3] + "..."


def journey_response(outcomes: Mapping[str, Outcome]) -> dict[str, dict[str, dict[str, str]]]:
    return {
        endpoint_id: {"EventAttributes": outcome.event_attributes()}
        for endpoint_id, outcome in outcomes.items()
    }


def tally(outcomes: Iterable[Outcome]) -> dict[str, int]:
    counts = Counter(outcome.status.value for outcome in outcomes)
    return {status.value: counts.get(status.value, 0) for status in Status}

"""The contract every delivery adapter implements.

An adapter turns one endpoint's message into one HTTP request (`build`) and reads the
provider's answer (`classify`). Sending, pooling, retries, backoff and the deadline live in
delivery.py, so an adapter stays a few dozen lines and never touches the network itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from ..events import Endpoint, Event


class AdapterError(ValueError):
    """This endpoint cannot be sent (bad address, missing value); it fails, the batch goes on."""


@dataclass(frozen=True)
class Message:
    """One endpoint's delivery: the campaign Data already personalised for it."""

    event: Event
    endpoint: Endpoint
    data: str
    idempotency_key: str


@dataclass(frozen=True)
class ProviderRequest:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    # True when the provider deduplicates on a key this request carries, so a request whose
    # outcome is unknown (timeout, reset after sending) may be sent again safely.
    idempotent: bool = False


class Verdict(Enum):
    """What an answer says about whether the provider acted (the resend rule, delivery.py)."""

    DELIVERED = "delivered"
    RETRY = "retry"  # the provider surely did not act (429, 503): safe to send again
    FAILED = "failed"  # the provider refused it and did not act: final, sending again won't help
    UNKNOWN = "unknown"  # the provider may have acted (500, 502, 504, ...): never sent blindly


@dataclass(frozen=True)
class Answer:
    verdict: Verdict
    reason: str = ""


class Adapter(Protocol):
    name: str

    def build(self, message: Message) -> ProviderRequest | None:
        """The request to send, or None when there is nothing to send (count only)."""
        ...

    def classify(self, status: int, body: bytes | None) -> Answer:
        """Read the provider's answer; `body` is None when it could not be read in time."""
        ...


# The statuses that say the provider did not act on the request: 429 Too Many Requests
# (RFC 6585, 4: "the user has sent too many requests") and 503 Service Unavailable (RFC 9110,
# 15.6.4: "the server is currently unable to handle the request"). Every other 5xx can follow a
# provider that acted: 500 from a handler that failed after sending, 502 and 504 from a gateway
# that gave up on an upstream that went on (RFC 9110, 15.6.3 and 15.6.5).
NOT_ACTED_STATUSES = frozenset({429, 503})


def classify_by_status(status: int, success: frozenset[int] | range = range(200, 300)) -> Answer:
    """The usual HTTP reading: success codes deliver; 429 and 503 retry (not acted); any other
    5xx is unknown (it may have acted); other codes are final failures."""
    if status in success:
        return Answer(Verdict.DELIVERED)
    if status in NOT_ACTED_STATUSES:
        return Answer(Verdict.RETRY, f"http {status}")
    if 500 <= status <= 599:
        return Answer(Verdict.UNKNOWN, f"http {status}")
    return Answer(Verdict.FAILED, f"http {status}")


def address_required(endpoint: Endpoint) -> str:
    if not endpoint.address:
        raise AdapterError("endpoint has no Address")
    return endpoint.address

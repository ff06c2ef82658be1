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
    DELIVERED = "delivered"
    RETRY = "retry"  # the provider surely did not act (429, 5xx): safe to send again
    FAILED = "failed"  # final: sending again will not help
    UNKNOWN = "unknown"  # the provider may have acted; the answer cannot tell


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


def classify_by_status(status: int, success: frozenset[int] | range = range(200, 300)) -> Answer:
    """The usual HTTP reading: success codes deliver, 429 and 5xx retry, other codes fail."""
    if status in success:
        return Answer(Verdict.DELIVERED)
    if status == 429 or 500 <= status <= 599:
        return Answer(Verdict.RETRY, f"http {status}")
    return Answer(Verdict.FAILED, f"http {status}")


def address_required(endpoint: Endpoint) -> str:
    if not endpoint.address:
        raise AdapterError("endpoint has no Address")
    return endpoint.address

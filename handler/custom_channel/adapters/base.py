"""The contract every delivery adapter implements.

An adapter is one class in one module, listed once in the registry (adapters/__init__.py):
- `name`: the value of CHANNEL_ADAPTER that chooses it;
- `from_environment(env)`: reads and validates its own CHANNEL_<NAME>_* settings at cold
  start, raising ConfigError (config.py) with one line naming the variable;
- `with_secret(secret)`: the adapter ready to send, given the provider secret of this
  invocation (the secret rotates: its value is never kept across invocations);
- `build(message)`: one endpoint's message as one HTTP request;
- `classify(response)`: the provider's answer (status, headers, body) as a Verdict, and what
  it says about the recipient (RecipientFact), if anything;
- `read_receipt(callback)`: a provider's status callback (docs/receipts.md), its signature
  checked first; adapters without receipts keep AdapterBase's, which refuses every callback.
Sending, pooling, retries, backoff, the resend rule and the deadline live in delivery.py, so
an adapter stays a few dozen lines and never touches the network itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import ClassVar, Protocol, Self

from ..events import Endpoint, Event

# The provider secret as secrets.py reads it: a JSON object of strings, or a plain string.
Secret = Mapping[str, str] | str


class AdapterError(ValueError):
    """This endpoint cannot be sent (bad address, missing value); it fails, the batch goes on."""


class RecipientFact(StrEnum):
    """An answer that speaks about the recipient, not about this attempt: true of every later
    message to the same address (docs/receipts.md, "Consent and dead numbers")."""

    OPTED_OUT = "opted_out"  # the recipient said STOP: never send again until they opt in
    UNREACHABLE = "unreachable"  # the address is invalid, not a mobile number, or dead


@dataclass(frozen=True)
class ReceiptTarget:
    """Where the provider reports this message's status (receipts on): the receipts route's
    URL and the message's ref (receipts.py), which names the message and never the address."""

    url: str
    ref: str


@dataclass(frozen=True)
class Message:
    """One endpoint's delivery: the campaign Data already personalised for it."""

    event: Event
    endpoint: Endpoint
    data: str
    idempotency_key: str
    receipt: ReceiptTarget | None = None


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
    recipient: RecipientFact | None = None
    error_code: str | None = None  # the provider's own error code, when it gives one


@dataclass(frozen=True)
class ProviderResponse:
    """The provider's answer to one request, as classify() sees it.

    `headers` looks names up in any case (requests' CaseInsensitiveDict): a provider's
    Retry-After, X-RateLimit-Remaining or its own status header. `body` is at most 64 KiB
    (delivery.py), or None when it did not arrive whole before the deadline.
    """

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None


class ReceiptRefused(Exception):
    """A callback whose signature does not hold (forged, altered, replayed too late): refused
    with 403 and nothing else done. The message never says what was expected."""


class ReceiptInvalid(ValueError):
    """A signed callback that is not a status report this channel can read: 400."""


@dataclass(frozen=True)
class Callback:
    """A provider's status callback as the receipts route received it. `url` is the receipts
    URL the channel gave out (CHANNEL_RECEIPTS_URL), `query` the request's query parameters,
    `headers` its headers by lower-case name, `body` the raw bytes, `now` the epoch seconds."""

    url: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    now: float


# The statuses a receipt can end in (docs/receipts.md): the provider's final word on a message.
FINAL_STATUSES = ("failed", "undelivered", "delivered", "read")


@dataclass(frozen=True)
class Receipt:
    """One status report, read and authenticated by the adapter. `status` is the provider's
    (a non-final one, such as `sent`, changes nothing); `ref` the one the channel sent."""

    ref: str
    message_id: str
    status: str
    error_code: str | None = None
    recipient: RecipientFact | None = None

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


class Adapter(Protocol):
    # The value of CHANNEL_ADAPTER that chooses this adapter; its settings are CHANNEL_<NAME>_*.
    name: ClassVar[str]
    # True when the adapter cannot send without the provider secret: the handler then refuses
    # to start without CHANNEL_SECRET_ID or CHANNEL_SECRET_PARAMETER.
    needs_secret: ClassVar[bool]
    # True when recipients are phone numbers: Connect profiles then offer phone fields first.
    phone_addresses: ClassVar[bool]

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Self:
        """The adapter's settings from the environment; ConfigError naming a bad variable."""
        ...

    def with_secret(self, secret: Secret | None) -> Self:
        """Ready to send with this secret; AdapterError when the secret has the wrong shape."""
        ...

    @property
    def template_names(self) -> frozenset[str]:
        """The endpoint fields the adapter's own templates read (kept with a queued failure)."""
        ...

    @property
    def escape_value(self) -> Callable[[str], str] | None:
        """Applied to each value substituted into the campaign Data (Slack's & < >), or None."""
        ...

    def build(self, message: Message) -> ProviderRequest | None:
        """The request to send, or None when there is nothing to send (count only)."""
        ...

    def classify(self, response: ProviderResponse) -> Answer:
        """Read the provider's answer. RETRY only when the provider surely did not act."""
        ...

    def read_receipt(self, callback: Callback) -> Receipt:
        """A status callback, its signature checked (keyed by this adapter's secret) before
        anything is read; ReceiptRefused when it does not hold, ReceiptInvalid when the
        signed body is not a status report."""
        ...


class AdapterBase:
    """Defaults for the optional parts of the protocol: subclass it and write the rest."""

    name: ClassVar[str]
    needs_secret: ClassVar[bool] = False
    phone_addresses: ClassVar[bool] = False

    def with_secret(self, secret: Secret | None) -> Self:
        return self

    @property
    def template_names(self) -> frozenset[str]:
        return frozenset()

    @property
    def escape_value(self) -> Callable[[str], str] | None:
        return None

    def read_receipt(self, callback: Callback) -> Receipt:
        raise ReceiptRefused(f"the {self.name} adapter reads no receipts")


# The statuses that say the provider did not act on the request: 429 Too Many Requests
# (RFC 6585, 4: "the user has sent too many requests") and 503 Service Unavailable (RFC 9110,
# 15.6.4: "the server is currently unable to handle the request"). Every other 5xx can follow a
# provider that acted: 500 from a handler that failed after sending, 502 and 504 from a gateway
# that gave up on an upstream that went on (RFC 9110, 15.6.3 and 15.6.5).
NOT_ACTED_STATUSES = frozenset({429, 503})


def classify_by_status(
    status: int,
    success: frozenset[int] | range = range(200, 300),
    *,
    label: str = "http",
) -> Answer:
    """The usual HTTP reading, the one every adapter starts from: success codes deliver; 429
    and 503 retry (not acted); any other 5xx is unknown (it may have acted); other codes are
    final failures. The reason is `<label> <status>`."""
    if status in success:
        return Answer(Verdict.DELIVERED)
    if status in NOT_ACTED_STATUSES:
        return Answer(Verdict.RETRY, f"{label} {status}")
    if 500 <= status <= 599:
        return Answer(Verdict.UNKNOWN, f"{label} {status}")
    return Answer(Verdict.FAILED, f"{label} {status}")


def address_required(endpoint: Endpoint) -> str:
    if not endpoint.address:
        raise AdapterError("endpoint has no Address")
    return endpoint.address

"""Generic HTTP: one request per endpoint, with templated headers and body.

Settings (CHANNEL_HTTP_*) are checked at cold start: placeholders never in the URL's scheme,
host or port, https:// unless to a loopback host, no control character in a header template.
A header value rendered with a control character (CR, LF, NUL...; from endpoint data) fails
that endpoint alone, its reason naming the header and not the value.

Receipts (docs/receipts.md, "Your own provider"): with receipts on, each request carries
`X-Channel-Receipt-Url` and `X-Channel-Receipt-Ref`; the provider reports a status by POSTing
JSON `{"ref", "message_id", "status", "error_code", "recipient"}` to that URL, signed with
`X-Channel-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>` keyed by the
provider secret's `receipts_key`; a signature older or newer than 300 s is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar, Self
from urllib.parse import quote

from ..env import (
    CONTROL_CHARACTERS,
    ConfigError,
    EnvReader,
    authority,
    check_template,
    require_https,
)
from ..templating import (
    BODY_ENCODINGS,
    BodyEncoding,
    Template,
    TemplateError,
    compile_template,
    endpoint_lookup,
    escaper,
)
from .base import (
    FINAL_STATUSES,
    AdapterBase,
    AdapterError,
    Answer,
    Callback,
    Message,
    ProviderRequest,
    ProviderResponse,
    Receipt,
    ReceiptInvalid,
    ReceiptRefused,
    RecipientFact,
    Secret,
    classify_by_status,
)

HTTP_METHODS = ("POST", "PUT", "PATCH", "GET")
RECEIPT_URL_HEADER = "X-Channel-Receipt-Url"
RECEIPT_REF_HEADER = "X-Channel-Receipt-Ref"
SIGNATURE_HEADER = "X-Channel-Signature"
# How far a callback's signed time may be from now: a captured callback replayed later is
# refused (a replay within the window changes nothing: receipts.py keeps statuses monotonic).
SIGNATURE_TOLERANCE_SECONDS = 300
# A receipts_key shorter than this could be guessed (HMAC-SHA256's key: RFC 2104, 3, "less
# than L bytes is strongly discouraged"; L = 32 for SHA-256).
MIN_RECEIPTS_KEY_CHARS = 32
RECEIPT_STATUSES = frozenset({*FINAL_STATUSES, "queued", "sending", "sent", "accepted"})
_MESSAGE_ID = re.compile(r"[\x21-\x7e]{1,128}")
_ERROR_CODE = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "form": "application/x-www-form-urlencoded",
    "plain": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class HttpAdapter(AdapterBase):
    name: ClassVar[str] = "http"

    url: str
    method: str = "POST"
    headers: Mapping[str, str] = field(default_factory=dict)
    body_template: str = "{{Data}}"
    body_encoding: BodyEncoding = "json"
    success_codes: frozenset[int] = frozenset(range(200, 300))
    idempotency_header: str | None = None
    secret: Secret | None = field(default=None, repr=False, compare=False)
    # Compiled from the fields above (__post_init__).
    _url: Template = field(init=False, repr=False, compare=False)
    _body: Template = field(init=False, repr=False, compare=False)
    _headers: dict[str, Template] = field(init=False, repr=False, compare=False)
    _escape: Callable[[str], str] = field(init=False, repr=False, compare=False)

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Self:
        reader = EnvReader(env)
        url = reader.required("CHANNEL_HTTP_URL")
        if not re.match(r"^https?://[^\s/]+", url):
            raise ConfigError("CHANNEL_HTTP_URL", "must be an http:// or https:// URL")
        host = authority(url)
        if "{" in host or "}" in host:
            # Endpoint data must never choose where a request goes (and with it the secret
            # in its headers): placeholders only from the path on.
            raise ConfigError(
                "CHANNEL_HTTP_URL",
                "may have placeholders only after the first / of its path, not in its host",
            )
        require_https("CHANNEL_HTTP_URL", url)
        check_template("CHANNEL_HTTP_URL", url)
        body_template = reader.text("CHANNEL_HTTP_BODY_TEMPLATE", "{{Data}}", max_len=16384)
        check_template("CHANNEL_HTTP_BODY_TEMPLATE", body_template)
        try:
            compile_template(body_template)  # a JSON look-alike that is not JSON: refused
        except TemplateError as error:
            raise ConfigError("CHANNEL_HTTP_BODY_TEMPLATE", str(error)) from None
        return cls(
            url=url,
            method=reader.choice("CHANNEL_HTTP_METHOD", HTTP_METHODS, "POST"),
            headers=reader.header_map("CHANNEL_HTTP_HEADERS"),
            body_template=body_template,
            body_encoding=reader.choice("CHANNEL_HTTP_BODY_ENCODING", BODY_ENCODINGS, "json"),
            success_codes=reader.status_codes("CHANNEL_HTTP_SUCCESS_CODES", "200-299"),
            idempotency_header=reader.header_name("CHANNEL_HTTP_IDEMPOTENCY_HEADER"),
        )

    def with_secret(self, secret: Secret | None) -> Self:
        return replace(self, secret=secret)

    @property
    def template_names(self) -> frozenset[str]:
        names: set[str] = set()
        for template in (self._url, self._body, *self._headers.values()):
            names |= template.names
        return frozenset(names)

    def __post_init__(self) -> None:
        try:
            url = compile_template(self.url)
            body = compile_template(self.body_template)
            headers = {key: compile_template(value) for key, value in self.headers.items()}
        except TemplateError as error:  # from_environment checks the limits: not expected
            raise AdapterError(f"http adapter template: {error}") from None
        # Compiled once per instance; frozen, so set past the dataclass's __setattr__.
        object.__setattr__(self, "_url", url)
        object.__setattr__(self, "_body", body)
        object.__setattr__(self, "_headers", headers)
        object.__setattr__(self, "_escape", escaper(self.body_encoding))

    def build(self, message: Message) -> ProviderRequest:
        lookup = endpoint_lookup(
            message.event, message.endpoint, {"Data": message.data}, self.secret
        )
        headers = {key: template.render(lookup) for key, template in self._headers.items()}
        for key, value in headers.items():
            if CONTROL_CHARACTERS.search(value):
                # A CR or LF from endpoint data would add headers (RFC 9110, 5.5).
                raise AdapterError(f"header {key} has a control character")
        headers.setdefault("Content-Type", _CONTENT_TYPES[self.body_encoding])
        idempotent = self.idempotency_header is not None
        if self.idempotency_header:
            headers[self.idempotency_header] = message.idempotency_key
        if message.receipt is not None:
            headers[RECEIPT_URL_HEADER] = message.receipt.url
            headers[RECEIPT_REF_HEADER] = message.receipt.ref
        body = None
        if self.method != "GET":
            body = self._body.render(lookup, self._escape).encode("utf-8")
        return ProviderRequest(
            method=self.method,
            url=self._url.render(lookup, _url_escape),
            headers=headers,
            body=body,
            idempotent=idempotent,
        )

    def classify(self, response: ProviderResponse) -> Answer:
        return classify_by_status(response.status, self.success_codes)

    def read_receipt(self, callback: Callback) -> Receipt:
        key = self.secret.get("receipts_key", "") if isinstance(self.secret, Mapping) else ""
        if len(key) < MIN_RECEIPTS_KEY_CHARS:
            raise ReceiptRefused(
                f"the provider secret has no receipts_key of {MIN_RECEIPTS_KEY_CHARS}+ characters"
            )
        check_signature(
            key, callback.headers.get(SIGNATURE_HEADER.lower(), ""), callback.body, callback.now
        )
        try:
            report = json.loads(callback.body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ReceiptInvalid("body is not JSON") from None
        if not isinstance(report, dict):
            raise ReceiptInvalid("body is not a JSON object")
        ref, message_id = report.get("ref"), report.get("message_id")
        status, code = report.get("status"), report.get("error_code")
        recipient = report.get("recipient")
        if not isinstance(ref, str) or not ref:
            raise ReceiptInvalid("ref is missing")
        if not isinstance(message_id, str) or not _MESSAGE_ID.fullmatch(message_id):
            raise ReceiptInvalid("message_id must be 1-128 printable ASCII characters")
        if status not in RECEIPT_STATUSES:
            raise ReceiptInvalid(f"status must be one of {', '.join(sorted(RECEIPT_STATUSES))}")
        if code is not None and (not isinstance(code, str) or not _ERROR_CODE.fullmatch(code)):
            raise ReceiptInvalid("error_code must be 1-32 letters, digits, _ . or -")
        facts = {fact.value: fact for fact in RecipientFact}
        if recipient is not None and recipient not in facts:
            raise ReceiptInvalid(f"recipient must be one of {', '.join(sorted(facts))}")
        return Receipt(ref, message_id, status, code, facts.get(recipient or ""))


def receipt_signature(key: str, timestamp: int, body: bytes) -> str:
    """The v1 signature of a callback body: hex HMAC-SHA256 of "<timestamp>." + body."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(key.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def check_signature(key: str, header: str, body: bytes, now: float) -> None:
    """X-Channel-Signature `t=<unix seconds>,v1=<hex>`: ReceiptRefused unless one v1 matches
    the body and t is within SIGNATURE_TOLERANCE_SECONDS of now."""
    parts = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for name, _, value in parts if name == "t"]
    signatures = [value for name, _, value in parts if name == "v1"]
    if len(stamps) != 1 or not _TIMESTAMP.fullmatch(stamps[0]) or not signatures:
        raise ReceiptRefused(f"{SIGNATURE_HEADER} is missing or malformed")
    timestamp = int(stamps[0])
    if abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        raise ReceiptRefused(f"{SIGNATURE_HEADER} is too old or too new")
    expected = receipt_signature(key, timestamp, body).encode("ascii")
    if not any(hmac.compare_digest(expected, value.encode("utf-8")) for value in signatures):
        raise ReceiptRefused(f"{SIGNATURE_HEADER} does not match")


def _url_escape(value: str) -> str:
    escaped = quote(value, safe="")
    if escaped in (".", ".."):
        # A dot segment: the client removes it (RFC 3986, 5.2.4), and requests decodes %2E
        # back to ".", so no encoding keeps it: the request would go to another path.
        raise AdapterError(f"a URL value may not be {value!r}")
    return escaped

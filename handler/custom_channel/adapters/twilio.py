"""Twilio Programmable Messaging: SMS and WhatsApp through the Messages API.

POST {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, basic auth
with the account SID and auth token from the secret (keys `account_sid`, `auth_token`).
The message body is the campaign Data personalised for the endpoint.

Against SMS pumping and toll fraud (endpoint addresses are written by end users,
docs/security.md): the Address must be an E.164 number (`+`, then 7-15 digits, the first
1-9; `whatsapp:` before it only in WhatsApp mode) and start with one of the calling-code
prefixes of CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES (default `1`); otherwise the endpoint fails
with `blocked: ...`, before anything is sent. No reason names the number.

Receipts (docs/receipts.md): with receipts on, each message asks for status callbacks
(`StatusCallback`, the receipts URL with the message's ref), and read_receipt authenticates
them by `X-Twilio-Signature` (Twilio, "Webhooks security": base64 HMAC-SHA1 keyed by the
auth token over the URL followed by each POST parameter's name and value, sorted by name).
Answers and callbacks whose error code speaks about the recipient (RECIPIENT_ERRORS) carry a
RecipientFact.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar, Self
from urllib.parse import parse_qsl, urlencode

from ..env import ConfigError, EnvReader
from .base import (
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
    Verdict,
    address_required,
    classify_by_status,
)

MAX_BODY_CHARS = 1600  # Twilio rejects longer bodies with error 21617
# Phone-number endpoints; WhatsApp numbers are often kept as CUSTOM endpoints.
CHANNEL_TYPES = frozenset({"SMS", "CUSTOM"})
# E.164 (ITU-T): "+", a country code starting 1-9, at most 15 digits in all; 7 at least.
_E164 = re.compile(r"\+([1-9][0-9]{6,14})")
# E.164 number, Messaging Service SID, or alphanumeric sender id (at least one letter).
_SENDER = re.compile(
    r"^(\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32}|(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9 ]{1,11})$"
)
# US and Canada (and the other NANP countries): where Twilio's Geo Permissions start too.
DEFAULT_COUNTRY_CODES = ("1",)
# Twilio's error codes that say something about the recipient, not the attempt (Twilio's
# Error and Warning Dictionary): 21610 "Attempt to send to unsubscribed recipient" (the
# recipient replied STOP); 21211 "Invalid 'To' Phone Number"; 21614 "'To' number is not a
# valid mobile number"; 30005 "Unknown destination handset" and 30006 "Landline or unreachable
# carrier" (delivery-time codes of a status callback). 30003 "Unreachable destination
# handset" is not here: a phone switched off is unreachable today, not for good.
RECIPIENT_ERRORS: Mapping[str, RecipientFact] = {
    "21610": RecipientFact.OPTED_OUT,
    "21211": RecipientFact.UNREACHABLE,
    "21614": RecipientFact.UNREACHABLE,
    "30005": RecipientFact.UNREACHABLE,
    "30006": RecipientFact.UNREACHABLE,
}
# A Messages resource's status (Twilio, "Message resource": status values).
MESSAGE_STATUSES = frozenset(
    {
        "queued",
        "sending",
        "sent",
        "failed",
        "delivered",
        "undelivered",
        "receiving",
        "received",
        "accepted",
        "scheduled",
        "read",
        "partially_delivered",
        "canceled",
    }
)
_MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-fA-F]{32}")
_ERROR_CODE = re.compile(r"[0-9]{1,8}")


@dataclass(frozen=True)
class TwilioAdapter(AdapterBase):
    name: ClassVar[str] = "twilio"
    needs_secret: ClassVar[bool] = True
    phone_addresses: ClassVar[bool] = True

    sender: str
    whatsapp: bool = False
    api_base: str = "https://api.twilio.com"
    allowed_country_codes: tuple[str, ...] = DEFAULT_COUNTRY_CODES
    # Set by with_secret: the Messages URL of the account, and its basic-auth headers.
    url: str = field(default="", repr=False, compare=False)
    request_headers: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    # Set by with_secret: the auth token, which keys the status callbacks' signatures.
    auth_token: str = field(default="", repr=False, compare=False)

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Self:
        reader = EnvReader(env)
        sender = reader.required("CHANNEL_TWILIO_FROM")
        if not _SENDER.match(sender):
            raise ConfigError(
                "CHANNEL_TWILIO_FROM",
                "must be an E.164 number (+15551234567), a Messaging Service SID (MG...) "
                "or an alphanumeric sender id",
            )
        return cls(
            sender=sender,
            whatsapp=reader.boolean("CHANNEL_TWILIO_WHATSAPP", False),
            api_base=reader.base_url("CHANNEL_TWILIO_API_BASE", "https://api.twilio.com"),
            allowed_country_codes=reader.country_codes(
                "CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES", DEFAULT_COUNTRY_CODES
            ),
        )

    def with_secret(self, secret: Secret | None) -> Self:
        if (
            not isinstance(secret, Mapping)
            or not secret.get("account_sid")
            or not secret.get("auth_token")
        ):
            raise AdapterError(
                "the twilio secret must be a JSON object with account_sid and auth_token"
            )
        account = secret["account_sid"]
        token = base64.b64encode(f"{account}:{secret['auth_token']}".encode()).decode()
        return replace(
            self,
            auth_token=secret["auth_token"],
            url=f"{self.api_base}/2010-04-01/Accounts/{account}/Messages.json",
            request_headers={
                "Authorization": f"Basic {token}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )

    def build(self, message: Message) -> ProviderRequest:
        if message.endpoint.channel_type not in CHANNEL_TYPES:
            raise AdapterError(
                f"twilio cannot deliver to {message.endpoint.channel_type} endpoints"
            )
        address = self._destination(address_required(message.endpoint))
        if not message.data:
            raise AdapterError("message body is empty")
        if len(message.data) > MAX_BODY_CHARS:
            raise AdapterError(f"message body is longer than {MAX_BODY_CHARS} characters")
        sender = self.sender
        if self.whatsapp:
            address, sender = _whatsapp(address), _whatsapp(sender)
        fields = {"To": address, "Body": message.data}
        fields["MessagingServiceSid" if sender.startswith("MG") else "From"] = sender
        if message.receipt is not None:
            fields["StatusCallback"] = callback_url(message.receipt.url, message.receipt.ref)
        return ProviderRequest(
            method="POST",
            url=self.url,
            headers=self.request_headers,
            body=urlencode(fields).encode("ascii"),
        )

    def _destination(self, address: str) -> str:
        """The Address as an allowed E.164 number (with `whatsapp:` in WhatsApp mode)."""
        number = address
        if self.whatsapp and number.startswith("whatsapp:"):
            number = number[len("whatsapp:") :]
        match = _E164.fullmatch(number)
        if match is None:
            raise AdapterError("blocked: Address is not an E.164 number (+ and 7-15 digits)")
        if not match.group(1).startswith(self.allowed_country_codes):
            raise AdapterError("blocked: destination not in CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES")
        return address

    def classify(self, response: ProviderResponse) -> Answer:
        answer = classify_by_status(response.status, label="twilio http")
        if answer.verdict is not Verdict.FAILED:
            return answer
        # Twilio's message text can quote the phone number; keep only its error code.
        code = _error_code(response.body)
        return Answer(
            Verdict.FAILED, f"{answer.reason} error {code}", RECIPIENT_ERRORS.get(code), code
        )

    def read_receipt(self, callback: Callback) -> Receipt:
        """A status callback: its signature first, over the URL exactly as the channel gave
        it to Twilio (the receipts URL and the ref, which is URL-safe: receipts.py)."""
        ref = callback.query.get("ref", "")
        signature = callback.headers.get("x-twilio-signature", "")
        try:
            params = parse_qsl(callback.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise ReceiptRefused("X-Twilio-Signature does not match") from None
        expected = twilio_signature(self.auth_token, callback_url(callback.url, ref), params)
        if not self.auth_token or not hmac.compare_digest(
            signature.encode("utf-8"), expected.encode("ascii")
        ):
            raise ReceiptRefused("X-Twilio-Signature does not match")
        form = dict(params)
        sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
        if not _MESSAGE_SID.fullmatch(sid):
            raise ReceiptInvalid("MessageSid is missing or not a message SID")
        if status not in MESSAGE_STATUSES:
            raise ReceiptInvalid("MessageStatus is missing or not a Twilio message status")
        code = form.get("ErrorCode") or None
        if code is not None and not _ERROR_CODE.fullmatch(code):
            raise ReceiptInvalid("ErrorCode is not a number")
        return Receipt(ref, sid, status, code, RECIPIENT_ERRORS.get(code or ""))


def callback_url(base: str, ref: str) -> str:
    """The StatusCallback of one message: the receipts URL with the message's ref."""
    return f"{base}?ref={ref}"


def twilio_signature(auth_token: str, url: str, params: list[tuple[str, str]]) -> str:
    """X-Twilio-Signature (Twilio, "Webhooks security"): the URL, then each POST parameter's
    name and value, sorted by name (values sorted too when a name repeats), HMAC-SHA1 keyed
    by the auth token, base64."""
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode("ascii")


def _whatsapp(address: str) -> str:
    return address if address.startswith("whatsapp:") else f"whatsapp:{address}"


def _error_code(body: bytes | None) -> str:
    try:
        code = json.loads(body or b"{}").get("code")
    except (ValueError, AttributeError):
        return "unknown"
    return str(code) if code is not None else "unknown"

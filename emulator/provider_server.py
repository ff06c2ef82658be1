"""A real HTTP server on 127.0.0.1 that stands in for a messaging provider.

Used by the demo and the end-to-end tests. Each request is answered by a `responder`
function that returns a Reply: a status with body and headers after an optional delay, a
connection reset after the request was read, or a response that trickles out slowly (the
body, or the whole response from its status line on). The server records every request and
the highest number of requests it held in flight at once.

For fault tests it also records how each exchange ended (`exchanges`: answered in full,
reset, or the client hung up first, and when), can reset connections the moment it accepts
them, before reading a byte (`reset_on_accept`), and can stop listening for a while and
come back on the same port (`pause` / `resume`). Times are time.monotonic() readings.

Whether the provider *acted* on a request (queued the message, posted it) is the responder's
call, per request: `Reply.acted` (by default: a 2xx answer acted, anything else did not). A
provider can act and still answer 500, reset the connection or hold the answer; a fault test
counts the requests acted on (`Exchange.acted`, `ProviderServer.acted_on`) to prove that
nothing went out twice. `Deduplicating` wraps a responder as a provider that deduplicates on
an idempotency-key header: a key it already acted on is answered, but not acted on again.

Answers leave as a provider's front end sends them: TCP_NODELAY, and the status line, headers
and body in one write (apart, Nagle's algorithm held the body for the client's delayed ACK,
~40 ms). `ProviderProcess` runs a server with one canned Reply in a process of its own, for
measurements that must not count the server's CPU (demo/bench.py).

Delivery receipts: `TwilioMessages` (the Twilio Messages API) posts Twilio's signed status
callbacks to a message's StatusCallback, and `GenericReceipts` wraps any responder as a
generic HTTP provider that posts the channel's signed JSON receipts to X-Channel-Receipt-Url;
both post from a background thread (`CallbackSender`) after a delay, never holding the API's
answer, with each message's outcome chosen by the test (`Outcome`), and record every callback
and the receiver's answer.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import heapq
import hmac
import json
import select
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

# How an exchange ended (Exchange.ended).
ANSWERED = "answered"  # every byte of the reply was written
RESET = "reset"  # the server reset the connection after reading the request (Reply.reset)
CLIENT_LEFT = "client left"  # the client closed or reset the connection before the reply ended
DROPPED = "dropped"  # the server went down (pause) while the exchange was open
ERROR = "error"  # the responder raised


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    arrived_at: float = 0.0  # time.monotonic() when its request line was read

    def json(self) -> object:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b'{"ok":true}'
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0  # seconds to hold the request before answering (less if the client leaves)
    reset: bool = False  # close the connection with a TCP reset instead of answering
    trickle_seconds: float = 0.0  # spread the body over this long, one byte at a time
    trickle_head: bool = False  # with trickle_seconds: the status line and headers trickle too
    # Whether the provider acted on the request before it answered (or reset, or held it).
    # None: it acted when the answer is a 2xx, as a provider that answers after its work does.
    acted: bool | None = None

    @property
    def acts(self) -> bool:
        if self.acted is not None:
            return self.acted
        return not self.reset and 200 <= self.status <= 299


@dataclass
class Exchange:
    """One request and how it ended: what a fault test checks its deadlines against."""

    request: Received
    status: int | None = None  # the status of the reply, once the server started to send it
    ended: str = ""  # ANSWERED, RESET, CLIENT_LEFT, DROPPED or ERROR; "" while still open
    ended_at: float | None = None
    acted: bool = False  # the provider acted on the request (Reply.acts), whatever it answered

    @property
    def open(self) -> bool:
        return not self.ended


Responder = Callable[[Received], Reply]


def header(request: Received, name: str) -> str | None:
    """A request header, whatever the case the client spelled its name in."""
    wanted = name.lower()
    for key, value in request.headers.items():
        if key.lower() == wanted:
            return value
    return None


class Deduplicating:
    """A provider that deduplicates on an idempotency key: the wrapped responder decides each
    answer, but a request whose key (the `key_header` header) was already acted on is not acted
    on again. Requests without the key are acted on as the responder says."""

    def __init__(self, responder: Responder, key_header: str) -> None:
        self.responder = responder
        self.key_header = key_header
        self.duplicates = 0  # requests answered without acting: their key was acted on before
        self._acted_keys: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, request: Received) -> Reply:
        reply = self.responder(request)
        key = header(request, self.key_header)
        if key is None or not reply.acts:
            return reply
        with self._lock:
            if key in self._acted_keys:
                self.duplicates += 1
                return replace(reply, acted=False)
            self._acted_keys.add(key)
        return reply


################################################################################
# Delivery receipts: the status callbacks a provider posts after it took a message
################################################################################

TWILIO_API_VERSION = "2010-04-01"
TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"
CHANNEL_SIGNATURE_HEADER = "X-Channel-Signature"
RECEIPT_URL_HEADER = "X-Channel-Receipt-Url"
RECEIPT_REF_HEADER = "X-Channel-Receipt-Ref"
CALLBACK_DELAY = 0.2  # seconds between the API's answer and the first callback (default)
# The statuses a message can end in (Twilio API reference, Message resource, "Message status
# values"): delivered / read (the handset has it), undelivered (the carrier could not deliver
# it), failed (it never left Twilio).
FINAL_STATUSES = ("delivered", "undelivered", "failed", "read")
# Twilio's synchronous errors for a 'To' (https://www.twilio.com/docs/errors/<code>).
TWILIO_API_ERRORS = {
    21211: "Invalid 'To' Phone Number",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
}


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """X-Twilio-Signature as Twilio computes it (Twilio docs, "Webhooks security",
    https://www.twilio.com/docs/usage/webhooks/webhooks-security, and "Security",
    https://www.twilio.com/docs/usage/security#validating-requests): the full URL as given
    (query string included), then every POST parameter sorted by name, each name immediately
    followed by its value, no delimiters; HMAC-SHA1 keyed by the account's auth token;
    base64."""
    data = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def channel_signature(receipts_key: str, timestamp: int, body: bytes) -> str:
    """X-Channel-Signature of a generic HTTP provider's receipt (the channel's receipts
    contract): `t=<unix seconds>,v1=<hex HMAC-SHA256(receipts_key, "<t>." + raw body)>`."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(receipts_key.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass(frozen=True)
class Outcome:
    """How a message ends: its final status and, when it did not reach the handset, the
    error code the provider gives in the callback."""

    status: str = "delivered"
    error_code: int | None = None
    # The generic contract's `recipient` (opted_out, unreachable): what a provider of one's
    # own says about the recipient; Twilio says it by its error code alone.
    recipient: str | None = None

    def __post_init__(self) -> None:
        if self.status not in FINAL_STATUSES:
            raise ValueError(f"a final status is one of {', '.join(FINAL_STATUSES)}")
        if (self.error_code is None) == (self.status in ("undelivered", "failed")):
            raise ValueError("undelivered and failed carry an error code, the others none")


# Twilio's error codes (facts.md; https://www.twilio.com/docs/errors/<code>).
DELIVERED = Outcome()
READ = Outcome("read")
UNREACHABLE = Outcome("undelivered", 30003)  # unreachable destination handset
UNKNOWN_DESTINATION = Outcome("undelivered", 30005)  # unknown destination handset
LANDLINE = Outcome("undelivered", 30006)  # landline or unreachable carrier
OPTED_OUT = Outcome("failed", 21610)  # the recipient replied STOP


@dataclass(frozen=True)
class Callback:
    """One status callback to post: its URL (as the request gave it: what is signed), the
    body, its headers, its fields (the form's, or the JSON object's) for tests to read, and
    where it is actually posted (`target`: the URL itself unless redirected)."""

    url: str
    body: bytes
    headers: dict[str, str]
    fields: dict[str, str]
    target: str = ""

    @property
    def post_to(self) -> str:
        return self.target or self.url


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
NOT_LOCAL = "not a loopback address"  # SentCallback.error of a callback never posted


def redirect_to(base: str) -> Callable[[str], str]:
    """A `deliver_to` that posts each callback to `base` (`http://127.0.0.1:PORT`) with the
    callback URL's own path and query: for a StatusCallback naming the deployed receipts route
    (`https://<api>.execute-api.<region>.amazonaws.com/receipts?ref=...`) whose function is
    served locally. The signature still covers the URL as given, as the provider signs it."""
    root = base.rstrip("/")

    def target(url: str) -> str:
        parts = urlsplit(url)
        return f"{root}{parts.path}" + (f"?{parts.query}" if parts.query else "")

    return target


@dataclass(frozen=True)
class SentCallback:
    """A callback as it was posted, and how the receiver answered it."""

    callback: Callback
    status: int | None  # the receiver's HTTP status; None when it gave no answer
    answer: bytes  # the receiver's body
    error: str  # "" when answered; else why not (the exception's class name)
    sent_at: float  # time.monotonic() when the post started

    @property
    def url(self) -> str:
        return self.callback.url

    @property
    def fields(self) -> dict[str, str]:
        return self.callback.fields

    @property
    def headers(self) -> dict[str, str]:
        return self.callback.headers

    @property
    def body(self) -> bytes:
        return self.callback.body

    @property
    def message_status(self) -> str:
        """MessageStatus (Twilio) or status (generic)."""
        return self.fields.get("MessageStatus") or self.fields.get("status") or ""


class CallbackSender:
    """Posts status callbacks from background threads, each group `delay` seconds after it
    was scheduled and its callbacks one after another in order, and records every post and
    the receiver's answer (`sent`). Never blocks the caller: the API's answer leaves at once.
    `workers` groups (one message's callbacks each) are posted side by side, as a provider
    reports many messages at once. The threads start with the first group; `close()` stops
    them (unsent callbacks dropped)."""

    def __init__(self, timeout: float = 10.0, *, workers: int = 4) -> None:
        self.timeout = timeout
        self.workers = workers
        self.sent: list[SentCallback] = []
        self._queue: list[tuple[float, int, list[Callback]]] = []  # a heap, by due time
        self._sequence = 0
        self._sending = 0  # groups taken off the queue, not yet all posted
        self._closed = False
        self._changed = threading.Condition()
        self._threads: list[threading.Thread] = []

    def post_later(self, delay: float, callbacks: list[Callback]) -> None:
        if not callbacks:
            return
        with self._changed:
            if self._closed:
                return
            self._sequence += 1
            heapq.heappush(
                self._queue, (time.monotonic() + max(delay, 0.0), self._sequence, callbacks)
            )
            if not self._threads:
                self._threads = [
                    threading.Thread(target=self._run, name="status-callbacks", daemon=True)
                    for _ in range(self.workers)
                ]
                for thread in self._threads:
                    thread.start()
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float) -> list[SentCallback]:
        """The callbacks posted so far once at least `count` were (or `timeout` passed)."""
        give_up_at = time.monotonic() + timeout
        with self._changed:
            while len(self.sent) < count:
                left = give_up_at - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return list(self.sent)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every scheduled callback was posted; False if not within `timeout`."""
        give_up_at = time.monotonic() + timeout
        with self._changed:
            while self._queue or self._sending:
                left = give_up_at - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._queue.clear()
            self._changed.notify_all()
            threads = list(self._threads)
        for thread in threads:
            thread.join(self.timeout + 5)

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._closed:
                    if self._queue and self._queue[0][0] <= time.monotonic():
                        break
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._changed.wait(wait)
                if self._closed:
                    return
                _, _, callbacks = heapq.heappop(self._queue)
                self._sending += 1
            try:
                for callback in callbacks:
                    if self._closed:
                        break
                    self._post(callback)
            finally:
                with self._changed:
                    self._sending -= 1
                    self._changed.notify_all()

    def _post(self, callback: Callback) -> None:
        started = time.monotonic()
        if urlsplit(callback.post_to).hostname not in LOOPBACK_HOSTS:
            # The offline world posts nowhere else: a callback URL of a real deployment is
            # recorded, not sent (redirect it with deliver_to).
            with self._changed:
                self.sent.append(SentCallback(callback, None, b"", NOT_LOCAL, started))
                self._changed.notify_all()
            return
        try:
            # One connection per post: the worker threads share no session.
            answer = requests.post(
                callback.post_to,
                data=callback.body,
                headers=callback.headers,
                timeout=self.timeout,
            )
            sent = SentCallback(callback, answer.status_code, answer.content, "", started)
        except requests.RequestException as error:
            sent = SentCallback(callback, None, b"", type(error).__name__, started)
        with self._changed:
            self.sent.append(sent)
            self._changed.notify_all()


class _PostsCallbacks:
    """What both stand-ins that report statuses share: their CallbackSender's records."""

    sender: CallbackSender

    @property
    def callbacks(self) -> list[SentCallback]:
        return list(self.sender.sent)

    def wait_for_callbacks(self, count: int, timeout: float = 30.0) -> list[SentCallback]:
        return self.sender.wait_for(count, timeout)

    def close(self) -> None:
        self.sender.close()


class TwilioMessages(_PostsCallbacks):
    """Twilio's Programmable Messaging API as a responder: the Messages resource of one
    account (Twilio API reference, "Message resource", Create a Message):
    `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded, HTTP basic auth with
    the account SID and auth token. A message it takes is answered 201 with the created
    resource (`sid`, `status: queued`); bad credentials 401 (error 20003), any other path 404
    (error 20404). `messages` holds every form it took, in order (To, From or
    MessagingServiceSid, Body, StatusCallback).

    Synchronous refusals, by `To`: a number in `refused` is answered 400 with error 21211
    ("Invalid 'To' Phone Number"), one in `api_errors` 400 with its code (21610, 21211 or
    21614: TWILIO_API_ERRORS), as Twilio's JSON error `{code, message, more_info, status}`.

    Status callbacks (Twilio docs, "Track the message status of outbound messages",
    https://www.twilio.com/docs/messaging/guides/track-outbound-message-status): a message
    taken with a `StatusCallback` gets, `callback_delay` seconds later and from a background
    thread (the API's answer never waits), form-encoded POSTs to that URL exactly as given:
    first `sent`, then its final status (`outcomes[To]`, DELIVERED for a number not listed),
    each with MessageSid / SmsSid (the sid the API answered), MessageStatus / SmsStatus,
    AccountSid, From, To, ApiVersion, MessagingServiceSid when the request named one, and
    ErrorCode when undelivered or failed; signed with X-Twilio-Signature (`twilio_signature`).
    For tests, as Twilio may do: `duplicate_callbacks` posts each callback twice, and
    `final_first` posts the final status before `sent`. `callbacks` records every post and
    the receiver's answer; `wait_for_callbacks` waits for them; `close()` stops the sender.
    Callbacks are posted to loopback addresses only: `deliver_to` (e.g. `redirect_to(base)`)
    maps a StatusCallback of a real deployment to the local server standing in for it; any
    other is recorded with error NOT_LOCAL and not sent.
    """

    DEFAULT_FROM = "+15005550006"  # Twilio's magic test number for a valid sender

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        refused: frozenset[str] = frozenset(),
        *,
        api_errors: Mapping[str, int] | None = None,
        outcomes: Mapping[str, Outcome] | None = None,
        callback_delay: float = CALLBACK_DELAY,
        duplicate_callbacks: bool = False,
        final_first: bool = False,
        deliver_to: Callable[[str], str] | None = None,
    ):
        self.account_sid = account_sid
        self.deliver_to = deliver_to
        self.auth_token = auth_token
        self.path = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        token = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self._authorization = f"Basic {token}"
        self.refused = refused
        self.api_errors = dict(api_errors or {})
        unknown = sorted(set(self.api_errors.values()) - set(TWILIO_API_ERRORS))
        if unknown:
            raise ValueError(
                f"api_errors: codes {unknown} are not among {sorted(TWILIO_API_ERRORS)}"
            )
        self.outcomes = dict(outcomes or {})
        self.callback_delay = callback_delay
        self.duplicate_callbacks = duplicate_callbacks
        self.final_first = final_first
        self.messages: list[dict[str, str]] = []
        self.sids: list[str] = []  # the sid of each message taken, in order
        self.sender = CallbackSender()
        self._lock = threading.Lock()

    @staticmethod
    def _error(status: int, code: int, message: str) -> Reply:
        body = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return Reply(status, json.dumps(body).encode())

    def __call__(self, request: Received) -> Reply:
        if request.method != "POST" or request.path != self.path:
            return self._error(404, 20404, "The requested resource was not found")
        if header(request, "Authorization") != self._authorization:
            return self._error(401, 20003, "Authenticate")
        form = {key: values[-1] for key, values in parse_qs(request.body.decode()).items()}
        to = form.get("To", "")
        if to in self.refused:
            return self._error(400, 21211, TWILIO_API_ERRORS[21211])
        if to in self.api_errors:
            code = self.api_errors[to]
            return self._error(400, code, TWILIO_API_ERRORS[code])
        with self._lock:
            self.messages.append(form)
            sid = f"SM{len(self.messages):032x}"
            self.sids.append(sid)
        if form.get("StatusCallback"):
            self.sender.post_later(self.callback_delay, self._status_callbacks(sid, form))
        resource = {"sid": sid, "status": "queued", "num_segments": "1"}
        return Reply(201, json.dumps(resource).encode())

    def status_callback(
        self, url: str, sid: str, form: Mapping[str, str], status: str, error_code: int | None
    ) -> Callback:
        """One status callback of message `sid` (sent with `form`), as Twilio posts it."""
        fields = {
            "AccountSid": self.account_sid,
            "ApiVersion": TWILIO_API_VERSION,
            "From": form.get("From", self.DEFAULT_FROM),
            "MessageSid": sid,
            "MessageStatus": status,
            "SmsSid": sid,
            "SmsStatus": status,
            "To": form.get("To", ""),
        }
        if form.get("MessagingServiceSid"):
            fields["MessagingServiceSid"] = form["MessagingServiceSid"]
        if error_code is not None:
            fields["ErrorCode"] = str(error_code)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            TWILIO_SIGNATURE_HEADER: twilio_signature(self.auth_token, url, fields),
            "User-Agent": "TwilioProxy/1.1",
        }
        target = self.deliver_to(url) if self.deliver_to else ""
        return Callback(url, urlencode(fields).encode("ascii"), headers, fields, target)

    def _status_callbacks(self, sid: str, form: Mapping[str, str]) -> list[Callback]:
        url = form["StatusCallback"]
        outcome = self.outcomes.get(form.get("To", ""), DELIVERED)
        sent = self.status_callback(url, sid, form, "sent", None)
        final = self.status_callback(url, sid, form, outcome.status, outcome.error_code)
        order = [final, sent] if self.final_first else [sent, final]
        if self.duplicate_callbacks:
            order = [callback for callback in order for _ in range(2)]
        return order


class GenericReceipts(_PostsCallbacks):
    """A generic HTTP provider that posts delivery receipts (the channel's receipts
    contract), wrapping the responder that answers its API: when the responder acted on a
    request that carries X-Channel-Receipt-Url and X-Channel-Receipt-Ref, `delay` seconds
    later (background thread) it POSTs JSON `{"ref", "message_id", "status", "error_code"}`
    to that URL, `sent` first and then the final status (`outcome(request)`, DELIVERED by
    default), each signed `X-Channel-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(
    receipts_key, "<t>." + body)>`. message_id is the `id` or `message_id` of the
    responder's JSON answer, else one of its own. `clock` gives `t` (a test can sign in the
    past); `duplicate_callbacks`, `final_first` and `deliver_to` as in TwilioMessages."""

    def __init__(
        self,
        responder: Responder,
        receipts_key: str,
        *,
        outcome: Callable[[Received], Outcome] | None = None,
        delay: float = CALLBACK_DELAY,
        duplicate_callbacks: bool = False,
        final_first: bool = False,
        clock: Callable[[], float] = time.time,
        deliver_to: Callable[[str], str] | None = None,
    ) -> None:
        self.responder = responder
        self.deliver_to = deliver_to
        self.receipts_key = receipts_key
        self.outcome = outcome or (lambda _request: DELIVERED)
        self.delay = delay
        self.duplicate_callbacks = duplicate_callbacks
        self.final_first = final_first
        self.clock = clock
        self.sender = CallbackSender()
        self._count = 0
        self._lock = threading.Lock()

    def __call__(self, request: Received) -> Reply:
        reply = self.responder(request)
        url = header(request, RECEIPT_URL_HEADER)
        ref = header(request, RECEIPT_REF_HEADER)
        if not reply.acts or not url or ref is None:
            return reply
        message_id = self._message_id(reply)
        outcome = self.outcome(request)
        sent = self.receipt(url, ref, message_id, "sent", None)
        final = self.receipt(
            url, ref, message_id, outcome.status, outcome.error_code, recipient=outcome.recipient
        )
        order = [final, sent] if self.final_first else [sent, final]
        if self.duplicate_callbacks:
            order = [callback for callback in order for _ in range(2)]
        self.sender.post_later(self.delay, order)
        return reply

    def receipt(
        self,
        url: str,
        ref: str,
        message_id: str,
        status: str,
        error_code: int | None,
        *,
        recipient: str | None = None,
    ) -> Callback:
        fields = {"ref": ref, "message_id": message_id, "status": status}
        if error_code is not None:
            fields["error_code"] = str(error_code)
        if recipient is not None:
            fields["recipient"] = recipient
        body = json.dumps(fields, separators=(",", ":")).encode("utf-8")
        signature = channel_signature(self.receipts_key, int(self.clock()), body)
        headers = {"Content-Type": "application/json", CHANNEL_SIGNATURE_HEADER: signature}
        target = self.deliver_to(url) if self.deliver_to else ""
        return Callback(url, body, headers, fields, target)

    def _message_id(self, reply: Reply) -> str:
        try:
            answer = json.loads(reply.body)
        except ValueError:
            answer = None
        if isinstance(answer, dict):
            for key in ("id", "message_id"):
                if isinstance(answer.get(key), (str, int)):
                    return str(answer[key])
        with self._lock:
            self._count += 1
            return f"msg-{self._count:08d}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # listen() backlog: a full batch connects at once; the default of 5 makes the kernel drop
    # connections a client already believes are open.
    request_queue_size = 128

    def __init__(self, owner: ProviderServer, address: tuple[str, int]) -> None:
        self.owner = owner
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _handler_for(owner))

    def verify_request(self, request: Any, client_address: Any) -> bool:
        if not self.owner._take_accept_reset():
            return True
        # Reset before reading a byte: whatever the client sent, the provider never saw it.
        _reset(request)
        request.close()
        return False

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class ProviderServer:
    def __init__(self, responder: Responder | None = None, *, record: bool = True) -> None:
        self.responder: Responder = responder or (lambda _request: Reply())
        # False: requests and exchanges are not kept (a long benchmark's memory stays flat).
        self.record = record
        self.requests: list[Received] = []
        self.exchanges: list[Exchange] = []
        self.accept_resets: list[float] = []  # when each reset_on_accept reset happened
        self.max_in_flight = 0
        self._in_flight = 0
        self._pending_accept_resets = 0
        self._lock = threading.Lock()
        self._server = _Server(self, ("127.0.0.1", 0))
        self._address: tuple[str, int] = self._server.server_address[:2]  # type: ignore[assignment]
        self._thread = self._serving_thread()
        self._started = False
        self._paused = False

    @property
    def url(self) -> str:
        host, port = self._address
        return f"http://{host!s}:{port}"

    @property
    def paused(self) -> bool:
        return self._paused

    def start(self) -> ProviderServer:
        self._thread.start()
        self._started = True
        return self

    def stop(self) -> None:
        if not self._paused:
            self._server.shutdown()
            self._server.server_close()
        self._paused = True

    def pause(self) -> None:
        """Stop listening (connections are refused) and drop every open connection."""
        if self._paused:
            return
        self._paused = True
        if self._started:
            self._server.shutdown()
        self._server.server_close()
        self._server.drop_connections()

    def resume(self) -> None:
        """Listen again on the same port, as a provider back from an outage."""
        if not self._paused:
            return
        self._server = _Server(self, self._address)
        self._thread = self._serving_thread()
        self._thread.start()
        self._started = True
        self._paused = False

    def reset_on_accept(self, count: int) -> None:
        """Reset the next `count` connections as soon as they are accepted, unread."""
        with self._lock:
            self._pending_accept_resets += count

    def acted_on(self, key: Callable[[Received], str]) -> Counter[str]:
        """How many requests the provider acted on, by `key` (an endpoint's id, say)."""
        with self._lock:
            exchanges = list(self.exchanges)
        return Counter(key(exchange.request) for exchange in exchanges if exchange.acted)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no exchange is open; False if some still are after `timeout` seconds."""
        give_up_at = time.monotonic() + timeout
        while True:
            with self._lock:
                if self._in_flight == 0:
                    return True
            if time.monotonic() >= give_up_at:
                return False
            time.sleep(0.01)

    def __enter__(self) -> ProviderServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _serving_thread(self) -> threading.Thread:
        return threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _take_accept_reset(self) -> bool:
        with self._lock:
            if self._pending_accept_resets <= 0:
                return False
            self._pending_accept_resets -= 1
            self.accept_resets.append(time.monotonic())
            return True

    def _enter(self, request: Received) -> Exchange:
        exchange = Exchange(request)
        with self._lock:
            if self.record:
                self.requests.append(request)
                self.exchanges.append(exchange)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        return exchange

    def _leave(self, exchange: Exchange, ended: str) -> None:
        with self._lock:
            if exchange.open:
                exchange.ended = DROPPED if self._paused and ended == CLIENT_LEFT else ended
                exchange.ended_at = time.monotonic()
            self._in_flight -= 1


def _reset(connection: socket.socket) -> None:
    """SO_LINGER 0 makes close() send a RST: the client sees "connection reset"."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _client_left(connection: socket.socket, wait: float = 0.0) -> bool:
    """True when the client closed or reset the connection (watching up to `wait` seconds).

    A client waiting for its answer sends nothing, so the socket turns readable only when
    the client hangs up; data it might send anyway does not count as leaving.
    """
    try:
        readable, _, _ = select.select([connection], [], [], max(wait, 0.0))
        if not readable:
            return False
        return connection.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):  # reset by the client, or closed under us
        return True


def _hold(connection: socket.socket, seconds: float) -> bool:
    """Hold the request for `seconds`; False as soon as the client leaves."""
    until = time.monotonic() + seconds
    if _client_left(connection, seconds):
        return False
    # Readable but not closed: the client sent more bytes while it waits. Just hold on.
    time.sleep(max(until - time.monotonic(), 0.0))
    return True


def _head(status: int, headers: dict[str, str], length: int) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    lines = [f"HTTP/1.1 {status} {phrase}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _handler_for(server: ProviderServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # TCP_NODELAY (StreamRequestHandler.setup): an answer leaves at once, as a provider's
        # front end sends it, instead of waiting for the client's ACK of the previous segment.
        disable_nagle_algorithm = True
        arrived_at = 0.0

        def log_message(self, format: str, *args: object) -> None:
            return  # quiet: the tests and the demo report what matters

        def parse_request(self) -> bool:
            self.arrived_at = time.monotonic()  # the request line has just been read
            return super().parse_request()

        def _head_bytes(self) -> bytes:
            """The status line and headers send_response/send_header buffered, with the blank
            line that ends them, taken out of the buffer (end_headers would write them alone)."""
            buffered: list[bytes] = getattr(self, "_headers_buffer", [])
            self._headers_buffer: list[bytes] = []
            return b"".join([*buffered, b"\r\n"])

        def _trickle(self, payload: bytes, seconds: float) -> bool:
            """Write `payload` one byte at a time over `seconds`; False if the client left."""
            pause = seconds / len(payload)
            for index in range(len(payload)):
                if _client_left(self.connection):
                    return False
                self.wfile.write(payload[index : index + 1])
                self.wfile.flush()
                time.sleep(pause)
            return True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received = Received(
                self.command,
                self.path,
                dict(self.headers.items()),
                self.rfile.read(length),
                self.arrived_at,
            )
            exchange = server._enter(received)
            ended = ERROR
            try:
                reply = server.responder(received)
                exchange.acted = reply.acts  # it acts first, then answers (or does not)
                if reply.delay and not _hold(self.connection, reply.delay):
                    ended = CLIENT_LEFT
                    self.close_connection = True
                    return
                if reply.reset:
                    _reset(self.connection)
                    ended = RESET
                    self.close_connection = True
                    return
                exchange.status = reply.status
                if reply.trickle_head and reply.trickle_seconds:
                    payload = _head(reply.status, reply.headers, len(reply.body)) + reply.body
                    if not self._trickle(payload, reply.trickle_seconds):
                        ended = CLIENT_LEFT
                        self.close_connection = True
                        return
                    ended = ANSWERED
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                head = self._head_bytes()
                if reply.trickle_seconds and reply.body:
                    self.wfile.write(head)
                    if not self._trickle(reply.body, reply.trickle_seconds):
                        ended = CLIENT_LEFT
                        self.close_connection = True
                        return
                else:
                    # One write, one segment: headers and body sent apart made the client's
                    # delayed ACK and this side's Nagle wait hold each answer ~40 ms.
                    self.wfile.write(head + reply.body)
                ended = ANSWERED
            except (BrokenPipeError, ConnectionResetError):
                ended = CLIENT_LEFT
                self.close_connection = True
            finally:
                server._leave(exchange, ended)

        do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = do_DELETE = _serve

    return Handler


class ProviderProcess:
    """A ProviderServer in a process of its own, answering every request with one Reply.

    For measurements: a server in the client's process shares its GIL and its CPU time
    (time.process_time() counts every thread of a process), so a benchmark of the client
    would time the server too. The child prints its URL, serves until its stdin closes, and
    then prints how many requests it received.
    """

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.requests_received: int | None = None  # known once stopped
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> ProviderProcess:
        command = [
            sys.executable,
            "-m",
            "emulator.provider_server",
            "--status",
            str(self.reply.status),
            "--body",
            self.reply.body.decode("utf-8"),
            "--headers",
            json.dumps(self.reply.headers),
            "--delay",
            str(self.reply.delay),
        ]
        root = str(Path(__file__).resolve().parent.parent)
        self._process = subprocess.Popen(
            command, cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith("http://"):
            self.stop()
            raise RuntimeError(f"the provider process did not start: {line!r}")
        self.url = line
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.close()
        tail = process.stdout.read().strip()
        process.wait(timeout=10)
        if tail.isdigit():
            self.requests_received = int(tail)

    def __enter__(self) -> ProviderProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _serve_until_stdin_closes(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Serve one canned answer (ProviderProcess).")
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--body", default='{"ok":true}')
    parser.add_argument("--headers", default='{"Content-Type": "application/json"}')
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args(argv)
    reply = Reply(
        status=args.status,
        body=args.body.encode("utf-8"),
        headers=json.loads(args.headers),
        delay=args.delay,
    )
    count = 0
    lock = threading.Lock()

    def responder(_request: Received) -> Reply:
        nonlocal count
        with lock:
            count += 1
        return reply

    with ProviderServer(responder, record=False) as server:
        sys.stdout.write(server.url + "\n")
        sys.stdout.flush()
        sys.stdin.read()
    sys.stdout.write(f"{count}\n")
    return 0


if __name__ == "__main__":
    sys.exit(_serve_until_stdin_closes(sys.argv[1:]))

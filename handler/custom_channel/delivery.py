"""Sending: one pooled HTTP session, bounded workers, the resend rule, and a hard deadline.

The resend rule, in one place: an attempt is repeated only when the provider surely did not
act on the previous one:
- the connection was refused, or timed out while connecting (nothing was sent);
- the adapter classified the answer Verdict.RETRY: HTTP 429 and 503, and what an adapter knows
  to be safe for its provider (adapters/base.py).
Every other answer that is not a success or a final refusal (500, 502, 504, a read timeout or
reset after the request was sent, a body that never arrived) may follow a provider that acted:
the endpoint ends `unknown` and is never sent again, unless the request carries a provider
idempotency key (ProviderRequest.idempotent), on which the provider deduplicates.
Adapters classify; this module enforces.

The deadline bounds every whole attempt (connect, send, response, body) and the batch:
whatever is still running at the deadline is answered, not waited for.

One sequence per endpoint: claim -> (wait: for its turn, for rate-limit capacity, for a
retry's backoff) -> check the time left -> mark sent -> attempt -> (retry) -> settle. The
check right before the request leaves covers every wait before it: an attempt that could not
end before `send_by` is never made, and the endpoint is answered `failed` (retryable: nothing
left). The smallest attempt worth making follows the provider's recent latencies
(LatencyWindow), never less than MIN_ATTEMPT_SECONDS. With a ledger (idempotency.py) the
endpoints that start at once are claimed in one transaction before the first request leaves,
the others one by one when their turn comes, and every record the batch wrote is settled in
one transaction by the invoking thread after the sweep, within SETTLE_RESERVE kept back from
the deadline for it, so a record is written whatever the workers were doing at the deadline;
settling never changes the outcome.
"""

from __future__ import annotations

import contextvars
import http.client
import io
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any, Protocol

import requests
import urllib3
import urllib3.connection
import urllib3.exceptions
from requests.adapters import DEFAULT_POOLBLOCK, HTTPAdapter

from . import logs
from .adapters import Adapter, Answer, ProviderRequest, ProviderResponse, Verdict
from .aws import limit_of
from .deadline import Deadline
from .ratelimit import TokenBucket
from .results import Outcome, Status

MAX_RESPONSE_BYTES = 64 * 1024  # enough to read any provider's verdict
MIN_ATTEMPT_SECONDS = 0.05  # below this an attempt cannot finish; stop instead
# Kept back from the deadline for settling the batch's records after the sweep: one ledger
# call's worst case (aws.py) and a margin for the thread that makes it to be scheduled.
SETTLE_MARGIN_SECONDS = 0.25
BACKOFF_BASE_SECONDS = 0.1
BACKOFF_CAP_SECONDS = 2.0
_CONNECT_FAILURES = (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)


class Ledger(Protocol):
    """What the sender needs of a delivery ledger (idempotency.DynamoLedger is the one the
    channel uses): claim before a request leaves, hold while waiting, resume before a retry,
    settle the batch at the end. Each call is bounded by the deadline it is given; None from a
    claim means "send it", an Outcome the answer to give without sending."""

    def claim(
        self,
        key: str,
        holder: str,
        deadline: Deadline | None,
        *,
        waiting: bool = False,
        entry_seconds: int | None = None,
    ) -> Outcome | None: ...

    def claim_batch(
        self,
        keys: list[str],
        holder: str,
        deadline: Deadline | None,
        *,
        entry_seconds: int | None = None,
    ) -> dict[str, Outcome | None]: ...

    def hold(self, key: str, holder: str, deadline: Deadline | None) -> None: ...

    def resume(self, key: str, holder: str, deadline: Deadline | None) -> bool: ...

    def settle_batch(
        self, outcomes: list[tuple[str, Outcome]], holder: str, deadline: Deadline | None
    ) -> list[str]: ...


# The deadline of the attempt running in this context (Sender._attempt sets it).
_attempt_deadline: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "custom_channel_attempt_deadline", default=None
)
# Set once the attempt's connection starts sending the request (after the TLS handshake of
# a new connection): an SSLError before it means nothing left, after it the request may have.
_request_started: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "custom_channel_request_started", default=False
)


class LatencyWindow:
    """The provider's recent latencies (one per container, shared by every batch): how long
    an attempt needs, so that none is started that could not end before the deadline."""

    SIZE = 64

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seconds: list[float] = []

    def add(self, seconds: float) -> None:
        with self._lock:
            self._seconds.append(seconds)
            del self._seconds[: -self.SIZE]

    def min_attempt(self) -> float:
        """The 90th percentile of the recent latencies, at least MIN_ATTEMPT_SECONDS."""
        with self._lock:
            ordered = sorted(self._seconds)
        if not ordered:
            return MIN_ATTEMPT_SECONDS
        return max(MIN_ATTEMPT_SECONDS, ordered[min(len(ordered) - 1, len(ordered) * 9 // 10)])


class _DeadlineReader(io.RawIOBase):
    """A response's socket reads that never wait past the attempt's deadline.

    A socket timeout bounds each read, not the response: a provider that trickles its status
    line and headers a byte at a time kept an attempt (its worker thread and its connection)
    busy for as long as it liked, long after the invocation had answered, so the next
    invocation of a warm container found its workers taken. Each read here waits at most
    until the deadline, then times out as a socket does (ReadTimeout: the outcome is unknown).
    """

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # holds a reference, as http.client's does
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        remaining = self._deadline.remaining()
        if remaining <= 0:
            raise TimeoutError("the attempt's deadline passed")
        timeout = self._sock.gettimeout()
        self._sock.settimeout(remaining if timeout is None else min(timeout, remaining))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(
        self,
        sock: socket.socket,
        debuglevel: int = 0,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(sock, debuglevel, method, url)
        deadline = _attempt_deadline.get()
        if deadline is not None:
            self.fp.close()
            self.fp = io.BufferedReader(_DeadlineReader(sock, deadline))


class _HTTPConnection(urllib3.connection.HTTPConnection):
    response_class = _DeadlineResponse

    def request(self, *args: Any, **kwargs: Any) -> None:
        _request_started.set(True)
        super().request(*args, **kwargs)


class _HTTPSConnection(urllib3.connection.HTTPSConnection):
    response_class = _DeadlineResponse

    def request(self, *args: Any, **kwargs: Any) -> None:
        # urllib3 connects (and shakes hands) before it calls request() on a new connection.
        _request_started.set(True)
        super().request(*args, **kwargs)


class _HTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _DeadlineAdapter(HTTPAdapter):
    """requests' adapter, with connections whose responses honour the attempt's deadline."""

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = DEFAULT_POOLBLOCK, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _HTTPConnectionPool,
            "https": _HTTPSConnectionPool,
        }


def new_session(max_workers: int) -> requests.Session:
    """One session per container: its pool holds a connection per worker, reused when warm."""
    session = requests.Session()
    adapter = _DeadlineAdapter(pool_connections=4, pool_maxsize=max_workers, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.trust_env = False  # proxies and netrc from the environment would surprise here
    return session


@dataclass(frozen=True)
class _Attempt:
    answer: Answer
    http_status: int | None = None
    retry_after: float | None = None
    latency_ms: float | None = None
    # When the provider's status line and headers arrived: how long the provider takes to
    # answer, whatever its body then does (LatencyWindow).
    answered_ms: float | None = None


class _Job:
    """One endpoint's delivery, with the state the deadline sweep needs."""

    def __init__(self, endpoint_id: str, request: ProviderRequest, key: str) -> None:
        self.endpoint_id = endpoint_id
        self.request = request
        self.key = key
        self.lock = threading.Lock()
        self.started = False  # a request may have left
        self.abandoned = False  # the sweep answered it: send nothing more
        self.outcome: Outcome | None = None  # known before the ledger is settled
        self.holding = False  # this invocation wrote the endpoint's ledger record
        self.answer: Outcome | None = None  # another holder's record answers it: never sent


class Sender:
    def __init__(
        self,
        adapter: Adapter,
        session: requests.Session,
        executor: Executor,
        max_attempts: int,
        *,
        ledger: Ledger | None = None,
        limiter: TokenBucket | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        workers: int = 1,
        latency: LatencyWindow | None = None,
        entry_seconds: int | None = None,
    ) -> None:
        self._adapter = adapter
        self._entry_seconds = entry_seconds  # a journey entry's window (idempotency.py)
        self._workers = workers  # how many endpoints start at once
        self._latency = latency or LatencyWindow()
        self._ledger = ledger
        self._limiter = limiter
        self._session = session
        self._executor = executor
        self._max_attempts = max_attempts
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        # Names this invocation's ledger records: only their holder settles them.
        self._holder = os.urandom(16).hex()
        self._custom_request = type(session).request is not requests.Session.request

    def send_all(
        self,
        requests_by_endpoint: Mapping[str, ProviderRequest],
        deadline: Deadline,
        keys: Mapping[str, str],
    ) -> dict[str, Outcome]:
        """Send every request in parallel; return an outcome for each, by the deadline.

        `keys` holds each endpoint's idempotency key, for the ledger when there is one.
        """
        jobs = [
            _Job(endpoint_id, request, keys[endpoint_id])
            for endpoint_id, request in requests_by_endpoint.items()
        ]
        ledger = self._ledger
        # Requests, waits and the workers' own ledger calls end by `send_by`; what is left is
        # kept for settling the records after the sweep.
        send_by = deadline
        if ledger is not None:
            send_by = deadline.earlier(limit_of("dynamodb").worst_case + SETTLE_MARGIN_SECONDS)
            self._claim_first(jobs, send_by)
        futures: dict[Future[Outcome], _Job] = {}
        for job in jobs:
            # Each worker runs in a copy of the caller's context, so log lines keep their ids.
            context = contextvars.copy_context()
            futures[self._executor.submit(context.run, self._run, job, send_by)] = job
        done, _ = wait(futures, timeout=max(send_by.remaining(), 0.0))
        outcomes: dict[str, Outcome] = {}
        for future, job in futures.items():
            if future in done:
                outcomes[job.endpoint_id] = future.result()
                continue
            with job.lock:
                job.abandoned = True
                started, known = job.started, job.outcome
            future.cancel()
            if known is not None:  # answered in time; only its settling is late
                outcomes[job.endpoint_id] = known
            elif started:
                outcomes[job.endpoint_id] = Outcome(Status.UNKNOWN, "no answer by the deadline", 1)
            else:
                outcomes[job.endpoint_id] = Outcome(
                    Status.FAILED, "not sent: deadline reached", retryable=True
                )
        if ledger is not None:
            # Every record this invocation wrote, settled by this thread in one transaction,
            # whatever the workers were doing at the sweep.
            held = [(job.key, outcomes[job.endpoint_id]) for job in jobs if job.holding]
            if held:
                ledger.settle_batch(held, self._holder, deadline)
        return outcomes

    def _claim_first(self, jobs: list[_Job], send_by: Deadline) -> None:
        """Claim the endpoints that start at once in one ledger transaction. With a rate
        limit, or beyond the number of workers, each endpoint claims alone when its turn
        comes, so that its record says `sending` only once its request is about to leave."""
        assert self._ledger is not None
        if self._limiter is not None or send_by.remaining() < MIN_ATTEMPT_SECONDS:
            return
        first = jobs[: self._workers]
        answers = self._ledger.claim_batch(
            [job.key for job in first], self._holder, send_by, entry_seconds=self._entry_seconds
        )
        for job in first:
            if job.key not in answers:
                continue  # not claimed: the worker claims it alone
            answer = answers[job.key]
            if answer is None:
                job.holding = True
            else:
                job.answer = answer

    def _run(self, job: _Job, deadline: Deadline) -> Outcome:
        try:
            return self._deliver(job, deadline)
        except Exception as error:  # a bug must cost one endpoint, not the batch
            logs.get_logger().exception(
                "internal error",
                extra={**logs.endpoint_fields(job.endpoint_id), "error": type(error).__name__},
            )
            status = Status.UNKNOWN if job.started else Status.FAILED
            return Outcome(status, f"internal error: {type(error).__name__}")

    def _deliver(self, job: _Job, send_by: Deadline) -> Outcome:
        """Attempts until one settles the delivery, in the sequence of the module docstring;
        every wait, request and ledger call of the worker ends by `send_by`. The record is
        settled by send_all, after the sweep (idempotency.py's table)."""
        if job.answer is not None:  # another holder's record, read by the batch's claim
            return job.answer
        ledger = self._ledger
        attempts = 0
        maybe_sent = False  # a request that may have acted has left
        waited = False  # the record says `claimed`: `sending` again before the next request
        last: _Attempt | None = None
        while True:
            why = _time_left(job, send_by, self._latency.min_attempt())
            if why is None and ledger is not None and not job.holding:
                answered, why, waited = self._claim_alone(job, send_by)
                if answered is not None:
                    return answered
            elif why is None:
                why = self._take_token(send_by)
            if why is None and waited:
                why = self._resume(job, send_by)  # `claimed` while it waited: `sending`
                waited = why is not None
            if why is None:
                # Right before the request leaves: every wait above may have used the time.
                why = _time_left(job, send_by, self._latency.min_attempt())
            if why is None:
                with job.lock:
                    if job.abandoned:
                        why = "deadline reached"
                    else:
                        job.started = True
            if why is not None:
                return self._finish(job, _give_up(last, attempts, maybe_sent, why))
            attempts += 1
            last = self._attempt(job.request, send_by)
            if last.answered_ms is not None:
                self._latency.add(last.answered_ms / 1000.0)
            verdict = last.answer.verdict
            maybe_sent = maybe_sent or verdict is Verdict.UNKNOWN
            if verdict is Verdict.DELIVERED:
                outcome = Outcome(Status.DELIVERED, "", attempts, last.http_status, last.latency_ms)
                return self._finish(job, outcome)
            if verdict is Verdict.FAILED or (
                verdict is Verdict.UNKNOWN and not job.request.idempotent
            ):
                # Final, or may have acted: after something that may have acted, unknown.
                status = Status.UNKNOWN if maybe_sent else Status.FAILED
                recipient = last.answer.recipient
                outcome = Outcome(
                    status,
                    last.answer.reason,
                    attempts,
                    last.http_status,
                    last.latency_ms,
                    recipient=recipient.value if recipient else None,
                    error_code=last.answer.error_code if recipient else None,
                )
                return self._finish(job, outcome)
            # RETRY (surely not acted), or UNKNOWN with a key the provider deduplicates on.
            if attempts >= self._max_attempts:
                outcome = _give_up(last, attempts, maybe_sent, f"after {attempts} attempts")
                return self._finish(job, outcome)
            delay = self._backoff(attempts, last.retry_after)
            if send_by.remaining() - delay < self._latency.min_attempt():
                outcome = _give_up(last, attempts, maybe_sent, "no time left to retry")
                return self._finish(job, outcome)
            if ledger is not None and not maybe_sent:
                # Nothing acted so far: while it waits, the record says so (`claimed`).
                ledger.hold(job.key, self._holder, send_by)
                waited = True
            self._sleep(delay)

    def _claim_alone(self, job: _Job, send_by: Deadline) -> tuple[Outcome | None, str | None, bool]:
        """Claim one endpoint's record when its turn comes: `sending` when rate-limit capacity
        is there at once, else `claimed` while this holder waits for it. Returns the answer of
        another holder's record (send nothing), why no attempt can start, and whether the
        record says `claimed`."""
        assert self._ledger is not None
        token = self._limiter is None or self._limiter.acquire(0)
        answered = self._ledger.claim(
            job.key,
            self._holder,
            send_by,
            waiting=not token,
            entry_seconds=self._entry_seconds,
        )
        if answered is not None:
            if token and self._limiter is not None:
                self._limiter.refund()
            return answered, None, False
        job.holding = True
        if token:
            return None, None, False
        return None, self._take_token(send_by), True

    def _take_token(self, send_by: Deadline) -> str | None:
        """With a rate limit, a token for the next attempt, waiting while time allows."""
        if self._limiter is None:
            return None
        if not self._limiter.acquire(send_by.remaining() - MIN_ATTEMPT_SECONDS):
            return "rate limit: no capacity in time"
        if send_by.remaining() < MIN_ATTEMPT_SECONDS:  # the wait for capacity ran long
            return "deadline reached"
        return None

    def _resume(self, job: _Job, send_by: Deadline) -> str | None:
        assert self._ledger is not None
        if self._ledger.resume(job.key, self._holder, send_by):
            return None
        return "delivery record not writable"

    @staticmethod
    def _finish(job: _Job, outcome: Outcome) -> Outcome:
        with job.lock:
            job.outcome = outcome
        return outcome

    def _backoff(self, attempts: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(retry_after, 0.0)
        ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
        return self._rng.uniform(0, ceiling)

    def _attempt(self, request: ProviderRequest, deadline: Deadline) -> _Attempt:
        # The session's responses read no longer than the deadline (_DeadlineReader).
        token = _attempt_deadline.set(deadline)
        try:
            return self._send(request, deadline)
        finally:
            _attempt_deadline.reset(token)

    def _send(self, request: ProviderRequest, deadline: Deadline) -> _Attempt:
        budget = deadline.remaining()
        if budget <= 0:  # the time check before the attempt leaves makes this rare
            return _Attempt(Answer(Verdict.RETRY, "deadline reached"))
        started = time.perf_counter()
        sending = _request_started.set(False)
        try:
            response = self._transmit(request, (budget, budget))
        except requests.exceptions.SSLError:
            if _request_started.get():
                # urllib3 raises SSLError for a TLS failure while reading the response too.
                return _Attempt(
                    Answer(Verdict.UNKNOWN, "tls error after sending"), latency_ms=_ms(started)
                )
            return _Attempt(Answer(Verdict.FAILED, "tls handshake failed"))
        except requests.exceptions.ConnectTimeout:
            return _Attempt(Answer(Verdict.RETRY, "connect timeout"))
        except requests.exceptions.ReadTimeout:
            return _Attempt(
                Answer(Verdict.UNKNOWN, "no response before timeout"), latency_ms=_ms(started)
            )
        except requests.exceptions.ConnectionError as error:
            if _is_connect_failure(error):
                return _Attempt(Answer(Verdict.RETRY, "connection refused"))
            return _Attempt(
                Answer(Verdict.UNKNOWN, "connection lost after sending"), latency_ms=_ms(started)
            )
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidHeader, ValueError):
            return _Attempt(Answer(Verdict.FAILED, "invalid request"))
        except requests.exceptions.RequestException as error:
            return _Attempt(Answer(Verdict.UNKNOWN, f"request error: {type(error).__name__}"))
        finally:
            _request_started.reset(sending)
        answered = _ms(started)
        with response:
            body = _read_body(response, deadline)
            latency = _ms(started)
            # The adapter reads the status, the headers (Retry-After, a provider's own) and the
            # body; the resend rule above decides what its verdict allows.
            answer = self._adapter.classify(
                ProviderResponse(response.status_code, response.headers, body)
            )
            return _Attempt(
                answer,
                http_status=response.status_code,
                retry_after=_retry_after(response.headers.get("Retry-After")),
                latency_ms=latency,
                answered_ms=answered,
            )

    def _transmit(
        self, request: ProviderRequest, timeout: tuple[float, float]
    ) -> requests.Response:
        """One request through the session's transport adapter, as Session.send would send it.

        Session.request costs more CPU than the request itself: it merges the environment,
        proxies, cookies and hooks, builds a cookie jar and re-parses the URL on every call
        (250 us a request, measured: docs/benchmarks.md). None of it applies here: trust_env
        is off, no hook or cookie is wanted (a provider's cookie must not ride along to the
        next recipient), redirects are not followed. A session whose class defines its own
        request() (a caller that instruments it) is still sent through that.
        """
        session = self._session
        if self._custom_request:
            return session.request(
                request.method,
                request.url,
                headers=dict(request.headers),
                data=request.body,
                timeout=timeout,
                stream=True,
                allow_redirects=False,
            )
        prepared = requests.PreparedRequest()
        prepared.prepare_method(request.method)
        prepared.url = _prepared_url(request.url)
        headers = dict(session.headers)  # the session's own: User-Agent, Accept...
        headers.update(request.headers)
        prepared.prepare_headers(headers)  # validates each name and value (no CR or LF)
        prepared.prepare_body(request.body, None)
        return session.get_adapter(prepared.url).send(
            prepared,
            stream=True,
            timeout=timeout,
            verify=True if session.verify is None else session.verify,
            cert=session.cert,
            proxies=None,
        )


@lru_cache(maxsize=1024)
def _prepared_url(url: str) -> str:
    """The URL as requests normalises it (IDNA host, quoted path); a pure function of the URL,
    so computed once per distinct URL. Raises InvalidURL or MissingSchema (not cached)."""
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, None)
    assert prepared.url is not None
    return prepared.url


def _time_left(job: _Job, send_by: Deadline, min_attempt: float) -> str | None:
    """Why no attempt can start now, if none can."""
    if send_by.remaining() < min_attempt:
        return "deadline reached"
    with job.lock:
        if job.abandoned:  # checked before a token is taken: an answered job uses none
            return "deadline reached"
    return None


def _give_up(last: _Attempt | None, attempts: int, maybe_sent: bool, why: str) -> Outcome:
    if last is None:
        return Outcome(Status.FAILED, f"not sent: {why}", attempts, retryable=True)
    status = Status.UNKNOWN if maybe_sent else Status.FAILED
    reason = f"{last.answer.reason}; {why}" if last.answer.reason else why
    return Outcome(
        status, reason, attempts, last.http_status, last.latency_ms, retryable=not maybe_sent
    )


def _read_body(response: requests.Response, deadline: Deadline) -> bytes | None:
    """The body up to MAX_RESPONSE_BYTES, or None when it does not arrive whole in time.

    Each read takes what has arrived (read1) and may wait only until the deadline: a body
    that trickles in byte by byte never trips the attempt's socket timeout, and a blocking
    read of a whole chunk would hold this worker long after the deadline.
    """
    raw = response.raw
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    chunks: list[bytes] = []
    size = 0
    try:
        while size < MAX_RESPONSE_BYTES:
            remaining = deadline.remaining()
            if remaining <= 0:
                return None
            if sock is not None:
                sock.settimeout(remaining)
            chunk = raw.read1(8192, decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError):
        return None
    return b"".join(chunks)


def _is_connect_failure(error: requests.exceptions.ConnectionError) -> bool:
    cause: object = error.args[0] if error.args else None
    reason = getattr(cause, "reason", cause)
    return isinstance(reason, _CONNECT_FAILURES)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0

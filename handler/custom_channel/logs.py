"""Structured JSON logs on stdout, one object per line.

The package logger has its own handler and does not propagate, so lines read the same with
Lambda's Text and JSON log formats (the runtime's JSON formatter only wraps the root logger).
Invocation ids (application, campaign or journey, treatment, activity) ride on a context
variable and appear on every line, worker threads included. Endpoint addresses are masked
with mask_address; message bodies are never logged.

Endpoint ids (a Pinpoint endpoint id, a Connect profile id) are often an email address or a
phone number: a line about one endpoint names it by `endpoint_id_hash`, the first 16 hex
digits of the HMAC-SHA256 of its UTF-8 under the deployment's key (CHANNEL_LOG_ID_KEY, which
the module generates), never by the id itself, unless CHANNEL_LOG_ENDPOINT_IDS=clear. Without
a key, a key of this process only: ids still hidden, hashes comparable within one container
only (docs/security.md). `custom-channel log-id` prints the hash of a given id.

DEBUG is for this package only. With Lambda's log level at DEBUG the Python runtime sets the
root logger to DEBUG, and botocore, boto3, s3transfer, urllib3 and requests then log what
they send and receive: GetSecretValue responses (the provider secret), request lines (a
secret or an address in a URL path), SendMessageBatch parameters (failure-queue messages
with addresses and message text). configure() pins those loggers at WARNING, every time it
runs, whatever the level asked for (docs/security.md).

An error logged with its exception (log.exception) carries `stack`: the exception type and
the traceback's frames (file, line, function), never the exception's message or any local
variable, since either can hold an address or a secret.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import logging
import secrets
import sys
import time
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import Any

LOGGER_NAME = "custom_channel"
_context: contextvars.ContextVar[Mapping[str, object] | None] = contextvars.ContextVar(
    "custom_channel_log_context", default=None
)
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
# Libraries that log request and response contents at DEBUG (see the module docstring).
QUIET_LOGGERS = ("botocore", "boto3", "s3transfer", "urllib3", "requests")
QUIET_LEVEL = logging.WARNING
# urllib3 writes whole request URLs into WARNINGs ("Failed to parse headers (url=...)" when a
# provider answers a header it cannot parse, "Retrying ... /path"), and a provider URL may
# carry a secret or an address in its path: only its errors are let through.
QUIET_LEVELS = {name: logging.ERROR if name == "urllib3" else QUIET_LEVEL for name in QUIET_LOGGERS}
MAX_STACK_FRAMES = 50
# 64 bits of HMAC-SHA256: distinct for every id of a deployment in practice, short to query.
ENDPOINT_HASH_CHARS = 16
# How a log line names an endpoint: by a keyed hash of its id, or by the id itself.
ENDPOINT_ID_MODES = ("hashed", "clear")


# Lambda reads a JSON line's "level" to filter application logs, with its own names (TRACE,
# DEBUG, INFO, WARN, ERROR, FATAL); any other value is taken as INFO (Lambda Developer Guide,
# "Log-level filtering"), so Python's WARNING and CRITICAL are written as Lambda names them.
LAMBDA_LEVELS = {"WARNING": "WARN", "CRITICAL": "FATAL"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": LAMBDA_LEVELS.get(record.levelname, record.levelname),
            "message": record.getMessage(),
            "logger": record.name,
        }
        entry.update(_context.get() or {})
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.levelno >= logging.ERROR:
            entry["error_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["stack"] = stack_of(record.exc_info[0], record.exc_info[2])
        line = json.dumps(entry, default=str, ensure_ascii=False)
        # A lone surrogate (JSON can carry "\ud800") cannot be written as UTF-8: keep it as
        # its JSON escape, so the line is written and still parses.
        return line.encode("utf-8", "backslashreplace").decode("utf-8")


def stack_of(error_type: type[BaseException] | None, tb: TracebackType | None) -> dict[str, Any]:
    """Where an exception was raised: its type and frames, without its message or locals."""
    frames = traceback.StackSummary.extract(
        traceback.walk_tb(tb), limit=MAX_STACK_FRAMES, lookup_lines=False, capture_locals=False
    )
    return {
        "type": error_type.__name__ if error_type else None,
        "frames": [
            {"file": frame.filename, "line": frame.lineno, "function": frame.name}
            for frame in frames
        ],
    }


def get_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def endpoint_id_hash(endpoint_id: str, key: str) -> str:
    """What a log line shows of an endpoint id: HMAC-SHA256 under the deployment's key."""
    digest = hmac.new(
        key.encode("utf-8", "surrogatepass"),
        endpoint_id.encode("utf-8", "surrogatepass"),
        hashlib.sha256,
    )
    return digest.hexdigest()[:ENDPOINT_HASH_CHARS]


# How endpoint ids are logged: set by configure() (the Channel's settings), hashed until then.
# The fallback key is this process's own: nothing logged with it can be reversed, and nothing
# logged with it compares with another container's lines.
_FALLBACK_KEY = secrets.token_hex(32)
# One element, (mode, key), replaced whole: a reader never sees one setting's mode with
# another's key.
_endpoint_ids: list[tuple[str, str]] = [("hashed", _FALLBACK_KEY)]


def endpoint_fields(endpoint_id: str) -> dict[str, str]:
    """The log fields that name one endpoint: its keyed hash, or the id itself in clear mode."""
    mode, key = _endpoint_ids[0]
    if mode == "clear":
        return {"endpoint_id": endpoint_id}
    return {"endpoint_id_hash": endpoint_id_hash(endpoint_id, key)}


def configure(
    level: str | None = None, *, endpoint_ids: str | None = None, id_key: str | None = None
) -> logging.Logger:
    """Our logger at `level` (None: keep the level already set, INFO at first) with its own
    stdout handler; the QUIET_LOGGERS pinned at WARNING (urllib3 at ERROR) whatever the level.
    `endpoint_ids` (hashed or clear; None: keep) with `id_key` (None: this process's own)
    says how endpoint ids are logged (endpoint_fields)."""
    if endpoint_ids is not None:
        if endpoint_ids not in ENDPOINT_ID_MODES:
            raise ValueError(f"endpoint_ids must be hashed or clear (got {endpoint_ids!r})")
        _endpoint_ids[0] = (endpoint_ids, id_key or _FALLBACK_KEY)
    for name, quiet in QUIET_LEVELS.items():
        # Explicitly, every time: a NOTSET library logger inherits the root's DEBUG in Lambda.
        logging.getLogger(name).setLevel(quiet)
    logger = get_logger()
    # Our own handler is the one writing to _Stdout: another JSON handler (a test's capture)
    # must not stand in for it.
    if not any(isinstance(getattr(h, "stream", None), _Stdout) for h in logger.handlers):
        handler = logging.StreamHandler(_Stdout())
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    if level is not None:
        logger.setLevel(level)
    elif logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


class _Stdout:
    """Writes to whatever sys.stdout is at the time (test capture and redirection work)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@contextmanager
def log_context(fields: Mapping[str, object]) -> Iterator[None]:
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


# Top-level domains a masked email keeps: generic ones, shared by millions of addresses. Any
# other last label (`@jane.doe`, a company's own TLD) can be part of a name, so it is hidden.
_SHARED_TLDS = frozenset(
    {"com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "io", "co", "me", "app"}
)
_MASK = "***"
# Of any other address (a phone number, a device token, a chat id): at most the last two
# characters, and only when that is at most a quarter of it.
_TAIL_CHARS = 2
_TAIL_MIN_LENGTH = 8


def mask_address(address: str) -> str:
    """Enough to tell addresses apart now and then in a log, never enough to contact anyone.

    The rules: the mask `***` stands for any number of characters, so its length says
    nothing; of an email at most the first character of a local part of 4 or more, and a
    generic TLD (`m***@***.com`); of anything else at most the last 2 characters, never more
    than a quarter of the address (`+***00` for +12065550100; `***` for a 7-digit number).
    """
    if not address:
        return ""
    if "@" in address:
        local, _, domain = address.rpartition("@")
        first = local[:1] if len(local) >= 4 else ""
        labels = domain.lower().split(".")
        tld = labels[-1] if len(labels) >= 2 and all(labels) and local else ""
        tail = f".{tld}" if tld in _SHARED_TLDS else ""
        return f"{first}{_MASK}@{_MASK}{tail}"
    sign = "+" if address.startswith("+") else ""
    if len(address) < _TAIL_MIN_LENGTH:
        return f"{sign}{_MASK}"
    return f"{sign}{_MASK}{address[-_TAIL_CHARS:]}"


def error_code(error: BaseException) -> str:
    """What to log of an AWS or network error: botocore's error code, else the exception type."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or type(error).__name__)
    return type(error).__name__

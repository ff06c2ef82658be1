"""Structured JSON logs on stdout, one object per line.

The package logger has its own handler and does not propagate, so lines read the same with
Lambda's Text and JSON log formats (the runtime's JSON formatter only wraps the root logger).
Invocation ids (application, campaign or journey, treatment, activity) ride on a context
variable and appear on every line, worker threads included. Endpoint addresses are masked
with mask_address; message bodies are never logged.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

LOGGER_NAME = "custom_channel"
_context: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar(
    "custom_channel_log_context", default=None
)
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        entry.update(_context.get() or {})
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.levelno >= logging.ERROR:
            entry["error_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        line = json.dumps(entry, default=str, ensure_ascii=False)
        # A lone surrogate (JSON can carry "\ud800") cannot be written as UTF-8: keep it as
        # its JSON escape, so the line is written and still parses.
        return line.encode("utf-8", "backslashreplace").decode("utf-8")


def get_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def configure(level: str = "INFO") -> logging.Logger:
    logger = get_logger()
    # Our own handler is the one writing to _Stdout: another JSON handler (a test's capture)
    # must not stand in for it.
    if not any(isinstance(getattr(h, "stream", None), _Stdout) for h in logger.handlers):
        handler = logging.StreamHandler(_Stdout())
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger


class _Stdout:
    """Writes to whatever sys.stdout is at the time (test capture and redirection work)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@contextmanager
def log_context(fields: Mapping[str, str]) -> Iterator[None]:
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def mask_address(address: str) -> str:
    """Enough to tell two addresses apart in a log, never enough to contact anyone."""
    if not address:
        return ""
    if "@" in address:
        local, _, domain = address.partition("@")
        tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
        return f"{local[:1]}***@***.{tld}" if tld else f"{local[:1]}***@***"
    if len(address) <= 6:
        return "***"
    return f"{address[:2]}***{address[-2:]}"


def error_code(error: BaseException) -> str:
    """What to log of an AWS or network error: botocore's error code, else the exception type."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or type(error).__name__)
    return type(error).__name__

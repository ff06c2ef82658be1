"""No endpoint address and no message text in the handler's logs, checked in every test.

`no_endpoint_data_in_logs` (autouse, imported by conftest.py) records each event the handler
parses during a test, whatever its source (Pinpoint or Connect): its recipients' addresses and
the text of its message (the campaign's Data or the Connect message template without
placeholders; of a JSON document, its string values). It captures every line the package logger
writes, from any thread, and fails the test when a line contains one of them. Tests that run
the handler in another process (the runner's sandbox, the demo) pass that process's log to
`assert_clean`.

`lambda_debug_logging` goes further, for the tests of DEBUG logging (tests/test_security_logs.py):
it sets up logging as Lambda's Python runtime does at log level DEBUG (the root logger at
DEBUG, with a handler on it) and captures every record of every logger, the package's own
included, as text with its arguments and extra fields, so `leaks` can look in all of them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from custom_channel import logs
from custom_channel.events import Endpoint, Event
from custom_channel.sources import ConnectSource, PinpointSource

# Shorter strings ("x", "hello") match unrelated log text by chance; test data that checks
# for leaks uses longer ones.
MIN_LENGTH = 6
_NOT_TEXT = re.compile(r"\{\{.*?\}\}|[\"{}\[\]:,\\\n\r\t]")


def sensitive_strings(raw_event: object) -> set[str]:
    """The addresses and message text of an event as Pinpoint sends it."""
    found: set[str] = set()
    if not isinstance(raw_event, Mapping):
        return found
    data = raw_event.get("Data")
    if isinstance(data, str):
        for text in _message_texts(data):
            found.update(piece.strip() for piece in _NOT_TEXT.split(text))
    endpoints = raw_event.get("Endpoints")
    if isinstance(endpoints, Mapping):
        for endpoint in endpoints.values():
            if isinstance(endpoint, Mapping) and isinstance(endpoint.get("Address"), str):
                found.add(endpoint["Address"].strip())
    return {text for text in found if len(text) >= MIN_LENGTH}


def parsed_strings(event: Event) -> set[str]:
    """The addresses and message text of a parsed batch, from any event source."""
    found: set[str] = set()
    for text in _message_texts(event.data):
        found.update(piece.strip() for piece in _NOT_TEXT.split(text))
    for recipient in event.endpoints.values():
        if isinstance(recipient, Endpoint):
            found.add(recipient.address.strip())
    return {text for text in found if len(text) >= MIN_LENGTH}


def _message_texts(data: str) -> list[str]:
    """The text of a message: a JSON Data document's string values (its keys are field names
    such as "channel", not message text), or the whole Data."""
    try:
        document = json.loads(data)
    except ValueError:
        return [data]
    texts: list[str] = []
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return texts


def leaks(lines: Iterable[str], secrets: Iterable[str]) -> list[str]:
    secrets = sorted(set(secrets))
    return [
        f"{secret!r} in {line.strip()[:300]}"
        for line in lines
        for secret in secrets
        if secret in line
    ]


def assert_clean(log_text: str, events: Iterable[object]) -> None:
    """A process's log holds no address or message text of the events it handled."""
    secrets: set[str] = set()
    for event in events:
        secrets |= sensitive_strings(event)
    assert secrets, "nothing to look for: the check would pass vacuously"
    found = leaks(log_text.splitlines(), secrets)
    assert not found, "endpoint data in the logs:\n" + "\n".join(found[:20])


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logs.JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(autouse=True)
def no_endpoint_data_in_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    secrets: set[str] = set()
    for source in (PinpointSource, ConnectSource):
        parse = source.parse

        def recording_parse(self: Any, raw: Any, parse: Any = parse) -> Any:
            event = parse(self, raw)
            secrets.update(sensitive_strings(raw) | parsed_strings(event))
            return event

        monkeypatch.setattr(source, "parse", recording_parse)
    capture = _Capture()
    logger = logs.get_logger()
    logger.addHandler(capture)
    try:
        yield
    finally:
        logger.removeHandler(capture)
    found = leaks(capture.lines, secrets)
    assert not found, "endpoint data in the logs:\n" + "\n".join(found[:20])


class RecordCapture(logging.Handler):
    """Every record it is given, as one text each: logger, message with its arguments, the
    fields a JSON formatter adds, any exception text."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.texts: list[str] = []
        self._json = logs.JsonFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        text = f"{record.name} {record.levelname} {record.getMessage()} {self._json.format(record)}"
        if record.exc_info:
            text += " " + logging.Formatter().formatException(record.exc_info)
        self.texts.append(text)


@contextmanager
def lambda_debug_logging() -> Iterator[RecordCapture]:
    """Logging as Lambda's runtime sets it up at DEBUG, every record of every logger captured
    (our own logger does not propagate: it gets the capture too)."""
    root = logging.getLogger()
    package = logs.get_logger()
    capture = RecordCapture()
    saved = root.level, package.level
    root.setLevel(logging.DEBUG)
    root.addHandler(capture)
    package.addHandler(capture)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        package.removeHandler(capture)
        root.setLevel(saved[0])
        package.setLevel(saved[1])

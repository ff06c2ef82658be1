"""`{{...}}` placeholders, resolved per endpoint and escaped for the body's encoding.

Syntax: `{{Name}}` or `{{Name | default}}` (a default may be quoted to keep spaces).
Names: Address, ChannelType, EndpointId, EndpointStatus, OptOut, EffectiveDate,
CreationDate, Attributes.X, User.UserId, User.UserAttributes.X, Location.X, Demographic.X,
Metrics.X; event fields ApplicationId, CampaignId, JourneyId, TreatmentId, ActivityId,
ScheduledTime; in body templates also Data (the rendered campaign Data) and Secret.X (a key
of the provider secret; Secret alone when the secret is a plain string).
Attribute values are lists in Pinpoint: they render joined with ", ".
A Location, Demographic or Metrics value that cannot be encoded (a lone surrogate; events.py
passes these objects on unchecked) raises InvalidEvent naming the placeholder when read.
Values are escaped for the text around them; a template that is one placeholder alone
(the default body, `{{Data}}`) takes its value as is.
In a template that is a JSON document (an object or array), each string is a template of its
own, read as JSON string content: a placeholder never spans two strings, and its name and
default are what the JSON says (`{{A | \\"two words\\"}}` has the default `two words`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

from .config import BodyEncoding
from .events import NOT_UNICODE, Endpoint, Event, InvalidEvent, is_encodable

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}|]+?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}")
# A string literal of a valid JSON document; scanned left to right, it finds exactly those.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
LIST_SEPARATOR = ", "

Lookup = Callable[[str], str | None]


class MissingValue(ValueError):
    """A placeholder has no value for this endpoint and no default."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no value for {{{{{name}}}}} and no default")
        self.name = name


@dataclass(frozen=True)
class _Slot:
    name: str
    default: str | None


@dataclass(frozen=True)
class Template:
    parts: tuple[str | _Slot, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(part.name for part in self.parts if isinstance(part, _Slot))

    def render(self, lookup: Lookup, escape: Callable[[str], str] = str) -> str:
        if len(self.parts) == 1 and isinstance(self.parts[0], _Slot):
            # The value is the whole text (a body of just {{Data}}): nothing to escape it for.
            escape = str
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = lookup(part.name)
            if value is None or value == "":
                if part.default is None:
                    raise MissingValue(part.name)
                value = part.default
            out.append(escape(value))
        return "".join(out)


@lru_cache(maxsize=256)
def compile_template(text: str) -> Template:
    if _is_json_document(text):
        return Template(_json_parts(text))
    return Template(tuple(_text_parts(text)))


def _text_parts(text: str) -> list[str | _Slot]:
    parts: list[str | _Slot] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        default = match.group(2)
        if default is not None and len(default) >= 2 and default[0] == default[-1] in "\"'":
            default = default[1:-1]
        parts.append(_Slot(match.group(1), default))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return parts


def _json_parts(text: str) -> tuple[str | _Slot, ...]:
    """A JSON document: placeholders are found in each decoded string, never across two.

    Matching the raw text instead would join `{{` in one string with `}}` in the next (and
    break the document), and read a default written `\\"two words\\"` or `\\u00e9` with its
    JSON escapes, which the value's own JSON escaping would then double.
    """
    parts: list[str | _Slot] = []
    literal = ""
    position = 0
    for match in _JSON_STRING.finditer(text):
        inner = _text_parts(json.loads(match.group()))
        if not any(isinstance(part, _Slot) for part in inner):
            continue  # no placeholder: the string stays exactly as written
        literal += text[position : match.start()] + '"'
        for part in inner:
            if isinstance(part, _Slot):
                parts += [literal, part] if literal else [part]
                literal = ""
            else:
                literal += _json_string_content(part)
        literal += '"'
        position = match.end()
    literal += text[position:]
    if literal:
        parts.append(literal)
    return tuple(parts)


def _json_string_content(text: str) -> str:
    """`text` as the inside of a JSON string (a lone surrogate stays a \\u escape)."""
    content = json.dumps(text, ensure_ascii=False)[1:-1]
    try:
        content.encode("utf-8")
    except UnicodeEncodeError:
        content = json.dumps(text)[1:-1]
    return content


@lru_cache(maxsize=256)
def _is_json_document(text: str) -> bool:
    """An object or array (what data_escaper JSON-escapes values for)."""
    if text.lstrip()[:1] not in ("{", "["):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def escaper(encoding: BodyEncoding) -> Callable[[str], str]:
    """How a substituted value is written into a body of the given encoding."""
    if encoding == "json":
        return lambda value: json.dumps(value, ensure_ascii=False)[1:-1]
    if encoding == "form":
        return quote_plus
    return str


@lru_cache(maxsize=64)
def data_escaper(data: str) -> Callable[[str], str]:
    """Campaign Data that is a JSON document gets JSON-escaped values, so it stays valid JSON
    (`{"text": "Hi {{Attributes.Name}}"}` with a quote in the name); other Data is text."""
    return escaper("json") if _is_json_document(data) else str


def _render_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def endpoint_lookup(
    event: Event,
    endpoint: Endpoint,
    extra: Mapping[str, str] | None = None,
    secret: Mapping[str, str] | str | None = None,
) -> Lookup:
    """Resolve placeholder names against one endpoint, its event, and optional extras."""
    simple: dict[str, str | None] = {
        "Address": endpoint.address,
        "ChannelType": endpoint.channel_type,
        "EndpointId": endpoint.endpoint_id,
        "EndpointStatus": endpoint.endpoint_status,
        "OptOut": endpoint.opt_out,
        "EffectiveDate": endpoint.effective_date,
        "CreationDate": endpoint.creation_date,
        "User.UserId": endpoint.user_id,
        "ApplicationId": event.application_id,
        "CampaignId": event.campaign_id,
        "JourneyId": event.journey_id,
        "TreatmentId": event.treatment_id,
        "ActivityId": event.activity_id,
        "ScheduledTime": event.scheduled_time,
    }
    nested: dict[str, Mapping[str, Any]] = {
        "Attributes.": endpoint.attributes,
        "User.UserAttributes.": endpoint.user_attributes,
        "Location.": endpoint.location,
        "Demographic.": endpoint.demographic,
        "Metrics.": endpoint.metrics,
    }

    def lookup(name: str) -> str | None:
        if extra is not None and name in extra:
            return extra[name]
        if name in simple:
            return simple[name]
        if name == "Secret" and isinstance(secret, str):
            return secret
        if name.startswith("Secret.") and isinstance(secret, Mapping):
            return _render_value(secret.get(name[len("Secret.") :]))
        for prefix, values in nested.items():
            if name.startswith(prefix):
                value = _render_value(values.get(name[len(prefix) :]))
                # Location, Demographic and Metrics are not checked when parsed (events.py).
                if value is not None and not is_encodable(value):
                    raise InvalidEvent(name, NOT_UNICODE)
                return value
        return None

    return lookup

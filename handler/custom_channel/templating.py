"""`{{...}}` placeholders, resolved per endpoint and escaped for the body's encoding.

Syntax: `{{Name}}` or `{{Name | default}}` (a default may be quoted to keep spaces).
Names: Address, ChannelType, EndpointId, EndpointStatus, OptOut, EffectiveDate,
CreationDate, Attributes.X, User.UserId, User.UserAttributes.X, Location.X, Demographic.X,
Metrics.X; event fields ApplicationId, CampaignId, JourneyId, TreatmentId, ActivityId,
ScheduledTime (Connect: CampaignId, RunId, ActionId, and every profile field by the name
rule of profiles.py); in body templates also Data (the rendered campaign Data) and Secret.X
(a key of the provider secret; Secret alone when the secret is a plain string). These names
are reserved: they resolve first, and a Connect profile field never stands in for one.
Attribute values are lists in Pinpoint: they render joined with ", ".
A Location, Demographic or Metrics value that cannot be encoded (a lone surrogate; events.py
passes these objects on unchecked) raises InvalidEvent naming the placeholder when read.
Values are escaped for the text around them; only a body that is `{{Data}}` alone (the
default body: the rendered message, already escaped) takes its value as is.
A template that starts and ends like a JSON document (`{...}` or `[...]`) but is not one once
its placeholders stand for strings is refused (TemplateError), never read as text.
In a template that is a JSON document (an object or array), each string is a template of its
own, read as JSON string content: a placeholder never spans two strings, and its name and
default are what the JSON says (`{{A | \\"two words\\"}}` has the default `two words`).

Placeholders outside JSON strings. `{"n": {{Attributes.N}}}` is not JSON as written, yet it
is meant as a JSON document; read as text, an attribute value `1, "admin": true` would add
structure to it (endpoint attributes are written by end users, docs/security.md). So a
template that starts with `{` or `[` and is a JSON document once every placeholder outside
its strings stands for a string (`""`) is a JSON document too, and each such placeholder
renders as a JSON string literal: its value escaped, between quotes (`{"n": "1, \\"admin\\":
true"}`), so the result is always valid JSON and a value never becomes structure. A number
or boolean is therefore sent as a string; write the placeholder inside quotes to say so.

Scanning is linear in the template's length: a hand-written left-to-right scan (no regular
expression with nested quantifiers, which backtracked cubically on an unclosed `{{` followed
by blanks). A template is at most MAX_TEMPLATE_CHARS characters with at most
MAX_PLACEHOLDERS placeholders; a longer one raises TemplateError. A template nested deeper
than the JSON parser goes is text.

Slack reads `<...>` in message text as mentions and links (`<!channel>`,
`<https://x|label>`): the slack adapter's `escape_value` escapes `&`, `<`, `>` in every
substituted value, composed with the JSON or text escaping by data_escaper.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import quote_plus

from .events import NOT_UNICODE, Endpoint, Event, InvalidEvent, is_encodable

# How a body is encoded (CHANNEL_HTTP_BODY_ENCODING): what each substituted value is escaped for.
BodyEncoding = Literal["json", "form", "plain"]
BODY_ENCODINGS: tuple[BodyEncoding, ...] = ("json", "form", "plain")
# Template limits (templating.py): Pinpoint's Data is at most 5 KB; the http body template
# at most 16 KiB. Twice that bounds the work a template can cost, whoever wrote it.
MAX_TEMPLATE_CHARS = 32768
MAX_PLACEHOLDERS = 1000

# The next brace: inside a placeholder none may appear, so it ends the search for `}}`.
_BRACE = re.compile(r"[{}]")
# A JSON string literal starting at a given position (disjoint alternatives: linear).
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
# Where a JSON scan must stop outside strings: a string, or a possible placeholder.
_JSON_STOP = re.compile(r'["{]')
LIST_SEPARATOR = ", "

Lookup = Callable[[str], str | None]
# Names the channel resolves itself, never from a Connect profile (endpoint_lookup).
RESERVED_NAMES = frozenset({"Data", "Secret"})
# A profile's top-level fields that would be spelled like one of them, or like a context id:
# ignored by the lookup, counted in each batch's log line (channel.py).
RESERVED_FIELD_NAMES = frozenset(
    name.casefold() for name in (*RESERVED_NAMES, "CampaignId", "RunId", "ActionId")
)
Escape = Callable[[str], str]


class MissingValue(ValueError):
    """A placeholder has no value for this endpoint and no default."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no value for {{{{{name}}}}} and no default")
        self.name = name


class TemplateError(ValueError):
    """A template over the limits (MAX_TEMPLATE_CHARS, MAX_PLACEHOLDERS)."""


@dataclass(frozen=True)
class _Slot:
    name: str
    default: str | None
    # Outside the strings of a JSON document: rendered as a JSON string literal.
    quoted: bool = False


@dataclass(frozen=True)
class Template:
    parts: tuple[str | _Slot, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(part.name for part in self.parts if isinstance(part, _Slot))

    def render(self, lookup: Lookup, escape: Escape = str) -> str:
        if (
            len(self.parts) == 1
            and isinstance(self.parts[0], _Slot)
            and self.parts[0].name == "Data"
        ):
            # A body that is the adapter's `{{Data}}` alone: the rendered message, already
            # escaped for its own format, is the whole body. Any other value is escaped,
            # even when it is the whole template (`{{Attributes.Note}}`).
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
            out.append(f'"{escape(value)}"' if part.quoted else escape(value))
        return "".join(out)


@lru_cache(maxsize=256)
def compile_template(text: str) -> Template:
    if len(text) > MAX_TEMPLATE_CHARS:
        raise TemplateError(
            f"template is longer than {MAX_TEMPLATE_CHARS} characters ({len(text)})"
        )
    layout = _json_layout(text)
    if layout is None and _looks_like_json(text):
        # Read as text, its values would go in unescaped and could add keys to what the
        # provider parses (`{"to": "{{Address}}", "n": {{N}}.00}`): refused, not guessed.
        raise TemplateError(
            "starts and ends like a JSON document but is not valid JSON once each "
            "placeholder stands for a string"
        )
    parts = _json_parts(text, layout) if layout is not None else tuple(_text_parts(text))
    count = sum(isinstance(part, _Slot) for part in parts)
    if count > MAX_PLACEHOLDERS:
        raise TemplateError(f"template has more than {MAX_PLACEHOLDERS} placeholders ({count})")
    return Template(parts)


def _placeholder_at(text: str, start: int) -> tuple[_Slot, int] | None:
    """The placeholder whose `{{` is at `start`, and the index after its `}}`; else None.

    The grammar (the regular expression this replaces, matched at `start`):
    `{{ \\s* name \\s* ( | \\s* default \\s* )? }}` where the name holds no `{`, `}` or `|` and
    the default no `{` or `}`. No brace may appear before the closing `}}`, so the first
    brace after `{{` decides: `}}` closes the placeholder, anything else means there is none.
    The name is the text before the first `|`, stripped of blanks (all blanks: its last
    one); the default is the rest, stripped, and unquoted when quoted at both ends.
    """
    brace = _BRACE.search(text, start + 2)
    if brace is None or not text.startswith("}}", brace.start()):
        return None
    inner = text[start + 2 : brace.start()]
    bar = inner.find("|")
    before = inner if bar < 0 else inner[:bar]
    if not before:
        return None
    name = before.strip() or before[-1]
    default = None if bar < 0 else inner[bar + 1 :].strip()
    if default is not None and len(default) >= 2 and default[0] == default[-1] in "\"'":
        default = default[1:-1]
    return _Slot(name, default), brace.start() + 2


def _text_parts(text: str) -> list[str | _Slot]:
    parts: list[str | _Slot] = []
    literal_from = 0
    position = text.find("{{")
    while position >= 0:
        found = _placeholder_at(text, position)
        if found is None:
            # Each failed start is passed once, and the search for its brace never goes past
            # the next brace: linear overall.
            position = text.find("{{", position + 1)
            continue
        slot, end = found
        if position > literal_from:
            parts.append(text[literal_from:position])
        parts.append(slot)
        literal_from = end
        if len(parts) > 2 * MAX_PLACEHOLDERS + 1:
            break  # compile_template refuses it; no need to read further
        position = text.find("{{", end)
    if literal_from < len(text):
        parts.append(text[literal_from:])
    return parts


# A JSON template's layout: its string literals (start, end) and the placeholders outside
# them (start, end, slot), in order.
_Layout = tuple[tuple[int, int, _Slot | None], ...]


@lru_cache(maxsize=256)
def _json_layout(text: str) -> _Layout | None:
    """The layout of a JSON template (see the module docstring), or None for text."""
    if text.lstrip()[:1] not in ("{", "["):
        return None
    pieces: list[tuple[int, int, _Slot | None]] = []
    probe: list[str] = []
    position = 0
    copied = 0
    while True:
        stop = _JSON_STOP.search(text, position)
        if stop is None:
            break
        at = stop.start()
        if text[at] == '"':
            string = _JSON_STRING.match(text, at)
            if string is None:
                return None  # an unterminated string: not JSON
            pieces.append((at, string.end(), None))
            position = string.end()
            continue
        found = _placeholder_at(text, at) if text.startswith("{{", at) else None
        if found is None:
            position = at + 1
            continue
        slot, end = found
        pieces.append((at, end, _Slot(slot.name, slot.default, quoted=True)))
        probe += [text[copied:at], '""']
        copied = position = end
    probe.append(text[copied:])
    try:
        document = json.loads("".join(probe))
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." deeper than the parser
        return None
    # `{{Name}}` alone reads as `""`: a string, not a document.
    return tuple(pieces) if isinstance(document, dict | list) else None


def _json_parts(text: str, layout: _Layout) -> tuple[str | _Slot, ...]:
    """A JSON document: placeholders are found in each decoded string, never across two.

    Matching the raw text instead would join `{{` in one string with `}}` in the next (and
    break the document), and read a default written `\\"two words\\"` or `\\u00e9` with its
    JSON escapes, which the value's own JSON escaping would then double. A placeholder
    outside the strings is a quoted slot (a JSON string literal when rendered).
    """
    parts: list[str | _Slot] = []
    literal = ""
    position = 0
    for start, end, outside in layout:
        if outside is not None:
            literal += text[position:start]
            parts += [literal, outside] if literal else [outside]
            literal = ""
            position = end
            continue
        inner = _text_parts(json.loads(text[start:end]))
        if not any(isinstance(part, _Slot) for part in inner):
            continue  # no placeholder: the string stays exactly as written
        literal += text[position:start] + '"'
        for part in inner:
            if isinstance(part, _Slot):
                parts += [literal, part] if literal else [part]
                literal = ""
            else:
                literal += _json_string_content(part)
        literal += '"'
        position = end
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


def _looks_like_json(text: str) -> bool:
    """An object or array by its first and last characters, neither of them a placeholder's.
    Text such as "[Sale] 20% off" or "{{FirstName}}, see {x}" does not look like one."""
    stripped = text.strip()
    if (stripped[:1], stripped[-1:]) not in (("{", "}"), ("[", "]")):
        return False
    parts = _text_parts(stripped)
    # A placeholder first or last (`{{FirstName}}, see {x}`, `{not json {{A}}`): text.
    return not (isinstance(parts[0], _Slot) or isinstance(parts[-1], _Slot))


def is_json_template(text: str) -> bool:
    """An object or array, possibly with placeholders outside its strings (what data_escaper
    JSON-escapes values for)."""
    return _json_layout(text) is not None


def _json_escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def escaper(encoding: BodyEncoding) -> Escape:
    """How a substituted value is written into a body of the given encoding."""
    if encoding == "json":
        return _json_escape
    if encoding == "form":
        return quote_plus
    return str


@lru_cache(maxsize=64)
def data_escaper(data: str, value_escape: Escape | None = None) -> Escape:
    """Campaign Data that is a JSON document gets JSON-escaped values, so it stays valid JSON
    (`{"text": "Hi {{Attributes.Name}}"}` with a quote in the name); other Data is text.

    `value_escape` (an adapter's `escape_value`, e.g. Slack's `&`, `<`, `>` escaping) is
    applied to each value first, then the JSON escaping.
    """
    is_json = _json_layout(data) is not None
    if value_escape is None:
        return _json_escape if is_json else str
    if not is_json:
        return value_escape
    escape_first = value_escape
    return lambda value: _json_escape(escape_first(value))


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
    defaults: Mapping[str, str] | None = None,
) -> Lookup:
    """Resolve placeholder names against one endpoint, its event, and optional extras;
    `defaults` (a Connect-authored template's default attributes) answer a profile field
    the endpoint lacks."""
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
        "RunId": event.run_id,
        "ActionId": event.activity_id if event.source == "connect" else None,
    }
    nested: dict[str, Mapping[str, Any]] = {
        "Attributes.": endpoint.attributes,
        "User.UserAttributes.": endpoint.user_attributes,
        "Location.": endpoint.location,
        "Demographic.": endpoint.demographic,
        "Metrics.": endpoint.metrics,
    }

    fields = endpoint.fields

    def lookup(name: str) -> str | None:
        # Reserved names first, always: a profile (attacker input) never stands in for the
        # provider secret, the rendered Data or the context ids.
        if extra is not None and name in extra:
            return extra[name]
        if name in simple:
            return simple[name]
        if name == "Secret" or name.startswith("Secret."):
            if name == "Secret":
                return secret if isinstance(secret, str) else None
            if isinstance(secret, Mapping):
                return _render_value(secret.get(name[len("Secret.") :]))
            return None
        if name in RESERVED_NAMES:
            return None
        if name in fields:  # a Connect profile's field, by the name rule of profiles.py
            return fields[name]
        if defaults is not None and name in defaults:
            return defaults[name]
        for prefix, values in nested.items():
            if name.startswith(prefix):
                value = _render_value(values.get(name[len(prefix) :]))
                # Location, Demographic and Metrics are not checked when parsed (events.py).
                if value is not None and not is_encodable(value):
                    raise InvalidEvent(name, NOT_UNICODE)
                return value
        return None

    return lookup

"""The environment reader and the checks that settings and adapters share.

The channel's own settings (config.py) and every adapter's CHANNEL_<NAME>_* settings
(adapters/) are read with EnvReader; each error is a ConfigError naming its variable, never
a stack trace. This module imports nothing of the channel but templating's limits, so an
adapter can import it without importing the channel's settings.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from typing import TypeVar

from .templating import MAX_PLACEHOLDERS, MAX_TEMPLATE_CHARS

# A header value may hold visible characters, spaces and tabs (RFC 9110, 5.5): CR and LF
# would split the request into more headers (or a second request), NUL and the other
# control bytes are refused or read differently by servers and proxies.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Used with fullmatch: "$" would also match before a final newline ("X-Key\n").
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_QUEUE_URL = re.compile(r"^https?://[^\s/]+/[0-9]{12}/[A-Za-z0-9_-]{1,80}(\.fifo)?$")
# A profile field name (Connect), as CHANNEL_CONNECT_* settings list them.
FIELD_NAME = re.compile(r"[^\s,{}|]{1,255}")
T = TypeVar("T", bound=str)


class ConfigError(ValueError):
    """A configuration variable has a value the handler cannot use."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


def authority(url: str) -> str:
    """The scheme, host and port of a URL, user information included: everything before the
    first `/` after `://` (stricter than RFC 3986, 3.2, which also ends it at `?` or `#`)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.partition('/')[0]}"


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1 (written [::1] in a URL)."""
    host = host.lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]")).is_loopback
    except ValueError:
        return False


def require_https(name: str, url: str) -> None:
    """https://, or http:// to this machine (tests and local providers)."""
    if url.lower().startswith("https://"):
        return
    host_port = authority(url).partition("://")[2]
    host = host_port.rpartition("@")[2]
    host = host[: host.find("]") + 1] if host.startswith("[") else host.partition(":")[0]
    # A backslash is a path separator to some parsers and not to others: no guessing.
    if "\\" in host_port or not is_loopback_host(host):
        raise ConfigError(name, "must be an https:// URL (http:// only to a loopback host)")


def check_template(name: str, template: str) -> None:
    """Within the limits templating.py enforces, so a bad template fails at cold start."""
    if len(template) > MAX_TEMPLATE_CHARS:
        raise ConfigError(name, f"is longer than {MAX_TEMPLATE_CHARS} characters")
    if template.count("{{") > MAX_PLACEHOLDERS:
        raise ConfigError(name, f"has more than {MAX_PLACEHOLDERS} placeholders")


class EnvReader:
    """Typed accessors over the environment; each error names its variable. Adapters read
    their own CHANNEL_<NAME>_* settings with it (adapters/)."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def optional(self, name: str) -> str | None:
        value = self._env.get(name, "").strip()
        return value or None

    def required(self, name: str) -> str:
        value = self.optional(name)
        if value is None:
            raise ConfigError(name, "is required for this adapter")
        return value

    def text(self, name: str, default: str, *, max_len: int) -> str:
        value = self._env.get(name)
        if value is None or value == "":
            return default
        if len(value) > max_len:
            raise ConfigError(name, f"is longer than {max_len} characters")
        return value

    def optional_text(self, name: str, *, max_len: int) -> str | None:
        value = self._env.get(name)
        if value is None or value == "":
            return None
        return self.text(name, value, max_len=max_len)

    def string_map(self, name: str, *, max_len: int) -> dict[str, str]:
        """A JSON object of non-empty strings to strings, each value at most max_len long."""
        parsed = self._string_object(name, "must be a JSON object of non-empty strings to strings")
        for key, value in parsed.items():
            if not key:
                raise ConfigError(name, "must be a JSON object of non-empty strings to strings")
            if len(value) > max_len:
                raise ConfigError(name, f"the template of {key!r} is longer than {max_len}")
        return parsed

    def _string_object(self, name: str, shape: str) -> dict[str, str]:
        """The variable as a JSON object of strings to strings ({} when unset)."""
        raw = self.optional(name)
        if raw is None:
            return {}
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ConfigError(name, f"is not valid JSON ({error.msg})") from None
        except RecursionError:  # "[[[[..." deeper than the parser goes
            raise ConfigError(name, "is not valid JSON (nested too deeply)") from None
        if not isinstance(parsed, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in parsed.items()
        ):
            raise ConfigError(name, shape)
        return parsed

    def field_list(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        raw = self.optional(name)
        if raw is None:
            return default
        fields = tuple(part.strip() for part in raw.split(","))
        for item in fields:
            if not FIELD_NAME.fullmatch(item):
                raise ConfigError(name, f"must list field names, comma-separated ({item!r})")
        return fields

    def choice(self, name: str, allowed: tuple[T, ...], default: T) -> T:
        value = self.optional(name)
        if value is None:
            return default
        for option in allowed:
            if value.lower() == option.lower():
                return option
        raise ConfigError(name, f"must be one of {', '.join(allowed)} (got {value!r})")

    def boolean(self, name: str, default: bool) -> bool:
        value = self.optional(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ConfigError(name, f"must be true or false (got {value!r})")

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.optional(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(name, f"must be a whole number (got {value!r})") from None
        if not low <= number <= high:
            raise ConfigError(name, f"must be between {low} and {high} (got {number})")
        return number

    def base_url(self, name: str, default: str) -> str:
        value = self.optional(name) or default
        if not re.match(r"^https?://[^\s/]+", value):
            raise ConfigError(name, "must be an http:// or https:// URL")
        require_https(name, value)
        return value.rstrip("/")

    def pattern(self, name: str, default: str) -> str:
        value = self.optional(name) or default
        try:
            re.compile(value)
        except re.error as error:
            raise ConfigError(name, f"is not a valid regular expression ({error})") from None
        return value

    def country_codes(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """E.164 calling-code prefixes without "+": 1-4 digits each, comma-separated."""
        raw = self.optional(name)
        if raw is None:
            return default
        codes = tuple(piece.strip() for piece in raw.split(","))
        for code in codes:
            if not re.fullmatch(r"[1-9][0-9]{0,3}", code):
                raise ConfigError(
                    name,
                    f"must list calling-code prefixes of 1-4 digits without +, "
                    f"like 1,44 ({code!r})",
                )
        return codes

    def queue_url(self, name: str) -> str | None:
        value = self.optional(name)
        if value is None:
            return None
        if not _QUEUE_URL.match(value):
            raise ConfigError(
                name, "must be an SQS queue URL (https://sqs.<region>.../<account>/<name>)"
            )
        if value.endswith(".fifo"):
            raise ConfigError(name, "must be a standard queue: failed deliveries have no group id")
        return value

    def header_name(self, name: str) -> str | None:
        value = self.optional(name)
        if value is not None and not HEADER_NAME.fullmatch(value):
            raise ConfigError(name, f"is not a valid HTTP header name ({value!r})")
        return value

    def header_map(self, name: str) -> dict[str, str]:
        parsed = self._string_object(
            name, "must be a JSON object of string header names to strings"
        )
        for key, value in parsed.items():
            if not HEADER_NAME.fullmatch(key):
                raise ConfigError(name, f"has an invalid header name {key!r}")
            if CONTROL_CHARACTERS.search(value):
                raise ConfigError(name, f"header {key} has a control character (CR, LF, NUL...)")
            check_template(name, value)
        return parsed

    def status_codes(self, name: str, default: str) -> frozenset[int]:
        raw = self.optional(name) or default
        codes: set[int] = set()
        for part in raw.split(","):
            piece = part.strip()
            match = re.fullmatch(r"(\d{3})(?:-(\d{3}))?", piece)
            if not match:
                raise ConfigError(
                    name, f"must list codes or ranges like 200,202 or 200-299 ({piece!r})"
                )
            low = int(match.group(1))
            high = int(match.group(2) or low)
            if not 100 <= low <= high <= 599:
                raise ConfigError(name, f"has an invalid status range {piece!r}")
            codes.update(range(low, high + 1))
        return frozenset(codes)

"""Generic HTTP: one request per endpoint, with templated headers and body.

Settings (CHANNEL_HTTP_*) are checked at cold start: placeholders never in the URL's scheme,
host or port, https:// unless to a loopback host, no control character in a header template.
A header value rendered with a control character (CR, LF, NUL...; from endpoint data) fails
that endpoint alone, its reason naming the header and not the value.
"""

from __future__ import annotations

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
    AdapterBase,
    AdapterError,
    Answer,
    Message,
    ProviderRequest,
    ProviderResponse,
    Secret,
    classify_by_status,
)

HTTP_METHODS = ("POST", "PUT", "PATCH", "GET")
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


def _url_escape(value: str) -> str:
    escaped = quote(value, safe="")
    if escaped in (".", ".."):
        # A dot segment: the client removes it (RFC 3986, 5.2.4), and requests decodes %2E
        # back to ".", so no encoding keeps it: the request would go to another path.
        raise AdapterError(f"a URL value may not be {value!r}")
    return escaped

"""Generic HTTP: one request per endpoint, with templated headers and body."""

from __future__ import annotations

from collections.abc import Mapping

from ..config import HttpSettings
from ..templating import compile_template, endpoint_lookup, escaper
from .base import AdapterError, Answer, Message, ProviderRequest, classify_by_status

_CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "form": "application/x-www-form-urlencoded",
    "plain": "text/plain; charset=utf-8",
}


class HttpAdapter:
    name = "http"

    def __init__(self, settings: HttpSettings, secret: Mapping[str, str] | str | None) -> None:
        self._settings = settings
        self._secret = secret
        self._url = compile_template(settings.url)
        self._body = compile_template(settings.body_template)
        self._headers = {key: compile_template(value) for key, value in settings.headers.items()}
        self._escape = escaper(settings.body_encoding)

    def build(self, message: Message) -> ProviderRequest:
        lookup = endpoint_lookup(
            message.event, message.endpoint, {"Data": message.data}, self._secret
        )
        headers = {key: template.render(lookup) for key, template in self._headers.items()}
        headers.setdefault("Content-Type", _CONTENT_TYPES[self._settings.body_encoding])
        idempotent = self._settings.idempotency_header is not None
        if self._settings.idempotency_header:
            headers[self._settings.idempotency_header] = message.idempotency_key
        body = None
        if self._settings.method != "GET":
            body = self._body.render(lookup, self._escape).encode("utf-8")
        return ProviderRequest(
            method=self._settings.method,
            url=self._url.render(lookup, _url_escape),
            headers=headers,
            body=body,
            idempotent=idempotent,
        )

    def classify(self, status: int, body: bytes | None) -> Answer:
        return classify_by_status(status, self._settings.success_codes)


def _url_escape(value: str) -> str:
    from urllib.parse import quote

    escaped = quote(value, safe="")
    if escaped in (".", ".."):
        # A dot segment: the client removes it (RFC 3986, 5.2.4), and requests decodes %2E
        # back to ".", so no encoding keeps it: the request would go to another path.
        raise AdapterError(f"a URL value may not be {value!r}")
    return escaped

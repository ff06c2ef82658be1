"""Generic HTTP: one request per endpoint, with templated headers and body.

Settings are checked at cold start (config.py): placeholders never in the URL's scheme, host
or port, https:// unless to a loopback host, no control character in a header template. A
header value rendered with a control character (CR, LF, NUL...; from endpoint data) fails
that endpoint alone, its reason naming the header and not the value.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..config import CONTROL_CHARACTERS, HttpSettings
from ..templating import TemplateError, compile_template, endpoint_lookup, escaper
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
        try:
            self._url = compile_template(settings.url)
            self._body = compile_template(settings.body_template)
            self._headers = {
                key: compile_template(value) for key, value in settings.headers.items()
            }
        except TemplateError as error:  # config.py checks the limits: not expected
            raise AdapterError(f"http adapter template: {error}") from None
        self._escape = escaper(settings.body_encoding)

    def build(self, message: Message) -> ProviderRequest:
        lookup = endpoint_lookup(
            message.event, message.endpoint, {"Data": message.data}, self._secret
        )
        headers = {key: template.render(lookup) for key, template in self._headers.items()}
        for key, value in headers.items():
            if CONTROL_CHARACTERS.search(value):
                # A CR or LF from endpoint data would add headers (RFC 9110, 5.5).
                raise AdapterError(f"header {key} has a control character")
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

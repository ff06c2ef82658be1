"""Message templates authored in Amazon Connect (Amazon Q in Connect), the template source of a
Connect custom action whose block label CHANNEL_CONNECT_TEMPLATE_IDS names.

Configuration (config.ConnectSettings): CHANNEL_CONNECT_KNOWLEDGE_BASE_ID, the knowledge base
that holds the templates, and CHANNEL_CONNECT_TEMPLATE_IDS, a JSON object mapping each custom
action block's label (Connect sends it as ActionId) to a message template id, optionally
pinned to a version (`<id>:3`); without one the published version is read (`:$ACTIVE_VERSION`).
An explicit map rather than "the template named like the label" (what a Lambda could find
with ListMessageTemplates): the function's role is granted GetMessageTemplate on exactly these
templates, a cold start makes one call per template instead of paging a list, and a renamed
block fails with a reason instead of silently picking up another template.

The text is read with GetMessageTemplate (qconnect, botocore's 2020-10-19 model) once per
container and template, cached for CHANNEL_CONNECT_TEMPLATE_TTL_SECONDS, and rendered here,
per profile, by the channel's own templating: rendering through RenderMessageTemplate would
cost one call per profile (50 per batch, each within the invocation's deadline and
qconnect's request quotas) and would not work offline. A refresh that fails serves the cached
text for up to STALE_GRACE_SECONDS more, as the provider secret does; every read is bounded
by the invocation's deadline (aws.attempt). A template that cannot be had fails its batch's
profiles with a reason naming the template (nothing was sent, so they stay retryable).

Which text: an SMS template's `sms.body.plainText`, an EMAIL template's `email.body.plainText`
(its `html` when it has no plain text). Other channel subtypes (WHATSAPP, PUSH) are refused
with a reason. Placeholders use Connect's syntax, `{{Attributes.Customer.FirstName}}` for a
profile field and `{{Attributes.X}}` for a custom attribute, which the name rule of
profiles.py reads from the profile; the template's `defaultAttributes`
(customerProfileAttributes and customAttributes) are the values of placeholders the profile
lacks. A placeholder with neither fails that profile (Connect would send it literally).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import logs
from .aws import AwsClients, CallFailed, attempt
from .deadline import Deadline
from .profiles import ProfileFields

STALE_GRACE_SECONDS = 900.0
ACTIVE_VERSION = "$ACTIVE_VERSION"
# Errors a second attempt cannot fix.
_PERMANENT = frozenset(
    {"ResourceNotFoundException", "AccessDeniedException", "ValidationException"}
)


class TemplateUnavailable(RuntimeError):
    """The template could not be read or used; the message names it, never its text."""


@dataclass(frozen=True)
class ConnectTemplate:
    """A template's text and the values of placeholders a profile lacks."""

    name: str
    version: int | None
    text: str
    defaults: ProfileFields


class ConnectTemplates:
    def __init__(
        self,
        knowledge_base_id: str | None,
        template_ids: Mapping[str, str],
        ttl_seconds: int,
        *,
        clients: AwsClients | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._knowledge_base_id = knowledge_base_id
        self._template_ids = dict(template_ids)
        self._ttl = ttl_seconds
        self._clients = clients or AwsClients()
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[ConnectTemplate, float]] = {}

    def names(self, label: str) -> str | None:
        """The template id configured for this block label (None: not a Connect template)."""
        return self._template_ids.get(label) if self._knowledge_base_id else None

    def get(self, label: str, deadline: Deadline | None) -> ConnectTemplate:
        template_id = self.names(label)
        if template_id is None:
            raise TemplateUnavailable(f"no Connect template for {label!r}")
        with self._lock:
            now = self._clock()
            cached = self._cache.get(template_id)
            if cached is not None and now - cached[1] < self._ttl:
                return cached[0]
            try:
                template = self._read(template_id, deadline)
            except TemplateUnavailable as error:
                if cached is None or now - cached[1] - self._ttl > STALE_GRACE_SECONDS:
                    raise
                logs.get_logger().warning(
                    "message template refresh failed; serving the cached one",
                    extra={"template_id": template_id, "problem": str(error)},
                )
                return cached[0]
            self._cache[template_id] = (template, now)
            return template

    def _read(self, template_id: str, deadline: Deadline | None) -> ConnectTemplate:
        qualified = template_id if ":" in template_id else f"{template_id}:{ACTIVE_VERSION}"
        client = self._clients.client("qconnect")
        knowledge_base_id = self._knowledge_base_id
        assert knowledge_base_id  # names(): no template id without a knowledge base

        # Read as data, not as boto3-stubs' TypedDict: the stubs mark every member of an answer
        # required, while botocore's qconnect model requires none of GetMessageTemplate's.
        def call() -> Mapping[str, Any]:
            return client.get_message_template(
                knowledgeBaseId=knowledge_base_id, messageTemplateId=qualified
            )

        try:
            response = attempt(
                deadline, "qconnect", "GetMessageTemplate", call, permanent=_PERMANENT
            )
        except CallFailed as error:
            raise TemplateUnavailable(
                f"message template {qualified} cannot be read: {error.code}"
            ) from None
        return template_of(qualified, response.get("messageTemplate") or {})


def template_of(qualified: str, data: Mapping[str, Any]) -> ConnectTemplate:
    """The text of a GetMessageTemplate answer's ExtendedMessageTemplateData."""
    subtype = str(data.get("channelSubtype", ""))
    content = data.get("content") or {}
    text: object = None
    if subtype == "SMS":
        text = _dig(content, "sms", "body", "plainText", "content")
    elif subtype == "EMAIL":
        text = _dig(content, "email", "body", "plainText", "content") or _dig(
            content, "email", "body", "html", "content"
        )
    else:
        raise TemplateUnavailable(
            f"message template {qualified}: channel subtype {subtype or 'none'} is not "
            "supported (SMS or EMAIL)"
        )
    if not isinstance(text, str) or not text:
        raise TemplateUnavailable(f"message template {qualified} has no {subtype} body text")
    version = data.get("versionNumber")
    return ConnectTemplate(
        name=str(data.get("name", "")),
        version=version if isinstance(version, int) else None,
        text=text,
        defaults=_defaults(data.get("defaultAttributes") or {}),
    )


def _defaults(attributes: Mapping[str, Any]) -> ProfileFields:
    """The template's default attribute values by the names its placeholders use."""
    values: dict[str, str] = {}
    profile = attributes.get("customerProfileAttributes") or {}
    for key, value in profile.items():
        if isinstance(value, str):
            values[f"Attributes.Customer.{key}"] = value
        elif key == "custom" and isinstance(value, Mapping):  # the profile's own attributes
            for name, text in value.items():
                if isinstance(text, str):
                    values[f"Attributes.Customer.Attributes.{name}"] = text
    for key, value in (attributes.get("customAttributes") or {}).items():
        if isinstance(value, str):
            values[f"Attributes.{key}"] = value
    return ProfileFields(values)


def _dig(value: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value

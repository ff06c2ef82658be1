"""Slack chat.postMessage with a bot token (secret key `bot_token`).

The channel (or user id, for a direct message) comes from an endpoint attribute named by
CHANNEL_SLACK_CHANNEL_ATTRIBUTE, or from the endpoint Address. When the campaign's Data (the
template, never the rendered value) is a JSON object, the rendered object is the message,
with only the keys of PAYLOAD_KEYS (text, blocks, ...: no `username`, `icon_*` or `as_user`,
which would let a campaign, or a value in it, post as someone else); otherwise it is the text.

Endpoint data is written by end users (docs/security.md), so:
- the channel must fullmatch CHANNEL_SLACK_CHANNEL_PATTERN (default: the shape of Slack
  conversation and user ids), else the endpoint fails with `blocked: ...`;
- every substituted value is escaped for Slack (`escape_value`): Slack's "Formatting text"
  rule is to escape `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;`, which otherwise read as
  control sequences (`<!channel>` notifies a whole channel, `<https://x|label>` disguises a
  link). The campaign's own markup in Data stays as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar, Self

from ..env import EnvReader
from ..templating import is_json_template
from .base import (
    AdapterBase,
    AdapterError,
    Answer,
    Message,
    ProviderRequest,
    ProviderResponse,
    Secret,
    Verdict,
    address_required,
    classify_by_status,
)

# Slack conversation ids (C public, G private, D direct message) and user ids (U, W): no
# channel names ("#general", which anyone can rename or create) and no other text.
DEFAULT_CHANNEL_PATTERN = "[CDGUW][A-Z0-9]{8,}"

# `ok: false` errors of chat.postMessage that say the request was not processed (Slack's
# error list: rate limited; "the service is temporarily unavailable"): safe to send again.
NOT_PROCESSED_ERRORS = frozenset({"ratelimited", "rate_limited", "service_unavailable"})
# Errors after which Slack says "it's possible some aspect of the operation succeeded":
# the message may have been posted, so it is never sent blindly again (Verdict.UNKNOWN).
MAY_HAVE_ACTED_ERRORS = frozenset({"internal_error", "fatal_error"})


# chat.postMessage arguments a payload template may set (Slack's method reference); the
# channel is the adapter's, and identity overrides (username, icon_emoji, icon_url, as_user)
# and tokens are refused.
PAYLOAD_KEYS = frozenset(
    {
        "text",
        "blocks",
        "attachments",
        "thread_ts",
        "reply_broadcast",
        "unfurl_links",
        "unfurl_media",
        "mrkdwn",
        "parse",
        "link_names",
        "metadata",
    }
)

# Slack's "Formatting text": the three characters that must be escaped, `&` first.
_SLACK_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


def escape_mrkdwn(value: str) -> str:
    """A substituted value as literal Slack text: no mention, link or channel ping."""
    for char, entity in _SLACK_ESCAPES:
        value = value.replace(char, entity)
    return value


@dataclass(frozen=True)
class SlackAdapter(AdapterBase):
    name: ClassVar[str] = "slack"
    needs_secret: ClassVar[bool] = True

    channel_attribute: str | None = None
    api_base: str = "https://slack.com/api"
    channel_pattern: str = DEFAULT_CHANNEL_PATTERN
    # Set by with_secret: the bot token's headers.
    request_headers: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    _channel_re: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_channel_re", re.compile(self.channel_pattern))

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Self:
        reader = EnvReader(env)
        return cls(
            channel_attribute=reader.optional("CHANNEL_SLACK_CHANNEL_ATTRIBUTE"),
            api_base=reader.base_url("CHANNEL_SLACK_API_BASE", "https://slack.com/api"),
            channel_pattern=reader.pattern(
                "CHANNEL_SLACK_CHANNEL_PATTERN", DEFAULT_CHANNEL_PATTERN
            ),
        )

    def with_secret(self, secret: Secret | None) -> Self:
        if not isinstance(secret, Mapping) or not secret.get("bot_token"):
            raise AdapterError("the slack secret must be a JSON object with bot_token")
        return replace(
            self,
            request_headers={
                "Authorization": f"Bearer {secret['bot_token']}",
                "Content-Type": "application/json; charset=utf-8",
            },
        )

    @property
    def template_names(self) -> frozenset[str]:
        # The attribute a queued failure must keep, so a resend finds the channel again.
        if self.channel_attribute:
            return frozenset({f"Attributes.{self.channel_attribute}"})
        return frozenset()

    @property
    def escape_value(self) -> Callable[[str], str]:
        # Applied to each value substituted into the campaign Data (templating.data_escaper).
        return escape_mrkdwn

    def build(self, message: Message) -> ProviderRequest:
        channel = self._channel(message)
        payload: dict[str, object]
        # Payload or text is the template's shape: a value can never turn text into a payload.
        parsed = json.loads(message.data) if _is_payload_template(message.event.data) else None
        if isinstance(parsed, dict):
            unknown = sorted(set(parsed) - PAYLOAD_KEYS)
            if unknown:
                raise AdapterError(f"slack payload key {unknown[0]!r} is not allowed")
            payload = dict(parsed)
        elif message.data:
            payload = {"text": message.data}
        else:
            raise AdapterError("message body is empty")
        payload["channel"] = channel
        return ProviderRequest(
            method="POST",
            url=f"{self.api_base}/chat.postMessage",
            headers=self.request_headers,
            body=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        )

    def _channel(self, message: Message) -> str:
        attribute = self.channel_attribute
        if attribute is None:
            channel = address_required(message.endpoint)
        else:
            values = message.endpoint.attributes.get(attribute) or []
            if not values or not values[0]:
                raise AdapterError(f"endpoint has no Attributes.{attribute}")
            channel = values[0]
        # The endpoint chooses where the bot posts: only where the operator allows it.
        if not self._channel_re.fullmatch(channel):
            raise AdapterError("blocked: channel does not match CHANNEL_SLACK_CHANNEL_PATTERN")
        return channel

    def classify(self, response: ProviderResponse) -> Answer:
        status, body = response.status, response.body
        if status != 200:  # only a 200 carries Slack's verdict, in its body
            return classify_by_status(status, frozenset(), label="slack http")
        if body is None:
            # Slack answers 200 for errors too; without the body the outcome is unknown.
            return Answer(Verdict.UNKNOWN, "slack response body not received")
        try:
            answer = json.loads(body)
        except ValueError:
            return Answer(Verdict.UNKNOWN, "slack response is not JSON")
        if isinstance(answer, dict) and answer.get("ok") is True:
            return Answer(Verdict.DELIVERED)
        error = str(answer.get("error", "unknown")) if isinstance(answer, dict) else "unknown"
        if error in NOT_PROCESSED_ERRORS:
            return Answer(Verdict.RETRY, f"slack {error}")
        if error in MAY_HAVE_ACTED_ERRORS:
            return Answer(Verdict.UNKNOWN, f"slack {error}")
        return Answer(Verdict.FAILED, f"slack {error}")


def _is_payload_template(data: str) -> bool:
    """Campaign Data that is a JSON object (with placeholders: templating's rule)."""
    return data.lstrip().startswith("{") and is_json_template(data)

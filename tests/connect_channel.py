"""The http channel the Connect tests deliver through: a real local provider, JSON bodies of
`{"to": <address>, "text": <message>}`, metrics off."""

from __future__ import annotations

from typing import Any

from custom_channel.channel import Channel
from custom_channel.config import load_settings


def http_channel(provider: Any, **env: str) -> Channel:
    return Channel(
        load_settings(
            {
                "CHANNEL_ADAPTER": "http",
                "CHANNEL_HTTP_URL": f"{provider.url}/send",
                "CHANNEL_HTTP_BODY_TEMPLATE": '{"to": "{{Address}}", "text": "{{Data}}"}',
                "CHANNEL_METRICS_MODE": "off",
                **env,
            }
        )
    )

"""Delivery adapters: one small module per provider, chosen by CHANNEL_ADAPTER."""

from __future__ import annotations

from collections.abc import Mapping

from ..config import Settings
from .base import Adapter, AdapterError, Answer, Message, ProviderRequest, Verdict
from .http import HttpAdapter
from .none import NoneAdapter
from .slack import SlackAdapter
from .twilio import TwilioAdapter

__all__ = [
    "Adapter",
    "AdapterError",
    "Answer",
    "Message",
    "ProviderRequest",
    "Verdict",
    "build_adapter",
]


def build_adapter(settings: Settings, secret: Mapping[str, str] | str | None) -> Adapter:
    """The adapter named by settings.adapter, given the provider secret (if any)."""
    if settings.adapter == "http" and settings.http is not None:
        return HttpAdapter(settings.http, secret)
    if settings.adapter == "twilio" and settings.twilio is not None:
        return TwilioAdapter(settings.twilio, secret)
    if settings.adapter == "slack" and settings.slack is not None:
        return SlackAdapter(settings.slack, secret)
    return NoneAdapter()

"""Delivery adapters: one module per provider, chosen by CHANNEL_ADAPTER.

The registry is `ADAPTERS` below: an adapter in this package is one module and one entry in
that tuple. An adapter outside the package (a module of your own, in the zip beside
custom_channel/) is named by CHANNEL_ADAPTER_MODULE, a dotted module path: the handler
imports it at cold start and takes its `ADAPTER`, the adapter class (docs/adapters.md).

The built-in adapters need nothing beyond the standard library; an adapter that needs a heavy
library imports it in from_environment, so it costs a cold start only where it is chosen.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping

from ..env import ConfigError
from .base import (
    NOT_ACTED_STATUSES,
    Adapter,
    AdapterBase,
    AdapterError,
    Answer,
    Callback,
    Message,
    ProviderRequest,
    ProviderResponse,
    Receipt,
    ReceiptInvalid,
    ReceiptRefused,
    ReceiptTarget,
    RecipientFact,
    Secret,
    Verdict,
    address_required,
    classify_by_status,
)
from .http import HttpAdapter
from .none import NoneAdapter
from .slack import SlackAdapter
from .twilio import TwilioAdapter

__all__ = [
    "ADAPTERS",
    "NOT_ACTED_STATUSES",
    "RESERVED_NAMES",
    "Adapter",
    "AdapterBase",
    "AdapterError",
    "Answer",
    "Callback",
    "Message",
    "ProviderRequest",
    "ProviderResponse",
    "Receipt",
    "ReceiptInvalid",
    "ReceiptRefused",
    "ReceiptTarget",
    "RecipientFact",
    "Secret",
    "Verdict",
    "adapter_class",
    "address_required",
    "classify_by_status",
    "load_adapter",
]

_BUILT_IN: tuple[type[Adapter], ...] = (NoneAdapter, HttpAdapter, TwilioAdapter, SlackAdapter)
ADAPTERS: Mapping[str, type[Adapter]] = {cls.name: cls for cls in _BUILT_IN}

# An adapter's settings are CHANNEL_<NAME>_*: a name must be lower-case letters, digits and
# underscores (the module's rule too: variables.tf), and must not be a word the handler's
# own settings begin with, or CHANNEL_<NAME>_* would read them.
ADAPTER_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
RESERVED_NAMES = frozenset(
    {
        "adapter",
        "connect",
        "consent",
        "deadline",
        "event",
        "failure",
        "idempotency",
        "log",
        "max",
        "message",
        "metrics",
        "name",
        "rate",
        "receipts",
        "receiver",
        "safety",
        "secret",
        "skip",
    }
)
_MODULE_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def adapter_class(env: Mapping[str, str]) -> type[Adapter]:
    """The class CHANNEL_ADAPTER names: a built-in one, or CHANNEL_ADAPTER_MODULE's ADAPTER."""
    registry = dict(ADAPTERS)
    module_path = env.get("CHANNEL_ADAPTER_MODULE", "").strip()
    wanted = env.get("CHANNEL_ADAPTER", "").strip()
    if module_path:
        extra = _external_adapter(module_path)
        registry[extra.name] = extra
        if not wanted:  # a module named for nothing: never fall back to sending nothing
            raise ConfigError(
                "CHANNEL_ADAPTER",
                f"must name the adapter to use ({extra.name}, the one CHANNEL_ADAPTER_MODULE "
                "brings, or a built-in one) when CHANNEL_ADAPTER_MODULE is set",
            )
    wanted = wanted or "none"
    for name, cls in registry.items():
        if wanted.lower() == name:
            return cls
    raise ConfigError("CHANNEL_ADAPTER", f"must be one of {', '.join(registry)} (got {wanted!r})")


def load_adapter(env: Mapping[str, str]) -> Adapter:
    """The chosen adapter with its own settings read and validated (ConfigError if bad)."""
    return adapter_class(env).from_environment(env)


def _external_adapter(module_path: str) -> type[Adapter]:
    variable = "CHANNEL_ADAPTER_MODULE"
    if not _MODULE_PATH.fullmatch(module_path):
        raise ConfigError(
            variable, f"must be a dotted module path such as my_provider ({module_path!r})"
        )
    try:
        module = importlib.import_module(module_path)
    except Exception as error:  # one line naming the variable, never a traceback
        raise ConfigError(
            variable, f"cannot import {module_path!r} ({type(error).__name__}: {error})"
        ) from None
    cls = getattr(module, "ADAPTER", None)
    name = getattr(cls, "name", None)
    if not isinstance(cls, type) or not callable(getattr(cls, "from_environment", None)):
        raise ConfigError(variable, f"{module_path} must define ADAPTER, the adapter class")
    if not isinstance(name, str) or not ADAPTER_NAME.fullmatch(name) or name in RESERVED_NAMES:
        raise ConfigError(
            variable,
            f"{module_path}.ADAPTER.name must be 1-32 lower-case letters, digits or _, "
            f"starting with a letter, and not one of {', '.join(sorted(RESERVED_NAMES))} "
            f"(got {name!r})",
        )
    if name in ADAPTERS:
        raise ConfigError(variable, f"{module_path}.ADAPTER.name {name!r} is a built-in adapter")
    adapter: type[Adapter] = cls
    return adapter

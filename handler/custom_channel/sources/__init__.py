"""Event sources: each parses its event into the one batch model (events.Event) and formats
its own answer; nothing downstream (templating, adapters, delivery, ledger, queue, resend)
knows which source it serves.

- `pinpoint`: an Amazon Pinpoint custom channel (campaigns and journeys), its `Endpoints` map;
- `connect`: an Amazon Connect outbound campaign's custom action, its `InvocationMetadata` and
  `Items.CustomerProfiles`.

`source_for` recognises an event by its shape. A shape that is neither is handled as a
Pinpoint event, whose parser names what is missing (one `invalid event` log line and an empty
answer, since such an event has no ids to answer).
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import EventSource
from .connect import ConnectSource
from .pinpoint import PinpointSource

__all__ = ["ConnectSource", "EventSource", "PinpointSource", "source_for"]


def source_for(raw: object, pinpoint: EventSource, connect: EventSource) -> EventSource:
    if isinstance(raw, Mapping) and "InvocationMetadata" in raw and "Endpoints" not in raw:
        return connect
    return pinpoint

"""Amazon Pinpoint's custom-channel event: the guide's payload, answered in the journey format.

Pinpoint waits at most 15 s and may invoke a batch up to 3 times; a failed invocation is
retried (CHANNEL_FAILURE_POLICY=retry relies on it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..events import Event, endpoint_ids_of, parse_event
from ..results import Outcome, journey_response

PINPOINT_WAIT_SECONDS = 15.0  # Pinpoint waits at most this long for a custom channel


class PinpointSource:
    name = "pinpoint"
    wait_seconds = PINPOINT_WAIT_SECONDS
    retries_failed_invocations = True

    def parse(self, raw: object) -> Event:
        return parse_event(raw)

    def ids_of(self, raw: object) -> list[str]:
        return endpoint_ids_of(raw)

    def answer(self, raw: object, outcomes: Mapping[str, Outcome]) -> dict[str, Any]:
        return journey_response(outcomes)

    def idempotency_parts(self, event: Event, recipient_id: str) -> tuple[str, ...]:
        # Unchanged since 0.1.0: records written by earlier versions keep their keys.
        return (
            event.application_id,
            event.source_id,
            event.treatment_id,
            event.activity_id or "",
            recipient_id,
        )

    def queue_items(
        self, raw: object, names: frozenset[str]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("Endpoints"), Mapping):
            return {}, {}
        context = {key: value for key, value in raw.items() if key != "Endpoints"}
        endpoints = {
            str(endpoint_id): minimal_endpoint(endpoint, names)
            for endpoint_id, endpoint in raw["Endpoints"].items()
        }
        return context, endpoints

    def rebuild(self, context: Mapping[str, Any], recipients: Mapping[str, Any]) -> dict[str, Any]:
        return {**context, "Endpoints": dict(recipients)}

    def answers_of(self, response: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        return {
            str(endpoint_id): dict(answer.get("EventAttributes", {}))
            for endpoint_id, answer in response.items()
            if isinstance(answer, Mapping)
        }


# Endpoint fields delivery reads whatever the templates say (events.py, channel.py).
STRUCTURAL_FIELDS = ("ChannelType", "Address", "EndpointStatus", "OptOut")
NESTED_FIELDS = ("Attributes", "Location", "Demographic", "Metrics")


def minimal_endpoint(endpoint: Any, names: frozenset[str]) -> Any:
    """What a resend needs of an endpoint: the fields delivery reads and the named ones."""
    if not isinstance(endpoint, Mapping):
        return endpoint
    kept: dict[str, Any] = {key: endpoint[key] for key in STRUCTURAL_FIELDS if key in endpoint}
    for key in ("EffectiveDate", "CreationDate"):
        if key in names and key in endpoint:
            kept[key] = endpoint[key]
    for group in NESTED_FIELDS:
        _keep_named(kept, endpoint, group, names, f"{group}.")
    user = endpoint.get("User")
    if isinstance(user, Mapping):
        reduced: dict[str, Any] = {}
        if "User.UserId" in names and "UserId" in user:
            reduced["UserId"] = user["UserId"]
        _keep_named(reduced, user, "UserAttributes", names, "User.UserAttributes.")
        if reduced:
            kept["User"] = reduced
    return kept


def _keep_named(
    kept: dict[str, Any], source: Mapping[str, Any], group: str, names: frozenset[str], prefix: str
) -> None:
    values = source.get(group)
    if not isinstance(values, Mapping):
        return
    chosen = {name[len(prefix) :] for name in names if name.startswith(prefix)}
    reduced = {key: values[key] for key in chosen if key in values}
    if reduced:
        kept[group] = reduced

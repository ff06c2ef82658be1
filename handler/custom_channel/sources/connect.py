"""Amazon Connect outbound campaigns' custom action: a batch of customer profiles.

Request (Connect Administrator Guide, "Invoke Lambda functions"):
`{"InvocationMetadata": {"CampaignContext": {"CampaignId", "RunId", "ActionId", ...}},
  "Items": {"CustomerProfiles": [{"ProfileId", "CustomerData": "<JSON string>",
  "IdempotencyToken"}]}}`.
Answer: `{"Items": {"CustomerProfiles": [{"Id": <ProfileId>, "ResultData": {...}}]}}`, one
entry for every ProfileId, in request order; ResultData at most 32 KB per profile; later flow
blocks read `$.LambdaInvocation.ResultData.status`. Connect waits 30 s, and a function that
throws fails every profile of the batch, so this source never asks for a retry by raising.

Each profile becomes one recipient (events.Endpoint):
- its id is the ProfileId; its CustomerData is parsed per profile: missing, not JSON or not
  an object fails that profile alone, with a reason;
- its fields are read by the one name rule of profiles.py (docs/connect.md): `FirstName`,
  `firstName` and `firstname` name the same field, `Address.City` finds `address.city`,
  `Attributes.X` finds the lower-case `attributes.X` Connect really sends, and Connect's own
  template syntax `Attributes.Customer.FirstName` finds `firstName`. Every field is a
  placeholder (lists joined with ", "); `{{Address}}` stays the delivery address, and the
  channel's reserved names (templating.py) are never read from the profile;
- the address is the first non-empty field of CHANNEL_CONNECT_ADDRESS_FIELDS, in that order;
- the channel type is CHANNEL_CONNECT_CHANNEL_TYPE (what the adapter sends: SMS for Twilio);
- a profile whose CHANNEL_CONNECT_OPT_OUT_FIELD, in any spelling, holds a value other than
  empty, `false`, `no`, `0` or `none` has opted out: skipped and counted, never sent.
The message is not in the event. The block's label, which Connect sends as ActionId ("Welcome
Message", as typed in the journey), chooses it: a template authored in Connect
(CHANNEL_CONNECT_TEMPLATE_IDS, read by connect_templates.py), else
CHANNEL_MESSAGE_TEMPLATES[label], else CHANNEL_MESSAGE_TEMPLATE; a batch whose label has
none fails every profile.
The idempotency key is built from CampaignId, RunId, ActionId and ProfileId, never from the
IdempotencyToken, whose stability across Connect's retries is not documented.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..config import ConnectSettings
from ..events import NOT_UNICODE, Endpoint, Event, InvalidEndpoint, InvalidEvent, is_encodable
from ..profiles import ProfileFields, flatten, unflatten
from ..results import Outcome, Status

CONNECT_WAIT_SECONDS = 30.0  # Connect fails the action when the function takes longer
NOT_OPTED_OUT = frozenset({"", "false", "no", "0", "none"})


class ConnectSource:
    name = "connect"
    wait_seconds = CONNECT_WAIT_SECONDS
    retries_failed_invocations = False  # a throw fails every profile of the batch

    def __init__(self, settings: ConnectSettings) -> None:
        self._settings = settings

    def parse(self, raw: object) -> Event:
        if not isinstance(raw, Mapping):
            raise InvalidEvent("event", "must be a JSON object")
        context = _object(raw, "InvocationMetadata", "InvocationMetadata")
        campaign = _object(context, "CampaignContext", "InvocationMetadata.CampaignContext")
        ids = {
            name: _id(campaign, name, f"InvocationMetadata.CampaignContext.{name}")
            for name in ("CampaignId", "RunId", "ActionId")
        }
        profiles = _profiles(raw)
        label = ids["ActionId"]  # the custom action block's label, as typed in the journey
        template_id = (
            self._settings.template_ids.get(label) if self._settings.knowledge_base_id else None
        )
        template = self._settings.message_templates.get(label)
        if template is None:
            template = self._settings.message_template
        if template is None and template_id is None:
            raise InvalidEvent(
                "ActionId",
                "has no message template (CHANNEL_CONNECT_TEMPLATE_IDS, CHANNEL_MESSAGE_TEMPLATES "
                "or CHANNEL_MESSAGE_TEMPLATE)",
            )
        recipients: dict[str, Endpoint | InvalidEndpoint] = {}
        for item in profiles:
            profile_id = _profile_id(item)
            if profile_id is not None and profile_id not in recipients:
                recipients[profile_id] = self._recipient(profile_id, item)
        return Event(
            application_id="",
            campaign_id=ids["CampaignId"],
            journey_id=None,
            treatment_id="",
            activity_id=ids["ActionId"],
            scheduled_time=None,
            data="" if template_id is not None else template or "",
            endpoints=recipients,
            source="connect",
            run_id=ids["RunId"],
            template_id=template_id,
        )

    def ids_of(self, raw: object) -> list[str]:
        try:
            profiles = _profiles(raw if isinstance(raw, Mapping) else {})
        except InvalidEvent:
            return []
        ids = [_profile_id(item) for item in profiles]
        return list(dict.fromkeys(profile_id for profile_id in ids if profile_id is not None))

    def answer(self, raw: object, outcomes: Mapping[str, Outcome]) -> dict[str, Any]:
        try:
            profiles = _profiles(raw if isinstance(raw, Mapping) else {})
        except InvalidEvent:
            profiles = []
        entries = []
        for item in profiles:
            profile_id = _profile_id(item)
            if profile_id is None:
                continue  # no id to answer with: Connect counts it as not answered
            outcome = outcomes.get(profile_id) or Outcome(Status.FAILED, "not processed")
            entry: dict[str, Any] = {"Id": profile_id, "ResultData": result_data(outcome)}
            if self._settings.result_field:
                entry["Result"] = "SUCCESS" if outcome.status in _SUCCESS else "FAILURE"
            entries.append(entry)
        return {"Items": {"CustomerProfiles": entries}}

    def idempotency_parts(self, event: Event, recipient_id: str) -> tuple[str, ...]:
        return (
            "connect",
            event.campaign_id or "",
            event.run_id or "",
            event.activity_id or "",
            recipient_id,
        )

    def queue_items(
        self, raw: object, names: frozenset[str]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        if not isinstance(raw, Mapping):
            return {}, {}
        try:
            profiles = _profiles(raw)
        except InvalidEvent:
            return {}, {}
        context = {"InvocationMetadata": raw.get("InvocationMetadata")}
        items: dict[str, Any] = {}
        for item in profiles:
            profile_id = _profile_id(item)
            if profile_id is not None and profile_id not in items:
                items[profile_id] = self._minimal_profile(item, names)
        return context, items

    def rebuild(self, context: Mapping[str, Any], recipients: Mapping[str, Any]) -> dict[str, Any]:
        return {**context, "Items": {"CustomerProfiles": list(recipients.values())}}

    def answers_of(self, response: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        items = response.get("Items", {}).get("CustomerProfiles", [])
        return {
            str(item.get("Id")): dict(item.get("ResultData", {}))
            for item in items
            if isinstance(item, Mapping)
        }

    def _minimal_profile(self, item: Mapping[str, Any], names: frozenset[str]) -> Any:
        """The profile item with CustomerData reduced to the address fields, the opt-out
        field and the fields the templates name; the IdempotencyToken is dropped."""
        kept: dict[str, Any] = {"ProfileId": item.get("ProfileId")}
        data = item.get("CustomerData")
        try:
            profile = json.loads(data) if isinstance(data, str) else None
        except (ValueError, RecursionError):
            profile = None
        if not isinstance(profile, dict):
            kept["CustomerData"] = data  # broken: kept as it came, to show why it failed
            return kept
        wanted = frozenset({*self._settings.address_fields, self._settings.opt_out_field, *names})
        fields = ProfileFields(flatten(profile))
        reduced = unflatten({path: fields[path] for path in fields.matching_paths(wanted)})
        kept["CustomerData"] = json.dumps(reduced, separators=(",", ":"))
        return kept

    def _recipient(self, profile_id: str, item: Mapping[str, Any]) -> Endpoint | InvalidEndpoint:
        channel = self._settings.channel_type
        if not is_encodable(profile_id):
            return InvalidEndpoint(profile_id, channel, "ProfileId", NOT_UNICODE)
        data = item.get("CustomerData")
        if not isinstance(data, str) or not data:
            return InvalidEndpoint(profile_id, channel, "CustomerData", "is missing")
        try:
            profile = json.loads(data)
        except (ValueError, RecursionError):
            return InvalidEndpoint(profile_id, channel, "CustomerData", "is not JSON")
        if not isinstance(profile, dict):
            return InvalidEndpoint(profile_id, channel, "CustomerData", "must be a JSON object")
        fields = ProfileFields(flatten(profile))
        for name, text in fields.items():
            if not is_encodable(name) or not is_encodable(text):
                return InvalidEndpoint(
                    profile_id, channel, name if is_encodable(name) else "CustomerData", NOT_UNICODE
                )
        address = next(
            (value for value in map(fields.resolve, self._settings.address_fields) if value), ""
        )
        if not address:
            return InvalidEndpoint(
                profile_id, channel, "CustomerData", "has none of CHANNEL_CONNECT_ADDRESS_FIELDS"
            )
        # Every spelling of the opt-out field is read; any one that says so opts out.
        opt_out_field = self._settings.opt_out_field
        opted_out = bool(opt_out_field) and any(
            value.strip().lower() not in NOT_OPTED_OUT for value in fields.every(opt_out_field)
        )
        return Endpoint(
            endpoint_id=profile_id,
            channel_type=channel,
            address=address,
            opt_out="ALL" if opted_out else "NONE",
            attributes=_custom_attributes(fields),
            fields=fields,
        )


_SUCCESS = (Status.DELIVERED, Status.SKIPPED)


def result_data(outcome: Outcome) -> dict[str, Any]:
    """What later flow blocks read as $.LambdaInvocation.ResultData (well under 32 KB)."""
    return dict(outcome.as_dict())


def _custom_attributes(fields: ProfileFields) -> dict[str, list[str]]:
    """The profile's custom attributes (`attributes.X` in any spelling) as Pinpoint-style
    lists, for adapters that read Endpoint.attributes (Slack's channel attribute)."""
    attributes: dict[str, list[str]] = {}
    for path, value in fields.items():
        head, dot, name = path.partition(".")
        if dot and head.casefold() == "attributes" and "." not in name:
            attributes.setdefault(name, [value])
    return attributes


def _object(raw: Mapping[str, Any], key: str, name: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise InvalidEvent(name, "is missing" if value is None else "must be an object")
    return value


def _id(raw: Mapping[str, Any], key: str, name: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidEvent(name, "is missing" if value is None else "must be a non-empty string")
    if not is_encodable(value):
        raise InvalidEvent(name, NOT_UNICODE)
    return value


def _profiles(raw: Mapping[str, Any]) -> list[Any]:
    items = _object(raw, "Items", "Items")
    profiles = items.get("CustomerProfiles")
    if not isinstance(profiles, list):
        raise InvalidEvent(
            "Items.CustomerProfiles", "is missing" if profiles is None else "must be an array"
        )
    return profiles


def _profile_id(item: object) -> str | None:
    if not isinstance(item, Mapping):
        return None
    profile_id = item.get("ProfileId")
    return profile_id if isinstance(profile_id, str) and profile_id else None

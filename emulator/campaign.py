"""What Pinpoint does when a custom-channel campaign runs, as plain functions.

- Campaign: the definition the module outputs (`pinpoint_campaign_definition_json`) or the
  local AWS holds: treatments with SizePercent, Data, DeliveryUri and EndpointTypes, and
  the holdout.
- Segments: endpoints from a JSON or CSV file, or synthetic ones (emulator/segments.py);
  for the Connect driver (emulator/connect_driver.py), customer profiles from a JSON file
  (load_profiles) or synthetic ones.
- Splitting: each endpoint falls in the holdout or one treatment, by a stable hash of the
  campaign and endpoint ids against the percentages; then only endpoints whose ChannelType
  is in the treatment's EndpointTypes are kept; then batches of at most 50.
- Events: exactly the guide's shape (emulator/segments.campaign_event).
"""

from __future__ import annotations

import csv
import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.segments import BATCH_SIZE, Profiles, batches, campaign_event

HOLDOUT = "holdout"


@dataclass(frozen=True)
class Treatment:
    treatment_id: str
    size_percent: int
    data: str
    delivery_uri: str
    endpoint_types: tuple[str, ...]


@dataclass(frozen=True)
class Campaign:
    application_id: str
    campaign_id: str
    name: str
    holdout_percent: int
    treatments: tuple[Treatment, ...]
    is_paused: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_definition(cls, definition: Mapping[str, Any]) -> Campaign:
        """Read the module's campaign-definition JSON (pinpoint_campaign_definition_json)."""
        try:
            treatments = tuple(
                Treatment(
                    treatment_id=str(item["treatment_id"]),
                    size_percent=int(item["size_percent"]),
                    data=str(item.get("data") or ""),
                    delivery_uri=str(item["delivery_uri"]),
                    endpoint_types=tuple(item["endpoint_types"]),
                )
                for item in definition["treatments"]
            )
            campaign = cls(
                application_id=str(definition["application_id"]),
                campaign_id=str(definition["campaign_id"]),
                name=str(definition.get("name") or definition["campaign_id"]),
                holdout_percent=int(definition.get("holdout_percent") or 0),
                treatments=treatments,
                is_paused=bool(definition.get("is_paused")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a campaign definition: missing or bad {error}") from None
        if not treatments:
            raise ValueError("not a campaign definition: no treatments")
        total = campaign.holdout_percent + sum(t.size_percent for t in treatments)
        if total > 100:
            raise ValueError(f"treatments and holdout add up to {total}%, more than 100%")
        return campaign


def load_endpoints(path: Path) -> dict[str, dict[str, Any]]:
    """Endpoints from a JSON file ({"Endpoints": {...}}, {id: endpoint} or a list of
    endpoints with "Id") or a CSV file (columns Id, ChannelType, Address, and dotted names
    such as Attributes.FirstName, User.UserId, Location.City; `;` separates list items)."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return {row["Id"]: _endpoint_from_row(row) for row in csv.DictReader(handle)}
    loaded = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(loaded, dict) and isinstance(loaded.get("Endpoints"), dict):
        loaded = loaded["Endpoints"]
    if isinstance(loaded, list):
        return {str(item["Id"]): {k: v for k, v in item.items() if k != "Id"} for item in loaded}
    if isinstance(loaded, dict):
        return {str(key): value for key, value in loaded.items()}
    raise ValueError(f"{path}: expected endpoints as an object or a list")


def load_profiles(path: Path) -> Profiles:
    """Customer profiles from a JSON file, by ProfileId.

    Accepted: a list of profiles; {"Items": [...]} as Customer Profiles' SearchProfiles
    answers; {"CustomerProfiles": [...]} or a whole Connect event ({"Items":
    {"CustomerProfiles": [...]}}). Each profile has a ProfileId and either a CustomerData
    (an object, or a string sent as it is) or its fields beside the ProfileId, as
    SearchProfiles gives them. A missing or repeated ProfileId is refused (ValueError)."""
    loaded = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(loaded, dict):
        items = loaded.get("Items", loaded)
        if isinstance(items, dict):
            items = items.get("CustomerProfiles")
        loaded = items
    if not isinstance(loaded, list):
        raise ValueError(f"{path}: expected a list of profiles (or Items / CustomerProfiles)")
    profiles: Profiles = {}
    for number, item in enumerate(loaded, start=1):
        profile_id = item.get("ProfileId") if isinstance(item, dict) else None
        if not isinstance(profile_id, str) or not profile_id:
            raise ValueError(f"{path}: profile {number} has no ProfileId")
        if profile_id in profiles:
            raise ValueError(f"{path}: ProfileId {profile_id!r} appears twice")
        if "CustomerData" in item:
            data = item["CustomerData"]
            if not isinstance(data, (dict, str)):
                raise ValueError(
                    f"{path}: CustomerData of {profile_id!r} must be an object or a string"
                )
            profiles[profile_id] = data
        else:
            profiles[profile_id] = {k: v for k, v in item.items() if k != "ProfileId"}
    return profiles


def _endpoint_from_row(row: Mapping[str, str]) -> dict[str, Any]:
    endpoint: dict[str, Any] = {}
    for column, value in row.items():
        if column == "Id" or value in (None, ""):
            continue
        head, _, rest = column.partition(".")
        if not rest:
            endpoint[column] = value
        elif head in ("Attributes",):
            endpoint.setdefault(head, {})[rest] = value.split(";")
        elif head == "User" and rest.startswith("UserAttributes."):
            user = endpoint.setdefault("User", {})
            user.setdefault("UserAttributes", {})[rest.split(".", 1)[1]] = value.split(";")
        else:
            endpoint.setdefault(head, {})[rest] = value
    return endpoint


def bucket(campaign_id: str, endpoint_id: str) -> int:
    """0-99, stable for an endpoint in a campaign: Pinpoint keeps a treatment per endpoint."""
    digest = hashlib.sha256(f"{campaign_id}/{endpoint_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def split(campaign: Campaign, endpoints: Mapping[str, Any]) -> dict[str, list[str]]:
    """Endpoint ids per treatment id (and HOLDOUT), before channel filtering.

    The holdout takes the lowest buckets; each additional treatment takes its SizePercent
    next; the main treatment (id "0") takes what is left.
    """
    bounds: list[tuple[int, str]] = []
    edge = campaign.holdout_percent
    bounds.append((edge, HOLDOUT))
    for treatment in campaign.treatments[1:]:
        edge += treatment.size_percent
        bounds.append((edge, treatment.treatment_id))
    main = campaign.treatments[0].treatment_id
    groups: dict[str, list[str]] = {
        HOLDOUT: [],
        **{t.treatment_id: [] for t in campaign.treatments},
    }
    for endpoint_id in endpoints:
        value = bucket(campaign.campaign_id, endpoint_id)
        group = next((name for limit, name in bounds if value < limit), main)
        groups[group].append(endpoint_id)
    return groups


@dataclass(frozen=True)
class Batch:
    treatment: Treatment
    event: dict[str, Any]


def plan_batches(
    campaign: Campaign,
    endpoints: Mapping[str, Any],
    *,
    activity_id: str | None = None,
    scheduled_time: str = "",
) -> tuple[list[Batch], dict[str, int]]:
    """The events Pinpoint would send, and how many endpoints each filter removed."""
    activity = activity_id or uuid.uuid4().hex
    groups = split(campaign, endpoints)
    filtered: dict[str, int] = {HOLDOUT: len(groups[HOLDOUT])}
    planned: list[Batch] = []
    for treatment in campaign.treatments:
        kept = {
            endpoint_id: endpoints[endpoint_id]
            for endpoint_id in groups[treatment.treatment_id]
            if endpoints[endpoint_id].get("ChannelType") in treatment.endpoint_types
        }
        filtered[f"treatment {treatment.treatment_id}: not in EndpointTypes"] = len(
            groups[treatment.treatment_id]
        ) - len(kept)
        for chunk in batches(kept, BATCH_SIZE):
            event = campaign_event(
                chunk,
                treatment.data,
                application_id=campaign.application_id,
                campaign_id=campaign.campaign_id,
                treatment_id=treatment.treatment_id,
                activity_id=activity,
                scheduled_time=scheduled_time,
            )
            planned.append(Batch(treatment, event))
    return planned, filtered


def treatment_of(batches_: list[Batch]) -> Iterator[tuple[str, str]]:
    for batch in batches_:
        for endpoint_id in batch.event["Endpoints"]:
            yield endpoint_id, batch.treatment.treatment_id

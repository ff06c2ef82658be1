"""Synthetic Pinpoint endpoints and campaign events, shaped exactly like the guide's sample,
and synthetic Amazon Connect customer profiles.

Used by the demo, the runner and the tests. Endpoints are deterministic for a given seed: a
mix of channel types, some opted out or inactive, with attributes for personalisation.
Profiles (synthetic_profiles) are deterministic too, in the camelCase shape Connect really
sends (profileId, firstName, lastName, emailAddress, phoneNumber, address, attributes): a few
opted out through attributes.OptOut, a few with nowhere to send (only profileId and
attributes), and a few whose CustomerData is broken (not JSON, not an object, empty).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any

BATCH_SIZE = 50  # Pinpoint sends at most 50 endpoints per invocation
CHANNEL_MIX = (
    ("SMS", 30),
    ("EMAIL", 30),
    ("CUSTOM", 15),
    ("VOICE", 5),
    ("GCM", 10),
    ("APNS", 8),
    ("BAIDU", 2),
)
FIRST_NAMES = ("Mary", "Jorge", "Wei", "Aisha", "Olu", "Priya", "Lars", "Ana")
LAST_NAMES = ("Major", "Silva", "Chen", "Bello", "Adeyemi", "Rao", "Berg", "Costa")
# CustomerData as Connect would never send it: each fails its own profile in the handler.
BROKEN_CUSTOMER_DATA = ('{"firstName": "Trunc', "[1, 2, 3]", "")


def synthetic_endpoints(count: int, seed: int = 7) -> dict[str, dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - test data
    channels = [name for name, weight in CHANNEL_MIX for _ in range(weight)]
    endpoints: dict[str, dict[str, Any]] = {}
    for index in range(count):
        channel = rng.choice(channels)
        endpoint_id = f"ep{index:06d}{rng.getrandbits(40):010x}"
        endpoints[endpoint_id] = {
            "ChannelType": channel,
            "Address": _address(channel, index),
            "EndpointStatus": "INACTIVE" if rng.random() < 0.02 else "ACTIVE",
            "OptOut": "ALL" if rng.random() < 0.03 else "NONE",
            "Location": {"City": "Seattle", "Country": "USA"},
            "Demographic": {"Make": "OnePlus", "Platform": "android"},
            "EffectiveDate": "2020-04-01T01:05:17.267Z",
            "Attributes": {
                "FirstName": [rng.choice(FIRST_NAMES)],
                "CohortId": [str(rng.randint(1, 99))],
            },
            "User": {"UserId": f"user-{index}"},
            "CreationDate": "2020-04-01T01:05:17.267Z",
        }
    return endpoints


def _address(channel: str, index: int) -> str:
    if channel == "EMAIL":
        return f"user{index}@example.com"
    if channel in ("SMS", "VOICE"):
        return f"+1206555{index % 10000:04d}"
    if channel == "CUSTOM":
        return f"custom-{index}"
    return f"device-token-{index:08x}"


def batches(endpoints: Mapping[str, Any], size: int = BATCH_SIZE) -> Iterator[dict[str, Any]]:
    items = list(endpoints.items())
    for start in range(0, len(items), size):
        yield dict(items[start : start + size])


def campaign_event(
    endpoints: Mapping[str, Any],
    data: str,
    *,
    application_id: str = "3a9b1f4e6c764ba7b031e7183example",
    campaign_id: str = "13978104ce5d6017c72552257example",
    treatment_id: str = "0",
    activity_id: str = "575cb1929d5ba43e87e2478eeexample",
    scheduled_time: str = "2020-04-08T19:00:16.843Z",
) -> dict[str, Any]:
    """One invocation's payload, in the guide's field order."""
    return {
        "Message": {},
        "Data": data,
        "ApplicationId": application_id,
        "CampaignId": campaign_id,
        "TreatmentId": treatment_id,
        "ActivityId": activity_id,
        "ScheduledTime": scheduled_time,
        "Endpoints": dict(endpoints),
    }


# A profile is its CustomerData: an object (sent as its JSON text) or a string sent as it is.
Profiles = dict[str, dict[str, Any] | str]

#: Where synthetic customers live: city, province (None: the profile has none), country,
#: postal code, and the locale their `attributes.locale` says.
PLACES = (
    ("Seattle", "WA", "US", "98101", "en_US"),
    ("Lisbon", "Lisboa", "PT", "1100-148", "pt_PT"),
    ("Porto", None, "PT", "4000-322", "pt_PT"),
    ("Toronto", "ON", "CA", "M5V 2T6", "en_CA"),
    ("Manchester", None, "GB", "M1 1AE", "en_GB"),
)
PLANS = ("basic", "premium")


def synthetic_profiles(
    count: int,
    seed: int = 7,
    *,
    opt_out_rate: float = 0.03,
    broken_rate: float = 0.02,
    unreachable_rate: float = 0.03,
) -> Profiles:
    """`count` customer profiles by ProfileId (32 hex digits, as Customer Profiles makes).

    They have the shape of a live journey invocation (a capture aws-amplify/amplify-backend
    publishes as a test fixture; tests/fixtures/connect_real_event.json is one): camelCase
    keys, `profileId`, `firstName`, `lastName`, `emailAddress` and/or `phoneNumber`,
    `address` {city, province, country, postalCode} (province not everywhere), and custom
    attributes under a lower-case `attributes` (`plan`, `locale`, and `OptOut` on some).

    About `opt_out_rate` of them have `attributes.OptOut` "true" (others "false" or none);
    about `broken_rate` have a CustomerData that is not a JSON object; about
    `unreachable_rate` are only `profileId` and `attributes` (no address, no email, no phone:
    nowhere to send, which the handler fails for that profile alone). None of those is opted
    out, so that each profile has one expected outcome."""
    rng = random.Random(seed)  # noqa: S311 - test data
    profiles: Profiles = {}
    for index in range(count):
        profile_id = f"{index:06x}{rng.getrandbits(104):026x}"
        if rng.random() < broken_rate:
            profiles[profile_id] = rng.choice(BROKEN_CUSTOMER_DATA)
            continue
        city, province, country, postal_code, locale = rng.choice(PLACES)
        attributes: dict[str, str] = {"plan": rng.choice(PLANS), "locale": locale}
        if rng.random() < unreachable_rate:
            profiles[profile_id] = {"profileId": profile_id, "attributes": attributes}
            continue
        profile: dict[str, Any] = {
            "profileId": profile_id,
            "firstName": rng.choice(FIRST_NAMES),
            "lastName": rng.choice(LAST_NAMES),
        }
        reach = rng.random()
        if reach < 0.8:
            profile["emailAddress"] = f"customer{index}@example.com"
        if reach > 0.5:
            profile["phoneNumber"] = f"+1206555{index % 10000:04d}"
        address = {"city": city, "province": province, "country": country}
        profile["address"] = {
            **{key: value for key, value in address.items() if value is not None},
            "postalCode": postal_code,
        }
        if rng.random() < opt_out_rate:
            attributes["OptOut"] = "true"
        elif rng.random() < 0.5:
            attributes["OptOut"] = "false"
        profile["attributes"] = attributes
        profiles[profile_id] = profile
    return profiles

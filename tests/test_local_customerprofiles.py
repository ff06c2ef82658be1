"""The local AWS's Customer Profiles (emulator/local_customerprofiles.py) through boto3, its
EventBridge read back (EventCapture), and the Connect runner reading a campaign's profiles
from a domain before each run (connect_driver.DomainProfiles)."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator.connect_driver import (
    CampaignContext,
    DomainProfiles,
    InProcessInvoker,
    journey_customer_data,
    run_connect_from_domain,
)
from emulator.local_aws import LocalAws
from emulator.provider_server import ProviderServer
from emulator.run_campaign import RunnerError, main


@pytest.fixture(scope="module")
def local_aws() -> Iterator[LocalAws]:
    with LocalAws() as aws:
        yield aws


@pytest.fixture
def profiles(local_aws: LocalAws) -> Any:
    return local_aws.client("customer-profiles")


@pytest.fixture
def domain(profiles: Any) -> str:
    name = f"connect-{uuid.uuid4().hex[:12]}"
    profiles.create_domain(DomainName=name, DefaultExpirationDays=366)
    return name


def unvalidated(local_aws: LocalAws) -> Any:
    """A client that sends what it is given: the server's own checks answer."""
    import boto3

    return boto3.client(
        "customer-profiles",
        endpoint_url=local_aws.endpoint_url,
        region_name=local_aws.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(parameter_validation=False),
    )


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


# --- domains and profiles ------------------------------------------------------------------


def test_a_domain_is_created_read_counted_and_deleted(profiles: Any) -> None:
    name = f"connect-{uuid.uuid4().hex[:12]}"
    created = profiles.create_domain(
        DomainName=name, DefaultExpirationDays=30, Tags={"team": "growth"}
    )
    assert (created["DomainName"], created["DefaultExpirationDays"]) == (name, 30)
    assert created["Tags"] == {"team": "growth"}
    profiles.create_profile(DomainName=name, FirstName="Ann")
    got = profiles.get_domain(DomainName=name)
    assert got["Stats"]["ProfileCount"] == 1
    assert got["CreatedAt"] <= got["LastUpdatedAt"]
    with pytest.raises(ClientError) as again:
        profiles.create_domain(DomainName=name, DefaultExpirationDays=30)
    assert error_of(again) == ("BadRequestException", 400)
    assert profiles.delete_domain(DomainName=name)["Message"]
    with pytest.raises(ClientError) as gone:
        profiles.get_domain(DomainName=name)
    assert error_of(gone) == ("ResourceNotFoundException", 404)


def test_update_profile_upserts_attributes_and_an_empty_string_removes(
    profiles: Any, domain: str
) -> None:
    profile_id = profiles.create_profile(
        DomainName=domain,
        FirstName="Ann",
        LastName="Lee",
        PhoneNumber="+12065550100",
        Address={"City": "Seattle", "PostalCode": "98101"},
        Attributes={"plan": "gold", "locale": "en-US"},
    )["ProfileId"]
    assert len(profile_id) == 32
    assert int(profile_id, 16) >= 0
    answer = profiles.update_profile(
        DomainName=domain,
        ProfileId=profile_id,
        LastName="",
        Address={"City": "Portland"},
        Attributes={"OptOut": "true", "locale": ""},
    )
    assert answer["ProfileId"] == profile_id
    (got,) = profiles.batch_get_profile(DomainName=domain, ProfileIds=[profile_id])["Profiles"]
    assert got == {
        "ProfileId": profile_id,
        "FirstName": "Ann",
        "PhoneNumber": "+12065550100",
        "Address": {"City": "Portland", "PostalCode": "98101"},
        "Attributes": {"plan": "gold", "OptOut": "true"},
    }


def test_batch_get_profile_answers_errors_for_ids_not_in_the_domain(
    profiles: Any, domain: str
) -> None:
    first = profiles.create_profile(DomainName=domain, FirstName="Ann")["ProfileId"]
    second = profiles.create_profile(DomainName=domain, FirstName="Bob")["ProfileId"]
    unknown = "0" * 32
    answer = profiles.batch_get_profile(DomainName=domain, ProfileIds=[second, unknown, first])
    assert [p["ProfileId"] for p in answer["Profiles"]] == [second, first]
    assert [(e["ProfileId"], e["Code"]) for e in answer["Errors"]] == [
        (unknown, "ResourceNotFoundException")
    ]
    profiles.delete_profile(DomainName=domain, ProfileId=first)
    answer = profiles.batch_get_profile(DomainName=domain, ProfileIds=[first])
    assert (answer["Profiles"], len(answer["Errors"])) == ([], 1)
    with pytest.raises(ClientError) as gone:
        profiles.delete_profile(DomainName=domain, ProfileId=first)
    assert error_of(gone) == ("ResourceNotFoundException", 404)


def test_search_profiles_by_profile_id_phone_email_and_more_keys(
    profiles: Any, domain: str
) -> None:
    ann = profiles.create_profile(
        DomainName=domain, FirstName="Ann", MobilePhoneNumber="+12065550100", AccountNumber="A1"
    )["ProfileId"]
    bob = profiles.create_profile(
        DomainName=domain, FirstName="Bob", BusinessEmailAddress="bob@example.com"
    )["ProfileId"]

    def found(**request: Any) -> list[str]:
        items = profiles.search_profiles(DomainName=domain, **request)["Items"]
        return [item["ProfileId"] for item in items]

    assert found(KeyName="_profileId", Values=[bob]) == [bob]
    assert found(KeyName="_phone", Values=["+12065550100"]) == [ann]
    assert found(KeyName="_email", Values=["bob@example.com", "x@example.com"]) == [bob]
    assert found(KeyName="_phone", Values=["+12065550199"]) == []
    both = {"KeyName": "_account", "Values": ["A1"]}
    assert found(KeyName="_phone", Values=["+12065550100"], AdditionalSearchKeys=[both]) == [ann]
    assert found(KeyName="_email", Values=["bob@example.com"], AdditionalSearchKeys=[both]) == []
    either = profiles.search_profiles(
        DomainName=domain,
        KeyName="_email",
        Values=["bob@example.com"],
        AdditionalSearchKeys=[both],
        LogicalOperator="OR",
    )["Items"]
    assert {item["ProfileId"] for item in either} == {ann, bob}
    assert {item["ProfileId"]: item["FoundByItems"][0]["KeyName"] for item in either} == {
        ann: "_account",
        bob: "_email",
    }
    page = profiles.search_profiles(
        DomainName=domain, KeyName="_profileId", Values=[ann, bob], MaxResults=1
    )
    rest = profiles.search_profiles(
        DomainName=domain, KeyName="_profileId", Values=[ann, bob], NextToken=page["NextToken"]
    )
    assert [i["ProfileId"] for i in page["Items"] + rest["Items"]] == [ann, bob]
    assert "NextToken" not in rest
    with pytest.raises(ClientError) as unknown_key:
        found(KeyName="_shoeSize", Values=["42"])
    assert error_of(unknown_key) == ("BadRequestException", 400)


D = "DOMAIN"  # the test's domain


@pytest.mark.parametrize(
    ("operation", "request_", "words"),
    [
        ("update_profile", {"DomainName": D, "ProfileId": "NOT-HEX"}, "[a-f0-9]{32}"),
        ("create_domain", {"DomainName": "has space", "DefaultExpirationDays": 1}, "pattern"),
        ("create_domain", {"DomainName": "new-x"}, "DefaultExpirationDays"),
        ("create_domain", {"DomainName": "new-y", "DefaultExpirationDays": 5000}, "1098"),
        ("batch_get_profile", {"DomainName": D, "ProfileIds": ["a" * 32] * 21}, "20"),
        ("create_profile", {"DomainName": D, "Gender": "ROBOT"}, "enum"),
        ("create_profile", {"DomainName": D, "Attributes": {"plan": "x" * 256}}, "255"),
        ("search_profiles", {"DomainName": D, "KeyName": "_phone"}, "Values"),
    ],
)
def test_requests_off_the_model_are_bad_requests(
    local_aws: LocalAws, domain: str, operation: str, request_: dict[str, Any], words: str
) -> None:
    request = {key: domain if value == D else value for key, value in request_.items()}
    with pytest.raises(ClientError) as raised:
        getattr(unvalidated(local_aws), operation)(**request)
    assert error_of(raised) == ("BadRequestException", 400)
    assert words in raised.value.response["Error"]["Message"]


def test_a_profile_of_a_domain_not_there_is_not_found(local_aws: LocalAws, domain: str) -> None:
    with pytest.raises(ClientError) as missing:
        unvalidated(local_aws).create_profile(DomainName=f"{domain}-none", FirstName="Ann")
    assert error_of(missing) == ("ResourceNotFoundException", 404)


def test_other_operations_are_not_served_and_a_reset_forgets_domains(
    local_aws: LocalAws, profiles: Any
) -> None:
    with pytest.raises(ClientError) as unserved:
        profiles.update_domain(DomainName="any-domain", DefaultExpirationDays=3)
    assert unserved.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    name = f"connect-{uuid.uuid4().hex[:12]}"
    profiles.create_domain(DomainName=name, DefaultExpirationDays=1)
    local_aws.reset()
    with pytest.raises(ClientError) as gone:
        profiles.get_domain(DomainName=name)
    assert error_of(gone) == ("ResourceNotFoundException", 404)


# --- EventBridge, read back ----------------------------------------------------------------


def receipt_entry(bus: str, status: str) -> dict[str, str]:
    return {
        "Source": "custom-delivery-channel",
        "DetailType": "Delivery Receipt",
        "Detail": json.dumps({"schema_version": "1", "status": status}),
        "EventBusName": bus,
    }


def test_put_events_on_the_default_bus_is_read_back(local_aws: LocalAws) -> None:
    capture = local_aws.capture_events()
    events = local_aws.client("events")
    arn = f"arn:aws:events:{local_aws.region}:{local_aws.account_id}:event-bus/default"
    answer = events.put_events(
        Entries=[
            receipt_entry("default", "delivered"),
            receipt_entry(arn, "undelivered"),
            {**receipt_entry("default", "other"), "Source": "someone-else"},
        ]
    )
    assert answer["FailedEntryCount"] == 0
    got = capture.wait_for(2)
    assert sorted(event["detail"]["status"] for event in got) == ["delivered", "undelivered"]
    for event in got:
        assert event["source"] == "custom-delivery-channel"
        assert event["detail-type"] == "Delivery Receipt"
        assert event["region"] == local_aws.region


def test_put_events_on_a_bus_of_its_own_is_read_back_there_only(local_aws: LocalAws) -> None:
    events = local_aws.client("events")
    bus = f"receipts-{uuid.uuid4().hex[:8]}"
    events.create_event_bus(Name=bus)
    on_bus = local_aws.capture_events(bus=bus)
    on_default = local_aws.capture_events()
    events.put_events(Entries=[receipt_entry(bus, "read")])
    assert [event["detail"]["status"] for event in on_bus.wait_for(1)] == ["read"]
    assert on_default.wait_for(1, timeout=2) == []


# --- the Connect runner, reading the domain ------------------------------------------------


def test_a_profile_reaches_the_custom_action_as_a_journey_hands_it_over() -> None:
    profile = {
        "ProfileId": "a" * 32,
        "FirstName": "Ann",
        "EmailAddress": "ann@example.com",
        "PhoneNumber": "+12065550100",
        "Address": {"City": "Seattle", "PostalCode": "98101"},
        "Attributes": {"OptOut": "true", "plan": "gold"},
        "FoundByItems": [{"KeyName": "_email", "Values": ["ann@example.com"]}],
    }
    assert journey_customer_data(profile) == {
        "profileId": "a" * 32,
        "firstName": "Ann",
        "emailAddress": "ann@example.com",
        "phoneNumber": "+12065550100",
        "address": {"city": "Seattle", "postalCode": "98101"},
        "attributes": {"OptOut": "true", "plan": "gold"},
    }


def test_domain_profiles_are_read_twenty_at_a_time_and_missing_ones_left_out(
    profiles: Any, domain: str
) -> None:
    ids = [
        profiles.create_profile(DomainName=domain, FirstName=f"P{n}")["ProfileId"]
        for n in range(25)
    ]
    gone = ids[3]
    profiles.delete_profile(DomainName=domain, ProfileId=gone)
    source = DomainProfiles(profiles, domain, ids)
    read = source.read()
    assert list(read) == [pid for pid in ids if pid != gone]
    assert source.missing == [gone]
    assert read[ids[24]] == {"profileId": ids[24], "firstName": "P24"}


def channel_environment(provider: ProviderServer) -> dict[str, str]:
    return {
        "CHANNEL_ADAPTER": "http",
        "CHANNEL_HTTP_URL": f"{provider.url}/send",
        "CHANNEL_HTTP_BODY_TEMPLATE": '{"to": "{{Address}}", "text": "{{Data}}"}',
        "CHANNEL_METRICS_MODE": "off",
        "CHANNEL_MESSAGE_TEMPLATE": "Hi {{FirstName}}",
    }


def sent_to(provider: ProviderServer) -> Counter[str]:
    return Counter(json.loads(request.body)["to"] for request in provider.requests)


def test_an_opt_out_set_between_two_runs_arrives_on_the_second(
    profiles: Any, domain: str, provider: ProviderServer
) -> None:
    ann = profiles.create_profile(
        DomainName=domain,
        FirstName="Ann",
        PhoneNumber="+12065550100",
        Attributes={"OptOut": "false"},
    )["ProfileId"]
    bob = profiles.create_profile(DomainName=domain, FirstName="Bob", PhoneNumber="+12065550101")[
        "ProfileId"
    ]
    source = DomainProfiles(profiles, domain, [ann, bob])
    invoker = InProcessInvoker(channel_environment(provider))
    try:
        first = run_connect_from_domain(
            source, invoker, CampaignContext("camp-1", "camp-1#2026-12-07T10-00-00Z", "Hi", "c")
        )
        assert first.statuses == {ann: "delivered", bob: "delivered"}
        # The opt-out written back where the source keeps consent (the channel's write-back).
        profiles.update_profile(DomainName=domain, ProfileId=ann, Attributes={"OptOut": "true"})
        second = run_connect_from_domain(
            source, invoker, CampaignContext("camp-1", "camp-1#2026-12-07T11-00-00Z", "Hi", "c")
        )
    finally:
        invoker.close()
    sent = json.loads(second.events[0]["Items"]["CustomerProfiles"][0]["CustomerData"])
    assert sent["attributes"] == {"OptOut": "true"}
    assert second.statuses[bob] == "delivered"
    assert second.results[ann] == {"status": "skipped", "reason": "opted out"}
    assert sent_to(provider) == Counter({"+12065550100": 1, "+12065550101": 2})


def test_no_profile_left_in_the_domain_is_a_runner_error(profiles: Any, domain: str) -> None:
    source = DomainProfiles(profiles, domain, ["b" * 32])
    with pytest.raises(RunnerError, match="none of the 1 profiles"):
        run_connect_from_domain(
            source, InProcessInvoker(handler=lambda e, c: {}), CampaignContext("c", "r", "a", "n")
        )


def test_the_command_line_reads_the_domain_before_each_run(
    local_aws: LocalAws,
    profiles: Any,
    domain: str,
    provider: ProviderServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in channel_environment(provider).items():
        monkeypatch.setenv(name, value)
    ids = [
        profiles.create_profile(DomainName=domain, FirstName=name, PhoneNumber=phone)["ProfileId"]
        for name, phone in (("Ann", "+12065550100"), ("Bob", "+12065550101"))
    ]
    command = [
        "--connect",
        "--profiles-domain",
        domain,
        "--profile-ids",
        ",".join([*ids, "c" * 32]),
        "--endpoint-url",
        local_aws.endpoint_url,
        "--action-id",
        "Welcome Message",
        "--in-process",
        "--runs",
        "2",
        "--log",
        str(tmp_path / "log"),
    ]
    code = main(command)
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count("2 profiles, 2 sent in 1 batches") == 2
    assert "1 ProfileIds not in domain" in out
    assert sent_to(provider) == Counter({"+12065550100": 2, "+12065550101": 2})


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (["--profiles-domain", "d"], "needs --profile-ids"),
        (["--profiles-domain", "d", "--profile-ids", "x"], "needs the local AWS"),
        (["--synthetic", "2", "--runs", "2"], "go with --profiles-domain"),
        (["--profiles-domain", "nope", "--profile-ids", "a" * 32, "--endpoint-url", "URL"], ""),
    ],
)
def test_bad_domain_command_lines_are_one_line_exit_2(
    local_aws: LocalAws,
    extra: list[str],
    problem: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Any,
) -> None:
    extra = [local_aws.endpoint_url if item == "URL" else item for item in extra]
    code = main(
        ["--connect", *extra, "--action-id", "a", "--in-process", "--log", str(tmp_path / "l")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert problem in err
    if not problem:
        assert "cannot read profiles from domain nope" in err


def test_mock_aws_in_this_process_serves_customer_profiles_too() -> None:
    from moto import mock_aws

    from emulator.local_aws import install_patches

    install_patches()
    with mock_aws():
        import boto3

        client = boto3.client("customer-profiles", region_name="us-east-1")
        client.create_domain(DomainName="in-process", DefaultExpirationDays=1)
        profile_id = client.create_profile(
            DomainName="in-process", Attributes={"OptOut": "false", "plan": "gold"}
        )["ProfileId"]
        client.update_profile(
            DomainName="in-process", ProfileId=profile_id, Attributes={"OptOut": "true"}
        )
        (profile,) = client.batch_get_profile(DomainName="in-process", ProfileIds=[profile_id])[
            "Profiles"
        ]
    assert profile["Attributes"] == {"OptOut": "true", "plan": "gold"}

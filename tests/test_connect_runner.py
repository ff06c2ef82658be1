"""The local runner's Connect mode: profiles, batches, the documented request, Connect's 30 s
wait, re-invocation with new IdempotencyTokens, the answer checks and the report, against the
in-process handler, the sandbox process and a real local provider server."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from custom_channel.channel import Channel
from custom_channel.config import load_settings
from emulator.campaign import load_profiles
from emulator.connect_driver import (
    BATCH_SIZE,
    MAX_RESULT_DATA_BYTES,
    CampaignContext,
    InProcessInvoker,
    InvocationFailed,
    SandboxInvoker,
    check_answer,
    connect_event,
    report,
    run_connect,
    run_id,
)
from emulator.local_aws import LocalAws
from emulator.provider_server import Reply
from emulator.run_campaign import FunctionSpec, function_spec, main, unpack_package
from emulator.segments import synthetic_profiles
from tests.leakcheck import leaks
from tests.test_runner import deploy_function
from tools import build_package

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "connect_event.json"
TABLE = "channel-deliveries"
# As a live journey invocation has them: a UUID, `<CampaignId>#<time>`, the block's label.
CAMPAIGN_ID = "5f0c2a7e-9d41-4b8e-a3c6-2e7f1d9b4c10"
CONTEXT = CampaignContext(
    CAMPAIGN_ID,
    run_id(CAMPAIGN_ID, dt.datetime(2026, 12, 7, 10, 4, tzinfo=dt.UTC)),
    "Welcome Message",
    "Welcome Campaign",
)


def environment(provider, **extra: str) -> dict[str, str]:
    return {
        "CHANNEL_ADAPTER": "http",
        "CHANNEL_HTTP_URL": f"{provider.url}/send",
        "CHANNEL_HTTP_BODY_TEMPLATE": '{"to": "{{Address}}", "text": "{{Data}}"}',
        "CHANNEL_METRICS_MODE": "off",
        "CHANNEL_MESSAGE_TEMPLATE": "Welcome back {{FirstName}} ({{Attributes.plan}})",
        **extra,
    }


def sent_to(provider) -> Counter[str]:
    return Counter(json.loads(request.body)["to"] for request in provider.requests)


def addresses(profiles) -> set[str]:
    found = set()
    for profile in profiles.values():
        if isinstance(profile, dict):
            found.update(profile[k] for k in ("emailAddress", "phoneNumber") if k in profile)
    return found


PROFILE_KEYS = {
    "profileId",
    "firstName",
    "lastName",
    "emailAddress",
    "phoneNumber",
    "address",
    "attributes",
}


def reachable(profile: dict[str, Any]) -> bool:
    return "emailAddress" in profile or "phoneNumber" in profile


def expected(profiles) -> Counter[str]:
    """What the handler makes of each synthetic profile, by status."""
    counts: Counter[str] = Counter()
    for profile in profiles.values():
        if not isinstance(profile, dict) or not reachable(profile):
            counts["failed"] += 1
        elif profile["attributes"].get("OptOut") == "true":
            counts["skipped"] += 1
        else:
            counts["delivered"] += 1
    return counts


@pytest.fixture
def ledger_table():
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield TABLE


# --- profiles and the request -----------------------------------------------------------------


def test_synthetic_profiles_have_the_real_shape_opt_outs_unreachable_and_broken_data():
    """The camelCase shape of a live journey invocation (tests/fixtures/connect_real_event.json)."""
    profiles = synthetic_profiles(1000)
    assert synthetic_profiles(1000) == profiles  # deterministic
    assert len(profiles) == 1000
    assert all(len(profile_id) == 32 for profile_id in profiles)
    whole = [p for p in profiles.values() if isinstance(p, dict)]
    broken = [p for p in profiles.values() if isinstance(p, str)]
    assert 5 <= len(broken) <= 40
    for text in broken:
        with contextlib.suppress(ValueError):  # not JSON at all, or:
            assert not isinstance(json.loads(text), dict)
    for profile_id, profile in profiles.items():
        if isinstance(profile, dict):
            assert profile["profileId"] == profile_id
            assert set(profile["attributes"]) <= {"plan", "locale", "OptOut"}
    reachable_ones = [p for p in whole if reachable(p)]
    for profile in reachable_ones:
        assert list(profile)[:3] == ["profileId", "firstName", "lastName"]
        assert set(profile) <= PROFILE_KEYS
        assert {"city", "country", "postalCode"} <= set(profile["address"])
        assert set(profile["address"]) <= {"city", "province", "country", "postalCode"}
    assert any("province" not in p["address"] for p in reachable_ones)
    # Some are only profileId and attributes: nowhere to send; none of them opted out.
    unreachable = [p for p in whole if not reachable(p)]
    assert 10 <= len(unreachable) <= 60
    assert all(set(p) == {"profileId", "attributes"} for p in unreachable)
    assert not any(p["attributes"].get("OptOut") == "true" for p in unreachable)
    opted_out = [p for p in whole if p["attributes"].get("OptOut") == "true"]
    assert 10 <= len(opted_out) <= 60
    assert any("OptOut" not in p["attributes"] for p in reachable_ones)
    assert any(p["attributes"].get("OptOut") == "false" for p in reachable_ones)


def test_profiles_load_from_a_list_search_profiles_or_a_connect_event(tmp_path):
    path = tmp_path / "profiles.json"
    path.write_text(
        json.dumps(
            {"Items": [{"ProfileId": "p1", "FirstName": "Ann", "EmailAddress": "a@example.com"}]}
        )
    )
    assert load_profiles(path) == {"p1": {"FirstName": "Ann", "EmailAddress": "a@example.com"}}
    path.write_text(json.dumps([{"ProfileId": "p2", "CustomerData": {"email": "b@example.com"}}]))
    assert load_profiles(path) == {"p2": {"email": "b@example.com"}}
    event = json.loads(FIXTURE.read_text())
    path.write_text(json.dumps(event))
    loaded = load_profiles(path)
    assert list(loaded) == ["customer-001", "customer-002"]
    assert loaded["customer-001"] == event["Items"]["CustomerProfiles"][0]["CustomerData"]
    for bad, problem in (
        ([{"ProfileId": "p"}, {"ProfileId": "p"}], "appears twice"),
        ([{"FirstName": "x"}], "has no ProfileId"),
        ({"Items": 3}, "expected a list"),
        ([{"ProfileId": "p", "CustomerData": 3}], "must be an object or a string"),
    ):
        path.write_text(json.dumps(bad))
        with pytest.raises(ValueError, match=problem):
            load_profiles(path)


def test_the_request_has_the_documented_shape_and_new_tokens_each_time():
    documented = json.loads(FIXTURE.read_text())
    profiles = synthetic_profiles(3, broken_rate=0)
    event = connect_event(CONTEXT, profiles, list(profiles))
    again = connect_event(CONTEXT, profiles, list(profiles))
    assert list(event) == list(documented)
    assert list(event["InvocationMetadata"]["CampaignContext"]) == list(
        documented["InvocationMetadata"]["CampaignContext"]
    )
    for item, other in zip(
        event["Items"]["CustomerProfiles"], again["Items"]["CustomerProfiles"], strict=True
    ):
        assert list(item) == ["ProfileId", "CustomerData", "IdempotencyToken"]
        assert json.loads(item["CustomerData"]) == profiles[item["ProfileId"]]
        assert item["IdempotencyToken"] != other["IdempotencyToken"]
        assert re.fullmatch("[0-9a-f]{64}", item["IdempotencyToken"])
    tokens = [item["IdempotencyToken"] for item in event["Items"]["CustomerProfiles"]]
    assert len(set(tokens)) == len(tokens)  # different per profile
    context = event["InvocationMetadata"]["CampaignContext"]
    assert context["RunId"] == f"{CAMPAIGN_ID}#2026-12-07T10-04-00Z"
    assert context["ActionId"] == "Welcome Message"
    assert re.fullmatch(rf"{CAMPAIGN_ID}#\d{{4}}-\d\d-\d\dT\d\d-\d\d-\d\dZ", run_id(CAMPAIGN_ID))


# --- against the in-process handler and a real provider -----------------------------------------


def test_profiles_are_batched_and_every_profile_is_answered_once(provider):
    profiles = synthetic_profiles(230)
    invoker = InProcessInvoker(environment(provider))
    try:
        result = run_connect(profiles, invoker, CONTEXT)
    finally:
        invoker.close()
    assert BATCH_SIZE == 50
    assert [len(batch) for batch in result.batches] == [50, 50, 50, 50, 30]
    assert [p for batch in result.batches for p in batch] == list(profiles)
    assert result.attempts == Counter({1: 5})
    assert result.ok
    assert not result.answer_errors
    assert set(result.statuses) == set(profiles)
    assert Counter(result.statuses.values()) == expected(profiles)
    counts = sent_to(provider)
    assert sum(counts.values()) == expected(profiles)["delivered"]
    assert set(counts.values()) == {1}
    first = next(p for p in profiles.values() if isinstance(p, dict) and "emailAddress" in p)
    bodies = [json.loads(r.body) for r in provider.requests]
    text = next(b["text"] for b in bodies if b["to"] == first["emailAddress"])
    assert text == f"Welcome back {first['firstName']} ({first['attributes']['plan']})"
    assert result.reasons["opted out"] == expected(profiles)["skipped"]
    text = report(result)
    assert "230 profiles, 230 sent in 5 batches (5 invocations)" in text
    assert "Invocations per batch: 5 x 1 (at most 3, each waited for 30 s)" in text
    assert "Every profile sent is answered exactly once." in text


def test_the_batch_size_can_be_changed_within_limits(provider):
    profiles = synthetic_profiles(25)
    invoker = InProcessInvoker(environment(provider))
    try:
        result = run_connect(profiles, invoker, CONTEXT, batch_size=10)
        with pytest.raises(ValueError, match="1 to 100"):
            run_connect(profiles, invoker, CONTEXT, batch_size=101)
    finally:
        invoker.close()
    assert [len(batch) for batch in result.batches] == [10, 10, 5]


def test_a_function_that_throws_once_is_invoked_again_with_new_tokens_and_sends_nothing_twice(
    provider, ledger_table
):
    """The first invocation delivers, then throws (its answer lost): Connect fails the batch
    and invokes it again with new tokens; the ledger answers those profiles `already
    delivered`."""
    profiles = synthetic_profiles(60)
    channel = Channel(load_settings(environment(provider, CHANNEL_IDEMPOTENCY_TABLE=ledger_table)))
    calls = []

    def throws_once(event: Any, context: Any) -> Any:
        calls.append(event)
        answer = channel.handle(event, context)
        if len(calls) == 1:
            raise RuntimeError("the sandbox crashed after sending")
        return answer

    invoker = InProcessInvoker(handler=throws_once)
    try:
        result = run_connect(profiles, invoker, CONTEXT)
    finally:
        invoker.close()
        channel.close()
    assert result.attempts == Counter({2: 1, 1: 1})
    assert result.invocation_errors == Counter({"the function threw RuntimeError": 1})
    first_batch = result.batches[0]
    for profile_id in first_batch:
        first, second = result.tokens[profile_id]
        assert first != second
    assert result.ok
    assert Counter(result.statuses.values()) == expected(profiles)
    assert set(sent_to(provider).values()) == {1}  # nothing delivered twice
    assert sum(sent_to(provider).values()) == expected(profiles)["delivered"]
    again = [p for p in first_batch if result.results[p].get("reason") == "already delivered"]
    assert again == [p for p in first_batch if expected({p: profiles[p]})["delivered"]]
    text = report(result)
    assert "1  invocations failed: the function threw RuntimeError" in text
    assert "invoked again with new IdempotencyTokens" in text


def test_a_late_invocation_is_invoked_again_and_the_ledger_keeps_it_from_sending_twice(
    provider, ledger_table
):
    """The provider holds its answers past Connect's wait (3 s here) until Connect gives up:
    the late invocation runs on and delivers what it claimed; the new one, with new tokens,
    sends only what the late one had not claimed. Nothing goes out twice."""
    gave_up = threading.Event()

    def slow_until_connect_gives_up(request):
        return Reply(200) if gave_up.is_set() else Reply(200, delay=8.0)

    class Watched:
        def __init__(self, inner: InProcessInvoker) -> None:
            self.inner = inner
            self.wait_seconds = inner.wait_seconds

        def invoke(self, event: dict[str, Any]) -> object:
            try:
                return self.inner.invoke(event)
            except InvocationFailed:
                gave_up.set()
                raise

        def close(self) -> None:
            self.inner.close()

    provider.responder = slow_until_connect_gives_up
    profiles = synthetic_profiles(20, broken_rate=0, opt_out_rate=0, unreachable_rate=0)
    invoker = Watched(
        InProcessInvoker(
            environment(provider, CHANNEL_IDEMPOTENCY_TABLE=ledger_table),
            wait_seconds=3.0,
            function_timeout=15.0,
        )
    )
    started = time.monotonic()
    try:
        result = run_connect(profiles, invoker, CONTEXT)
        waited = time.monotonic() - started
    finally:
        gave_up.set()
        invoker.close()  # waits for the late invocation to end
    assert result.invocation_errors == Counter({"no answer within 3 s": 1})
    assert result.attempts == Counter({2: 1})
    assert 3.0 <= waited < 8.0  # Connect did not wait for the provider
    counts = sent_to(provider)
    assert set(counts.values()) == {1}  # each profile sent once, by one invocation or the other
    assert len(counts) == len(profiles)
    for profile_id, tokens in result.tokens.items():
        assert len(set(tokens)) == 2, profile_id
    assert set(result.statuses.values()) <= {"delivered", "unknown", "failed"}
    assert result.ok


def test_a_provider_refusing_connections_fails_profiles_not_the_invocation(provider):
    """The handler answers: its profiles failed, with the reason. Connect has an answer, so
    the batch is not invoked again (the failure queue and resend are for these)."""
    provider.pause()
    profiles = synthetic_profiles(10, broken_rate=0, opt_out_rate=0, unreachable_rate=0)
    invoker = InProcessInvoker(environment(provider, CHANNEL_MAX_ATTEMPTS="1"))
    try:
        result = run_connect(profiles, invoker, CONTEXT)
    finally:
        invoker.close()
        provider.resume()
    assert result.attempts == Counter({1: 1})
    assert set(result.statuses.values()) == {"failed"}
    assert result.ok
    assert not provider.requests
    assert "10  connection refused" in report(result)


def test_connects_wait_is_enforced_and_a_batch_gives_up_after_three_invocations(tmp_path):
    def sleeps(event: Any, context: Any) -> Any:
        time.sleep(0.6)
        return {"Items": {"CustomerProfiles": []}}

    profiles = synthetic_profiles(5)
    invoker = InProcessInvoker(handler=sleeps, wait_seconds=0.2, function_timeout=1.0)
    started = time.monotonic()
    try:
        result = run_connect(profiles, invoker, CONTEXT)
        waited = time.monotonic() - started
    finally:
        invoker.close()
    assert 0.6 <= waited < 1.2  # 3 x 0.2 s: it did not wait for the function
    assert result.attempts == Counter({3: 1})
    assert result.invocation_errors == Counter({"no answer within 0.2 s": 3})
    assert set(result.statuses.values()) == {"no answer"}
    assert len({token for tokens in result.tokens.values() for token in tokens}) == 15
    assert not result.ok
    text = report(result)
    assert "1 batches without an answer after 3 invocations" in text
    assert "5 profiles UNACCOUNTED" in text


def test_missing_repeated_and_unrequested_answers_are_reported():
    def sloppy(event: Any, context: Any) -> Any:
        ids = [item["ProfileId"] for item in event["Items"]["CustomerProfiles"]]
        entries = [{"Id": ids[0], "ResultData": {"status": "delivered"}}] * 2
        entries += [{"Id": "stranger", "ResultData": {"status": "delivered"}}]
        entries += [{"Id": ids[2], "ResultData": "delivered"}, {"ResultData": {}}]
        return {"Items": {"CustomerProfiles": entries}}

    profiles = synthetic_profiles(4, broken_rate=0)
    first, second, third, fourth = profiles
    invoker = InProcessInvoker(handler=sloppy)
    try:
        result = run_connect(profiles, invoker, CONTEXT)
    finally:
        invoker.close()
    assert result.attempts == Counter({1: 1})  # not a reason to invoke again
    assert result.answer_errors == [
        f"{first!r} answered more than once",
        "'stranger' answered, not in the batch",
        f"{third!r}: ResultData is not an object",
        "an answer without an Id",
        f"{second!r} not answered",
        f"{fourth!r} not answered",
    ]
    assert result.statuses == {
        first: "delivered",
        second: "no answer",
        third: "no status",
        fourth: "no answer",
    }
    assert not result.ok
    assert "Answer errors: 6" in report(result)


def test_a_result_data_over_32_kb_makes_the_invocation_invalid():
    event = connect_event(CONTEXT, {"p": {}}, ["p"])
    small = {"Items": {"CustomerProfiles": [{"Id": "p", "ResultData": {"x": "y" * 100}}]}}
    big = {"Items": {"CustomerProfiles": [{"Id": "p", "ResultData": {"x": "y" * 33000}}]}}
    assert check_answer(event, small).invalid == ""
    assert "over 32 KB" in check_answer(event, big).invalid
    assert check_answer(event, None).invalid
    assert MAX_RESULT_DATA_BYTES == 32768

    invoker = InProcessInvoker(handler=lambda event, context: big)
    try:
        result = run_connect({"p": {}}, invoker, CONTEXT)
    finally:
        invoker.close()
    assert result.attempts == Counter({3: 1})
    assert list(result.invocation_errors) == [
        "invalid answer: ResultData of 'p' is 33008 bytes, over 32 KB"
    ]


# --- the deployed function in the runner's sandbox ---------------------------------------------


@pytest.fixture(scope="module")
def local_aws():
    with LocalAws() as aws:
        yield aws


def test_a_deployed_function_runs_in_the_sandbox_with_its_settings(local_aws, tmp_path, provider):
    lam = deploy_function(local_aws, "connect-channel", 60, environment(provider))
    spec = function_spec(lam, "connect-channel")
    code = unpack_package(build_package.ZIP_PATH, spec.code_sha256, tmp_path / "code")
    profiles = synthetic_profiles(120)
    with (tmp_path / "log").open("w") as log:
        invoker = SandboxInvoker(code, spec, local_aws.env, log)
        try:
            result = run_connect(profiles, invoker, CONTEXT)
        finally:
            invoker.close()
    assert invoker.wait_seconds == 30.0  # Connect's wait, not the function's 60 s
    assert result.ok
    assert result.attempts == Counter({1: 3})
    assert Counter(result.statuses.values()) == expected(profiles)
    assert sum(sent_to(provider).values()) == expected(profiles)["delivered"]
    function_log = (tmp_path / "log").read_text()
    assert function_log.count('"message": "batch processed"') == 3
    assert '"event_source": "connect"' in function_log
    assert not leaks(function_log.splitlines(), addresses(profiles) | {"Welcome back"})


def write_probe(directory: Path, source: str) -> Path:
    import zipfile

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "probe.py").write_text(source)
    with zipfile.ZipFile(build_package.ZIP_PATH) as archive:
        archive.extractall(directory)
    return directory


def test_a_sandbox_that_dies_is_invoked_again_and_a_slow_one_is_cut_off(tmp_path):
    marker = tmp_path / "calls"
    code = write_probe(
        tmp_path / "code",
        "import json, os, pathlib, time\n"
        f"MARKER = pathlib.Path({str(marker)!r})\n"
        "def handler(event, context):\n"
        "    calls = int(MARKER.read_text()) + 1 if MARKER.exists() else 1\n"
        "    MARKER.write_text(str(calls))\n"
        "    if calls == 1:\n"
        "        os._exit(1)  # the sandbox dies mid-invocation\n"
        "    if calls == 2:\n"
        "        time.sleep(30)  # past Connect's wait\n"
        "    items = event['Items']['CustomerProfiles']\n"
        "    return {'Items': {'CustomerProfiles': [\n"
        "        {'Id': i['ProfileId'], 'ResultData': {'status': 'delivered'}} for i in items]}}\n",
    )
    spec = FunctionSpec("probe", "probe.handler", timeout=60, environment={}, code_sha256="")
    with (tmp_path / "log").open("w") as log:
        invoker = SandboxInvoker(code, spec, {}, log, wait_seconds=4)
        try:
            result = run_connect(synthetic_profiles(3), invoker, CONTEXT)
        finally:
            invoker.close()
    assert result.attempts == Counter({3: 1})
    assert result.invocation_errors == Counter(
        {"the function process exited": 1, "no answer within 4 s": 1}
    )
    assert set(result.statuses.values()) == {"delivered"}
    assert all(len(set(tokens)) == 3 for tokens in result.tokens.values())


def test_the_command_line_runs_a_deployed_function_in_the_sandbox(
    local_aws, provider, monkeypatch, tmp_path, capsys
):
    role = local_aws.client("iam").create_role(
        RoleName="connect-cli",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    local_aws.client("lambda").create_function(
        FunctionName="connect-cli",
        Runtime="python3.13",
        Role=role,
        Handler="custom_channel.lambda_function.lambda_handler",
        Code={"ZipFile": build_package.ZIP_PATH.read_bytes()},
        Timeout=30,
        Environment={"Variables": environment(provider)},
    )
    for name, value in local_aws.env.items():
        monkeypatch.setenv(name, value)  # the command line sets them; restored afterwards
    log = tmp_path / "log"
    arguments = ["--connect", "--synthetic", "70", "--action-id", "welcome"]
    code = main([*arguments, "--function", "connect-cli", "--log", str(log)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "70 profiles, 70 sent in 2 batches (2 invocations)" in out
    assert sum(sent_to(provider).values()) == expected(synthetic_profiles(70))["delivered"]
    assert log.read_text().count('"message": "batch processed"') == 2
    assert main([*arguments, "--function", "no-such-function", "--log", str(log)]) == 2
    assert capsys.readouterr().err == "error: cannot read function no-such-function: " + (
        "ResourceNotFoundException\n"
    )


# --- the command line -------------------------------------------------------------------------


def test_the_command_line_runs_the_in_process_handler(provider, monkeypatch, tmp_path, capsys):
    for name, value in environment(provider, CHANNEL_MESSAGE_TEMPLATE="Hi {{FirstName}}").items():
        monkeypatch.setenv(name, value)
    profiles = tmp_path / "profiles.json"
    profiles.write_text(
        json.dumps(
            [
                {"ProfileId": "c-1", "FirstName": "Ann", "EmailAddress": "ann.lee@example.com"},
                {"ProfileId": "c-2", "FirstName": "Bob", "PhoneNumber": "+12065550199"},
                {"ProfileId": "c-3", "CustomerData": "{broken"},
            ]
        )
    )
    code = main(
        [
            "--connect",
            "--profiles",
            str(profiles),
            "--action-id",
            "welcome",
            "--in-process",
            "--log",
            str(tmp_path / "log"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "3 profiles, 3 sent in 1 batches (1 invocations)" in out
    assert "Every profile sent is answered exactly once." in out
    assert "1  invalid endpoint: CustomerData is not JSON" in out
    assert sorted(sent_to(provider)) == ["+12065550199", "ann.lee@example.com"]


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--synthetic", "5"], "the following arguments are required: --action-id"),
        (["--action-id", "a", "--in-process"], "one of the arguments --profiles --synthetic"),
        (["--synthetic", "0", "--action-id", "a", "--in-process"], "at least 1"),
        (["--synthetic", "5", "--action-id", "a", "--in-process", "--batch-size", "0"], "1 to"),
        (["--synthetic", "5", "--action-id", "a", "--in-process", "--wait-seconds", "31"], "30"),
        (["--synthetic", "5", "--action-id", "a"], "give --function"),
        (["--synthetic", "5", "--action-id", "a", "--function", "f"], "needs the local AWS"),
        (["--profiles", "/nonexistent.json", "--action-id", "a", "--in-process"], "cannot read"),
        (["--synthetic", "x", "--action-id", "a", "--in-process"], "invalid int value"),
    ],
)
def test_bad_command_lines_are_answered_in_one_line_with_exit_2(
    arguments, problem, capsys, tmp_path
):
    try:
        code = main(["--connect", *arguments, "--log", str(tmp_path / "log")])
    except SystemExit as exited:  # argparse's own errors
        code = exited.code
    assert code == 2
    error = capsys.readouterr().err
    assert problem in error
    assert error.count("\n") == 1


def test_a_bad_channel_setting_is_answered_in_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CHANNEL_ADAPTER", "bogus")
    log = str(tmp_path / "log")
    code = main(["--connect", "--synthetic", "2", "--action-id", "a", "--in-process", "--log", log])
    error = capsys.readouterr().err
    assert code == 2
    assert error.startswith("error: configuration error: CHANNEL_ADAPTER")
    assert error.count("\n") == 1

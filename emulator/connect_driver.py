"""Run an Amazon Connect outbound campaign's custom action locally, as Connect would.

    python emulator/run_campaign.py --connect --synthetic 500 --action-id "Welcome Message" \
        --in-process
    python emulator/run_campaign.py --connect --profiles profiles.json \
        --action-id "Welcome Message" --function NAME [--endpoint-url URL] [--in-process]

Customer profiles (emulator/segments.synthetic_profiles, or emulator/campaign.load_profiles
from a JSON file) are cut into batches and sent as the documented request (Connect
Administrator Guide, "Invoke Lambda functions"): InvocationMetadata.CampaignContext with
CampaignId, RunId, ActionId and CampaignName; Items.CustomerProfiles with ProfileId,
CustomerData (the profile as a JSON string) and an IdempotencyToken. The values take the forms
of a live journey invocation (a capture aws-amplify/amplify-backend publishes): ActionId is the
custom action block's label as typed in the journey ("Welcome Message", spaces and all), RunId
is `<CampaignId>#<start time>` (`...#2026-12-07T10-04-00Z`, `run_id()`), and each
IdempotencyToken is 64 lowercase hexadecimal characters, new for every profile.

Batch size: Connect does not document one. The driver sends at most 50 profiles per
invocation (BATCH_SIZE), Pinpoint's documented batch, which the handler is built for: its
worker pool (CHANNEL_MAX_WORKERS, at most 50) sends a whole batch at once within one
deadline, and 50 answers of up to 32 KB each (1.6 MB) stay far below Lambda's 6 MB limit on
a synchronous response. `batch_size` changes it, 1 to MAX_BATCH_SIZE (100: 3.2 MB at most).

Connect's rules, as the driver enforces them:
- the function answers within 30 s (`wait_seconds`, shorter in tests), or the invocation
  fails; a function that throws fails the whole batch;
- a failed or late batch is invoked again, at most 3 invocations in all, with the same
  ProfileIds and new IdempotencyTokens: whether Connect keeps the tokens when it retries is
  not documented, so the driver takes the worst case;
- the answer is `{"Items": {"CustomerProfiles": [{"Id", "ResultData"}]}}`: every ProfileId
  answered exactly once, `Id` equal to the ProfileId, ResultData an object of at most 32 KB
  (a larger one makes Connect mark the invocation invalid: a failed invocation). A missing,
  repeated or unrequested answer is a reported answer error, not a reason to invoke again.

Which function: Connect invokes the Lambda function registered with the instance
(connectcampaignsv2 PutConnectInstanceIntegration; Administrator Guide, "Invoke Lambda
functions"), so `registered_function` reads it back from the instance's integrations
(ListConnectInstanceIntegrations: the model has no Get...Integration) on the local AWS
(emulator/local_connectcampaigns.py), and `SandboxInvoker.deployed` runs that function's code
and settings as the local AWS holds them.

Invokers: InProcessInvoker runs the repository's handler in this process (through
`custom_channel.operator.local.invoke`, in a thread the driver stops waiting for after
`wait_seconds`; a late invocation runs on, and the next one gets a fresh Channel, as Lambda
would give it a fresh sandbox). SandboxInvoker runs a deployed function's code in the
runner's sandbox process (emulator/function_host.py); a late invocation's process is killed.
Either way the function's context counts down the function's own timeout, not Connect's
wait: the handler caps its deadline at 30 s itself.

Profiles from a Customer Profiles domain: a journey reads each profile when it runs, so
`DomainProfiles` reads the campaign's ProfileIds from a domain of the local AWS
(emulator/local_customerprofiles.py; BatchGetProfile, 20 at a time) and
`run_connect_from_domain` does so just before each run, each profile turned into the
CustomerData a journey carries (`journey_customer_data`: camelCase, lower-case `attributes`).
A profile whose OptOut attribute was set between two runs arrives opted out on the second.

The report gives delivered / failed / unknown / skipped (ResultData.status), why profiles
were not delivered, invocations per batch and why they failed, and the answer errors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from emulator.run_campaign import (
    STATUSES,
    FunctionSpec,
    RunnerError,
    SandboxDeliverer,
    function_spec,
    unpack_package,
    write_totals,
)
from emulator.segments import Profiles

CONNECT_WAIT_SECONDS = 30.0  # Connect fails the action when the function takes longer
CONNECT_INVOCATIONS = 3  # the first invocation and at most two more
BATCH_SIZE = 50
MAX_BATCH_SIZE = 100
MAX_RESULT_DATA_BYTES = 32 * 1024
NO_ANSWER = "no answer"


class InvocationFailed(Exception):
    """The invocation gave Connect no answer: it threw, timed out or answered too late."""


@dataclass(frozen=True)
class CampaignContext:
    campaign_id: str
    run_id: str
    action_id: str
    campaign_name: str

    def metadata(self) -> dict[str, Any]:
        return {
            "CampaignContext": {
                "CampaignId": self.campaign_id,
                "RunId": self.run_id,
                "ActionId": self.action_id,
                "CampaignName": self.campaign_name,
            }
        }


def run_id(campaign_id: str, started: dt.datetime | None = None) -> str:
    """A RunId as Connect forms it: `<CampaignId>#<start, UTC, to the second, dashes for
    colons>`, e.g. `5f0c...#2026-12-07T10-04-00Z`. `started` defaults to now."""
    moment = (started or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return f"{campaign_id}#{moment.strftime('%Y-%m-%dT%H-%M-%SZ')}"


def idempotency_token() -> str:
    """An IdempotencyToken as Connect sends one: 64 lowercase hexadecimal characters."""
    return secrets.token_hex(32)


def customer_data(profile: Mapping[str, Any] | str) -> str:
    """CustomerData as Connect sends it: the profile as a JSON string (a string as it is)."""
    if isinstance(profile, str):
        return profile
    return json.dumps(profile, separators=(",", ":"))


def profile_batches(profiles: Profiles, size: int = BATCH_SIZE) -> Iterator[list[str]]:
    ids = list(profiles)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def connect_event(
    context: CampaignContext, profiles: Profiles, profile_ids: list[str]
) -> dict[str, Any]:
    """One invocation's request, with a new IdempotencyToken for every profile."""
    return {
        "InvocationMetadata": context.metadata(),
        "Items": {
            "CustomerProfiles": [
                {
                    "ProfileId": profile_id,
                    "CustomerData": customer_data(profiles[profile_id]),
                    "IdempotencyToken": idempotency_token(),
                }
                for profile_id in profile_ids
            ]
        },
    }


@dataclass
class Checked:
    """What Connect makes of one answer."""

    results: dict[str, dict[str, Any]]  # ProfileId -> ResultData, the first answer of each
    errors: list[str]  # missing, repeated or unrequested answers, ResultData not an object
    invalid: str = ""  # why Connect marks the whole invocation invalid ("" if it does not)


def check_answer(event: Mapping[str, Any], response: object) -> Checked:
    requested = [item["ProfileId"] for item in event["Items"]["CustomerProfiles"]]
    items = response.get("Items") if isinstance(response, Mapping) else None
    entries = items.get("CustomerProfiles") if isinstance(items, Mapping) else None
    if not isinstance(entries, list):
        return Checked({}, [], "the answer is not {Items: {CustomerProfiles: [...]}}")
    wanted = set(requested)
    results: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    for entry in entries:
        answer_id = entry.get("Id") if isinstance(entry, Mapping) else None
        if not isinstance(answer_id, str):
            errors.append("an answer without an Id")
            continue
        if answer_id not in wanted:
            errors.append(f"{answer_id!r} answered, not in the batch")
            continue
        if answer_id in results:
            errors.append(f"{answer_id!r} answered more than once")
            continue
        data = entry.get("ResultData", {})
        if not isinstance(data, Mapping):
            errors.append(f"{answer_id!r}: ResultData is not an object")
            data = {}
        size = len(json.dumps(data, separators=(",", ":")).encode("utf-8"))
        if size > MAX_RESULT_DATA_BYTES:
            return Checked({}, errors, f"ResultData of {answer_id!r} is {size} bytes, over 32 KB")
        results[answer_id] = dict(data)
    errors.extend(f"{pid!r} not answered" for pid in requested if pid not in results)
    return Checked(results, errors)


# --- profiles read from a Customer Profiles domain -------------------------------------------

BATCH_GET_LIMIT = 20  # BatchGetProfile: 1-20 ProfileIds (botocore: BatchGetProfileIdList)


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def journey_customer_data(profile: Mapping[str, Any]) -> dict[str, Any]:
    """A Customer Profiles profile (the API's PascalCase, as BatchGetProfile answers it) as a
    journey's custom action receives it in CustomerData (a live capture: connect-custom-
    action.md): every field name camelCase (`profileId`, `firstName`, `emailAddress`,
    `phoneNumber`, `address: {city, postalCode, ...}`), the custom attributes under a
    lower-case `attributes` with their own names unchanged (`attributes.OptOut`,
    `attributes.plan`). Search-only members (FoundByItems) are left out."""
    data: dict[str, Any] = {}
    for name, value in profile.items():
        if name == "FoundByItems":
            continue
        if name == "Attributes" and isinstance(value, Mapping):
            data["attributes"] = dict(value)
        elif isinstance(value, Mapping):
            data[_camel(name)] = {_camel(key): item for key, item in value.items()}
        else:
            data[_camel(name)] = value
    return data


@dataclass
class DomainProfiles:
    """A campaign's profiles as a journey reads them: from a Customer Profiles domain, by
    ProfileId, each time the journey runs (`read`: BatchGetProfile, BATCH_GET_LIMIT ids at a
    time, through `client`, a boto3 customer-profiles client of the local AWS). A profile
    changed between two runs (an opt-out written back, say) arrives changed on the next. A
    ProfileId the domain no longer has is not sent (`missing` after each read)."""

    client: Any
    domain: str
    profile_ids: list[str]
    missing: list[str] = field(default_factory=list)

    def read(self) -> Profiles:
        profiles: Profiles = {}
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(self.profile_ids), BATCH_GET_LIMIT):
            answer = self.client.batch_get_profile(
                DomainName=self.domain, ProfileIds=self.profile_ids[start : start + BATCH_GET_LIMIT]
            )
            for profile in answer.get("Profiles", []):
                found[profile["ProfileId"]] = profile
        self.missing = [pid for pid in self.profile_ids if pid not in found]
        for profile_id in self.profile_ids:
            if profile_id in found:
                profiles[profile_id] = journey_customer_data(found[profile_id])
        return profiles


def run_connect_from_domain(
    source: DomainProfiles,
    invoker: Invoker,
    context: CampaignContext,
    **options: Any,
) -> ConnectRun:
    """One run of the journey: the profiles read from the domain now (`source.read()`), then
    `run_connect` with them (`options` are run_connect's: batch_size, invocations, progress)."""
    profiles = source.read()
    if not profiles:
        raise RunnerError(f"none of the {len(source.profile_ids)} profiles is in the domain")
    return run_connect(profiles, invoker, context, **options)


# --- invokers ---------------------------------------------------------------------------------


class Invoker(Protocol):
    wait_seconds: float

    def invoke(self, event: dict[str, Any]) -> object:
        """The function's answer; InvocationFailed when Connect would get none in time."""
        ...

    def close(self) -> None: ...


Handler = Callable[[Any, Any], Any]


class InProcessInvoker:
    """The handler in this process: a Channel configured from `environment`, or `handler`."""

    def __init__(
        self,
        environment: Mapping[str, str] | None = None,
        *,
        handler: Handler | None = None,
        wait_seconds: float = CONNECT_WAIT_SECONDS,
        function_timeout: float = CONNECT_WAIT_SECONDS,
    ) -> None:
        from custom_channel.config import load_settings

        self.wait_seconds = wait_seconds
        self._function_timeout = function_timeout
        self._handler = handler
        self._settings = load_settings(environment or {}) if handler is None else None
        self._channel: Any = None
        self._retired: list[Any] = []
        self._late: list[threading.Thread] = []
        self._entry()  # a bad setting shows before the first batch

    def _entry(self) -> Handler:
        if self._handler is not None:
            return self._handler
        if self._channel is None:
            from custom_channel.channel import Channel

            self._channel = Channel(self._settings)
        handle: Handler = self._channel.handle
        return handle

    def invoke(self, event: dict[str, Any]) -> object:
        from custom_channel.operator.local import invoke

        handler = self._entry()
        box: dict[str, Any] = {}

        def call() -> None:
            try:
                box["response"] = invoke(
                    event, handler=handler, timeout_seconds=self._function_timeout
                ).response
            except Exception as error:  # the function threw: Connect fails the batch
                box["error"] = error

        thread = threading.Thread(target=call, name="connect-invocation", daemon=True)
        thread.start()
        thread.join(self.wait_seconds)
        if thread.is_alive():
            # Connect stops waiting; the invocation runs on in its sandbox, so the next one
            # gets a sandbox of its own.
            self._late.append(thread)
            if self._channel is not None:
                self._retired.append(self._channel)
                self._channel = None
            raise InvocationFailed(f"no answer within {self.wait_seconds:g} s")
        if "error" in box:
            raise InvocationFailed(f"the function threw {type(box['error']).__name__}")
        return box.get("response")

    def close(self) -> None:
        for thread in self._late:
            thread.join(self._function_timeout)
        for channel in (*self._retired, self._channel):
            if channel is not None:
                channel.close()
        self._retired, self._channel = [], None


class SandboxInvoker:
    """A deployed function's code in the runner's sandbox process (run_campaign.py)."""

    def __init__(
        self,
        code_dir: Path,
        spec: FunctionSpec,
        aws_env: Mapping[str, str],
        log: io.TextIOBase,
        *,
        wait_seconds: float = CONNECT_WAIT_SECONDS,
    ) -> None:
        self.wait_seconds = min(wait_seconds, spec.timeout)
        self._sandbox = SandboxDeliverer(
            code_dir,
            spec,
            aws_env,
            log,
            wait_seconds=wait_seconds,
            slack_seconds=0.0,  # Connect's wait includes the sandbox's own overhead
            context_seconds=spec.timeout,
        )

    @classmethod
    def deployed(
        cls,
        lambda_client: Any,
        function: str,
        package: Path,
        workdir: Path,
        *,
        aws_env: Mapping[str, str],
        log: io.TextIOBase,
        settings: Mapping[str, str] | None = None,
        wait_seconds: float = CONNECT_WAIT_SECONDS,
    ) -> SandboxInvoker:
        """The deployed function `function` (name or ARN): its configuration read from the
        local AWS, `package` unpacked into `workdir` once checked to be its code (CodeSha256).
        `settings` replace some of its environment variables (a provider's API base sent to a
        local server, say), the rest as deployed."""
        spec = function_spec(lambda_client, function)
        if settings:
            spec = dataclasses.replace(spec, environment={**spec.environment, **settings})
        code = unpack_package(package, spec.code_sha256, workdir)
        return cls(code, spec, aws_env, log, wait_seconds=wait_seconds)

    def invoke(self, event: dict[str, Any]) -> object:
        try:
            return self._sandbox.invoke_once(event)
        except RunnerError as error:
            if str(error) == "timed out":
                raise InvocationFailed(f"no answer within {self.wait_seconds:g} s") from None
            raise InvocationFailed(str(error)) from None
        except (OSError, ValueError) as error:
            raise InvocationFailed(f"bad answer: {type(error).__name__}") from None

    def close(self) -> None:
        self._sandbox.close()


# --- the registered function -----------------------------------------------------------------


def registered_function(connectcampaigns_client: Any, instance_id: str) -> str:
    """The ARN of the Lambda function registered with the Connect instance: the one its
    custom actions invoke (ListConnectInstanceIntegrations, every page). RunnerError when
    there is none, or more than one (which one a custom action block calls is then chosen in
    the journey, which this driver does not read)."""
    functions: list[str] = []
    request: dict[str, Any] = {"connectInstanceId": instance_id}
    while True:
        page = connectcampaigns_client.list_connect_instance_integrations(**request)
        functions += [
            entry["lambda"]["functionArn"]
            for entry in page.get("integrationSummaryList", [])
            if "lambda" in entry
        ]
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    if len(functions) != 1:
        raise RunnerError(
            f"Connect instance {instance_id} has {len(functions)} Lambda integrations, not one: "
            "register the function first (PutConnectInstanceIntegration)"
        )
    return functions[0]


# --- running and reporting --------------------------------------------------------------------


@dataclass
class ConnectRun:
    context: CampaignContext
    profiles: Profiles
    batches: list[list[str]]
    wait_seconds: float = CONNECT_WAIT_SECONDS  # how long each invocation was waited for
    statuses: dict[str, str] = field(default_factory=dict)  # ProfileId -> ResultData.status
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # ProfileId -> ResultData
    reasons: Counter[str] = field(default_factory=Counter)  # why profiles were not delivered
    attempts: Counter[int] = field(default_factory=Counter)  # invocations per batch
    invocation_errors: Counter[str] = field(default_factory=Counter)  # failed invocations
    given_up: int = 0  # batches that had no answer after CONNECT_INVOCATIONS invocations
    answer_errors: list[str] = field(default_factory=list)
    tokens: dict[str, list[str]] = field(default_factory=dict)  # ProfileId -> tokens sent
    events: list[dict[str, Any]] = field(default_factory=list)  # every request sent
    elapsed: float = 0.0

    @property
    def unanswered(self) -> int:
        """Profiles sent whose answer gave no status."""
        return sum(1 for status in self.statuses.values() if status not in STATUSES)

    @property
    def ok(self) -> bool:
        return self.unanswered == 0 and not self.answer_errors


def run_connect(
    profiles: Profiles,
    invoker: Invoker,
    context: CampaignContext,
    *,
    batch_size: int = BATCH_SIZE,
    invocations: int = CONNECT_INVOCATIONS,
    progress: Callable[[int, int], None] | None = None,
) -> ConnectRun:
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"the batch size must be 1 to {MAX_BATCH_SIZE}")
    if not 1 <= invocations <= CONNECT_INVOCATIONS:
        raise ValueError(f"invocations must be 1 to {CONNECT_INVOCATIONS}")
    started = time.monotonic()
    planned = list(profile_batches(profiles, batch_size))
    result = ConnectRun(context, profiles, planned, invoker.wait_seconds)
    for number, batch in enumerate(planned, start=1):
        checked: Checked | None = None
        error = ""
        attempt = 0
        while attempt < invocations:
            attempt += 1
            event = connect_event(context, profiles, batch)
            result.events.append(event)
            for item in event["Items"]["CustomerProfiles"]:
                result.tokens.setdefault(item["ProfileId"], []).append(item["IdempotencyToken"])
            try:
                response = invoker.invoke(event)
            except InvocationFailed as problem:
                error = str(problem)
                result.invocation_errors[error] += 1
                continue
            checked = check_answer(event, response)
            if checked.invalid:
                error = f"invalid answer: {checked.invalid}"
                result.invocation_errors[error] += 1
                checked = None
                continue
            break
        result.attempts[attempt] += 1
        if checked is None:
            result.given_up += 1
            for profile_id in batch:
                result.statuses[profile_id] = NO_ANSWER
                result.reasons[f"batch failed after {attempt} invocations: {error}"] += 1
        else:
            result.answer_errors.extend(checked.errors)
            for profile_id in batch:
                data = checked.results.get(profile_id)
                if data is not None:
                    result.results[profile_id] = data
                status = str(data.get("status", "no status")) if data is not None else NO_ANSWER
                result.statuses[profile_id] = status
                if status != "delivered":
                    reason = (data or {}).get("reason") or status
                    result.reasons[str(reason)] += 1
        if progress is not None:
            progress(number, len(planned))
    result.elapsed = time.monotonic() - started
    return result


def report(result: ConnectRun) -> str:
    out = io.StringIO()
    context = result.context
    invoked = sum(n * count for n, count in result.attempts.items())
    out.write(
        f"Connect campaign {context.campaign_name} ({context.campaign_id}), run "
        f"{context.run_id}, action {context.action_id}: {len(result.profiles)} profiles, "
        f"{len(result.statuses)} sent in {len(result.batches)} batches "
        f"({invoked} invocations), {result.elapsed:.1f} s\n"
    )
    out.write(f"\n{'':<10}" + "".join(f"{name:>11}" for name in (*STATUSES, "total")) + "\n")
    write_totals(out, result.statuses.values(), len(result.statuses), result.reasons)
    attempts = ", ".join(f"{count} x {n}" for n, count in sorted(result.attempts.items()))
    out.write(
        f"\nInvocations per batch: {attempts} (at most {CONNECT_INVOCATIONS}, "
        f"each waited for {result.wait_seconds:g} s)\n"
    )
    for error, count in result.invocation_errors.most_common():
        out.write(f"  {count:>5}  invocations failed: {error}\n")
    if result.invocation_errors:
        out.write("  (each invoked again with new IdempotencyTokens, at most 3 invocations)\n")
    if result.given_up:
        out.write(
            f"  {result.given_up} batches without an answer after {CONNECT_INVOCATIONS} "
            "invocations: Connect marks their profiles failed\n"
        )
    if result.answer_errors:
        out.write(f"\nAnswer errors: {len(result.answer_errors)}\n")
        for problem in result.answer_errors[:20]:
            out.write(f"  {problem}\n")
        if len(result.answer_errors) > 20:
            out.write(f"  ... and {len(result.answer_errors) - 20} more\n")
    out.write(
        "Every profile sent is answered exactly once.\n"
        if result.ok
        else f"{result.unanswered} profiles UNACCOUNTED, "
        f"{len(result.answer_errors)} answer errors\n"
    )
    return out.getvalue()

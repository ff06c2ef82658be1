"""The project's local AWS: a moto server on 127.0.0.1, with the help moto needs for this module.

`LocalAws` starts moto's `ThreadedMotoServer` on a free port and, before the first request,
applies a few process-wide patches so that the Terraform module in this repository applies,
plans without drift and destroys cleanly against it:

* Pinpoint CreateApp/GetApp/GetApps return `CreationDate` as an ISO 8601 string; moto sends a
  float, which the Go SDK inside the AWS provider rejects.
* Lambda keeps a function's `LoggingConfig` and returns it; moto drops it, so a plan after an
  apply would show drift on `logging_config`.
* CloudFormation knows `AWS::Pinpoint::Segment` and `AWS::Pinpoint::Campaign`; moto skips them
  (the stack is CREATE_COMPLETE with nothing in it) and fails with HTTP 500 when the Outputs use
  `Fn::GetAtt` on them. The resources are kept in memory with every property, checked the way
  Pinpoint checks them (application and segment exist, CustomDeliveryConfiguration is complete,
  the Lambda DeliveryUri lets `pinpoint.<region>.amazonaws.com` invoke it for this campaign) and
  support `Ref` and `Fn::GetAtt` `SegmentId` / `CampaignId` / `Arn`. Secrets Manager dynamic
  references in their properties (`{{resolve:secretsmanager:<id>:SecretString:<json-key>:
  <version-stage>:<version-id>}}`, alone or inside a longer string) are resolved from moto's
  Secrets Manager, as CloudFormation does; the stack's template keeps the reference.
* Pinpoint serves GetSegment(s) and GetCampaign(s) from those records (REST shape: CampaignHook
  becomes Hook, Schedule.TimeZone becomes Timezone, Tags becomes tags), so another process can
  read a campaign definition back, for example a local campaign runner. In this process,
  `campaigns()` and `segments()` return the same data.
* DynamoDB's TransactWriteItems backs up only the records its actions name (moto deep-copies
  every table it touches once per action, which took seconds per 50-action transaction on a
  table of a few thousand records) and puts exactly those back when it is cancelled.
* Lambda runs without Docker (`{"lambda": {"use_docker": false}}`): Invoke echoes the payload.
* Amazon Q in Connect (`qconnect`, signing name `wisdom`), which moto lacks, serves
  GetMessageTemplate: the message templates authored in Connect that the channel reads
  (emulator/local_qconnect.py). Its backend joins moto's two registries, the URL patterns of
  `moto.backend_index` (moto's server maps the credential scope's `wisdom` to
  `wisdom.<region>.amazonaws.com` and looks that up there) and `moto.backends.get_backend`,
  so moto routes, parses, serializes and resets it as one of its own services. Templates are
  authored with `put_message_template` (a new version each time; active unless told not).
* Amazon Connect outbound campaigns v2 (`connectcampaignsv2`, signing name
  `connect-campaigns`, which moto's `connectcampaigns` is v1 of) serves the instance
  integrations that register a custom action's Lambda function: Put-, List- and
  DeleteConnectInstanceIntegration (emulator/local_connectcampaigns.py), for a Connect
  instance of moto's `connect` and a function of moto's Lambda. Its /v2/ paths join moto's
  connectcampaigns URL paths, so the AWS CLI and boto3 reach it on the same endpoint.
* Pinpoint serves endpoints (emulator/local_pinpoint.py), which moto lacks: UpdateEndpoint,
  UpdateEndpointsBatch, GetEndpoint (what the resend command asks for each endpoint's consent
  now) and DeleteEndpoint, checked against botocore's model.
* Amazon Connect Customer Profiles (`customer-profiles`, signing name `profile`), which moto
  lacks, serves domains and profiles (emulator/local_customerprofiles.py): Create-, Get- and
  DeleteDomain, Create-, Update- (merging Attributes as the API does), BatchGet-, Search- and
  DeleteProfile, checked against botocore's model; registered as qconnect is.
* EventBridge is moto's own: PutEvents on the default bus (or a bus of its own) delivers to
  the targets of matching rules, an SQS queue among them, where a test reads what the channel
  published (`LocalAws.capture_events`, EventCapture).

Not emulated: Pinpoint's HEAD request to a webhook DeliveryUri (the account-id header check);
the URL's form is checked instead.

The patches change moto's classes for the whole Python process (`mock_aws` in the same process
sees them too) and are applied once; the Docker setting is moto's process-wide configuration,
set by `start()` and put back by `stop()`. moto keeps its state per process: every `LocalAws`
in one process shares it (`reset()` empties it).

Example::

    with LocalAws() as aws:
        lambda_client = aws.client("lambda")
        provider_hcl = aws.provider_block()   # for a Terraform root module
        subprocess.run(["terraform", "apply"], env={**os.environ, **aws.env})
        print(campaigns(aws.account_id, aws.region))
        template_id = aws.put_message_template(kb_id, "Welcome", "SMS", content)
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    # Run as a script, the classes below would be defined in `__main__`, and moto files every
    # model class under the second part of its module's dotted name
    # (moto.core.base_backend.InstanceTrackerMeta: `cls.__module__.split(".")[1]`), which
    # `__main__` lacks: IndexError. Serve from the importable module instead, so each class is
    # defined once, in emulator.local_aws. emulator/ itself (sys.path[0] for
    # `python emulator/local_aws.py`) gives way to the repository root.
    _ROOT = str(Path(__file__).resolve().parent.parent)
    if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
        sys.path[0] = _ROOT
    elif _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)
    try:
        from emulator.local_aws import main
    except ModuleNotFoundError as missing:
        # A python3 outside the project's virtualenv: one line, not a traceback.
        sys.stderr.write(
            f"local AWS: the Python module {missing.name!r} is missing: run `make local-aws` "
            "(it installs the pinned tools into .venv first), or this script with "
            ".venv/bin/python\n"
        )
        sys.exit(2)

    sys.exit(main())

import argparse
import contextlib
import copy
import datetime as dt
import fnmatch
import json
import logging
import re
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import unquote

import boto3
import requests
from moto.awslambda import models as lambda_models
from moto.awslambda import utils as lambda_utils
from moto.cloudformation import parsing as cfn_parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.core.common_models import CloudFormationModel
from moto.core.config import default_user_config
from moto.core.exceptions import JsonRESTError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb import models as dynamodb_models
from moto.moto_api._internal import mock_random
from moto.pinpoint import models as pinpoint_models
from moto.pinpoint import urls as pinpoint_urls
from moto.pinpoint.exceptions import ApplicationNotFound
from moto.pinpoint.responses import PinpointResponse
from moto.secretsmanager.models import secretsmanager_backends
from moto.server import ThreadedMotoServer
from moto.utilities.utils import get_partition

from emulator import local_connectcampaigns, local_customerprofiles, local_pinpoint, local_qconnect
from emulator.local_qconnect import put_message_template

__all__ = [
    "DEFAULT_REGION",
    "TERRAFORM_SERVICES",
    "EventCapture",
    "LocalAws",
    "PinpointCampaign",
    "PinpointSegment",
    "campaigns",
    "create_segment",
    "install_patches",
    "put_message_template",
    "segments",
]

DEFAULT_REGION = "us-east-1"

#: The services of the provider's `endpoints` block: those the module calls (apigatewayv2,
#: cloudformation, cloudwatch, dynamodb, iam, lambda, logs, pinpoint, resourcegroupstaggingapi
#: (0.2.0's campaign scope found its stack by tag: the upgrade test applies it), secretsmanager,
#: sqs, ssm (campaign scope reads the campaign ARN its stack records), sts) and those the
#: channel or a root module around it may use (ec2, kms, s3, sns). Not qconnect: the server
#: serves it (the function reads Connect's message templates), but the provider (6.x) has no
#: qconnect endpoint argument and the module creates no qconnect resource.
TERRAFORM_SERVICES = (
    "apigatewayv2",
    "cloudformation",
    "cloudwatch",
    "dynamodb",
    "ec2",
    "iam",
    "kms",
    "lambda",
    "logs",
    "pinpoint",
    "resourcegroupstaggingapi",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "sts",
)

_FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def _iso_now() -> str:
    return _iso(dt.datetime.now(dt.UTC))


def _iso(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as Pinpoint writes its dates."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _new_id() -> str:
    """A Pinpoint-style id: 32 lowercase hexadecimal characters."""
    return mock_random.uuid4().hex


################################################################################
# Pinpoint segments and campaigns (in memory, on moto's Pinpoint backend)
################################################################################


class _NotFound(JsonRESTError):
    code = 404

    def __init__(self, message: str) -> None:
        super().__init__("NotFoundException", message)


@dataclass
class PinpointSegment:
    """An AWS::Pinpoint::Segment: its CloudFormation properties, verbatim and resolved."""

    segment_id: str
    application_id: str
    arn: str
    properties: dict[str, Any]
    creation_date: str = field(default_factory=_iso_now)
    last_modified_date: str = field(default_factory=_iso_now)
    version: int = 1

    def to_api(self) -> dict[str, Any]:
        """The REST SegmentResponse of GetSegment."""
        props = self.properties
        response: dict[str, Any] = {
            "Id": self.segment_id,
            "ApplicationId": self.application_id,
            "Arn": self.arn,
            "Name": props.get("Name"),
            "SegmentType": "DIMENSIONAL",
            "CreationDate": self.creation_date,
            "LastModifiedDate": self.last_modified_date,
            "Version": self.version,
        }
        for key in ("Dimensions", "SegmentGroups"):
            if key in props:
                response[key] = copy.deepcopy(props[key])
        if props.get("Tags"):
            response["tags"] = dict(props["Tags"])
        return response


@dataclass
class PinpointCampaign:
    """An AWS::Pinpoint::Campaign: its CloudFormation properties, verbatim and resolved."""

    campaign_id: str
    application_id: str
    arn: str
    properties: dict[str, Any]
    creation_date: str = field(default_factory=_iso_now)
    last_modified_date: str = field(default_factory=_iso_now)
    version: int = 1

    def to_api(self) -> dict[str, Any]:
        """The REST CampaignResponse of GetCampaign (every property kept, REST names)."""
        props = copy.deepcopy(self.properties)
        paused = bool(_as_bool(props.pop("IsPaused", False)))
        state = {"CampaignStatus": "PAUSED" if paused else "SCHEDULED"}
        response: dict[str, Any] = {
            "Id": self.campaign_id,
            "ApplicationId": self.application_id,
            "Arn": self.arn,
            "CreationDate": self.creation_date,
            "LastModifiedDate": self.last_modified_date,
            "Version": self.version,
            "SegmentVersion": props.pop("SegmentVersion", 1),
            "IsPaused": paused,
            "State": state,
            "DefaultState": state,
            "HoldoutPercent": props.pop("HoldoutPercent", 0),
        }
        if "CampaignHook" in props:
            response["Hook"] = props.pop("CampaignHook")
        if "Schedule" in props:
            response["Schedule"] = _rest_schedule(props.pop("Schedule"))
        if "AdditionalTreatments" in props:
            response["AdditionalTreatments"] = [
                {
                    "Id": str(index),
                    "State": state,
                    **{
                        k: (_rest_schedule(v) if k == "Schedule" else v)
                        for k, v in treatment.items()
                    },
                }
                for index, treatment in enumerate(props.pop("AdditionalTreatments"), start=1)
            ]
        if "Tags" in props:
            response["tags"] = props.pop("Tags")
        response.update(props)
        return response


def _rest_schedule(schedule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's Schedule.TimeZone is Timezone in the REST API."""
    return {("Timezone" if k == "TimeZone" else k): v for k, v in schedule.items()}


def _as_bool(value: Any) -> bool:
    """CloudFormation passes booleans through; a template may also hold "true"/"false"."""
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


class _PinpointStore:
    """Segments and campaigns of one account and region, kept on moto's Pinpoint backend."""

    def __init__(self) -> None:
        self.segments: dict[str, PinpointSegment] = {}
        self.campaigns: dict[str, PinpointCampaign] = {}
        self.lock = threading.Lock()


def _store(account_id: str, region: str) -> _PinpointStore:
    # Kept on the backend object, so moto's reset (a new backend) clears it too.
    backend = pinpoint_models.pinpoint_backends[account_id][region]
    store = backend.__dict__.get("_custom_channel_store")
    if store is None:
        store = backend.__dict__.setdefault("_custom_channel_store", _PinpointStore())
    return store  # type: ignore[no-any-return]


def segments(
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    application_id: str | None = None,
) -> list[dict[str, Any]]:
    """The segments of the local AWS (REST SegmentResponse shape), oldest first."""
    store = _store(account_id, region)
    with store.lock:
        return [
            s.to_api()
            for s in store.segments.values()
            if application_id in (None, s.application_id)
        ]


def campaigns(
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    application_id: str | None = None,
) -> list[dict[str, Any]]:
    """The campaigns of the local AWS (REST CampaignResponse shape), oldest first.

    Each holds every property of its AWS::Pinpoint::Campaign: CustomDeliveryConfiguration,
    MessageConfiguration.CustomMessage.Data, AdditionalTreatments (with Ids "1".."4"; the
    main treatment is "0"), HoldoutPercent, Schedule, IsPaused, Limits, ...
    """
    store = _store(account_id, region)
    with store.lock:
        return [
            c.to_api()
            for c in store.campaigns.values()
            if application_id in (None, c.application_id)
        ]


def create_segment(
    application_id: str,
    name: str,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    dimensions: Mapping[str, Any] | None = None,
) -> str:
    """Create a segment outside CloudFormation (for a campaign given `segment.id`)."""
    properties: dict[str, Any] = {"ApplicationId": application_id, "Name": name}
    if dimensions is not None:
        properties["Dimensions"] = dict(dimensions)
    return _create_segment_record(properties, account_id, region).segment_id


def _require_app(application_id: Any, account_id: str, region: str, resource: str) -> str:
    if not isinstance(application_id, str) or not application_id:
        raise _cfn_error(resource, "Property ApplicationId is required")
    try:
        pinpoint_models.pinpoint_backends[account_id][region].get_app(application_id)
    except ApplicationNotFound:
        raise _cfn_error(resource, f"Application {application_id} not found") from None
    return application_id


def _cfn_error(resource: str, message: str, status: int = 404) -> ValidationError:
    kind = "NotFoundException" if status == 404 else "BadRequestException"
    return ValidationError(
        message=(
            f"{resource}: Resource handler returned message: {message!r} (Service: Pinpoint, "
            f"Status Code: {status}, Error Code: {kind})"
        )
    )


def _create_segment_record(
    properties: dict[str, Any], account_id: str, region: str
) -> PinpointSegment:
    app_id = _require_app(properties.get("ApplicationId"), account_id, region, "Segment")
    if not properties.get("Name"):
        raise _cfn_error("Segment", "Property Name is required", 400)
    segment_id = _new_id()
    arn = (
        f"arn:{get_partition(region)}:mobiletargeting:{region}:{account_id}"
        f":apps/{app_id}/segments/{segment_id}"
    )
    segment = PinpointSegment(segment_id, app_id, arn, copy.deepcopy(properties))
    store = _store(account_id, region)
    with store.lock:
        store.segments[segment_id] = segment
    return segment


_WEBHOOK = re.compile(r"^https://[A-Za-z0-9._~:/?#-]+$")

#: A Secrets Manager dynamic reference; its body is secret-id[:SecretString[:json-key
#: [:version-stage[:version-id]]]], the secret id possibly an ARN (which holds colons).
_SECRET_REFERENCE = re.compile(r"\{\{resolve:secretsmanager:(?P<body>[^{}]+)\}\}")


def _resolve_dynamic_references(value: Any, account_id: str, region: str, resource: str) -> Any:
    """`value` with every Secrets Manager dynamic reference replaced by the secret it names.

    CloudFormation resolves them in resource properties before the resource handler sees them;
    moto leaves them as text.
    """
    if isinstance(value, dict):
        return {
            k: _resolve_dynamic_references(v, account_id, region, resource)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_resolve_dynamic_references(v, account_id, region, resource) for v in value]
    if isinstance(value, str) and "{{resolve:" in value:
        return _SECRET_REFERENCE.sub(
            lambda match: _secret_reference_value(match["body"], account_id, region, resource),
            value,
        )
    return value


def _secret_reference_value(body: str, account_id: str, region: str, resource: str) -> str:
    secret_id, marker, rest = body.partition(":SecretString")
    if marker and rest and not rest.startswith(":"):  # a name that merely contains the marker
        secret_id, rest = body, ""
    json_key, version_stage, version_id = (
        [*rest[1:].split(":"), "", "", ""] if rest else ["", "", ""]
    )[:3]
    backend = secretsmanager_backends[account_id][region]
    try:
        secret = backend.get_secret_value(secret_id, version_id or None, version_stage or None)
    except JsonRESTError as error:
        raise _cfn_error(
            resource, f"Could not resolve the dynamic reference to secret {secret_id}: {error}", 400
        ) from None
    value = secret.get("SecretString")
    if value is None:
        raise _cfn_error(resource, f"Secret {secret_id} holds no SecretString", 400)
    if json_key:
        try:
            value = json.loads(value)[json_key]
        except (ValueError, KeyError, TypeError):
            raise _cfn_error(
                resource, f"Secret {secret_id} has no JSON key {json_key}", 400
            ) from None
    return str(value)


def _check_campaign(
    properties: dict[str, Any], campaign_id: str, account_id: str, region: str
) -> str:
    """Pinpoint's checks at CreateCampaign/UpdateCampaign; returns the application id."""
    app_id = _require_app(properties.get("ApplicationId"), account_id, region, "Campaign")
    for required in ("Name", "SegmentId", "Schedule"):
        if not properties.get(required):
            raise _cfn_error("Campaign", f"Property {required} is required", 400)
    if not properties["Schedule"].get("StartTime"):
        raise _cfn_error("Campaign", "Schedule.StartTime is required", 400)
    segment = _store(account_id, region).segments.get(properties["SegmentId"])
    if segment is None or segment.application_id != app_id:
        raise _cfn_error("Campaign", f"Segment {properties['SegmentId']} not found")
    arn = _campaign_arn(app_id, campaign_id, account_id, region)
    treatments = [properties, *properties.get("AdditionalTreatments", [])]
    for treatment in treatments:
        delivery = treatment.get("CustomDeliveryConfiguration")
        custom = treatment.get("MessageConfiguration", {}).get("CustomMessage")
        if custom is not None and delivery is None:
            raise _cfn_error("Campaign", "CustomDeliveryConfiguration is required", 400)
        if delivery is None:
            continue
        uri = delivery.get("DeliveryUri")
        if not uri:
            raise _cfn_error("Campaign", "CustomDeliveryConfiguration.DeliveryUri is required", 400)
        if custom is not None and not delivery.get("EndpointTypes"):
            raise _cfn_error("Campaign", "EndpointTypes is required with a CustomMessage", 400)
        if str(uri).startswith("https://"):
            if not _WEBHOOK.match(uri):
                raise _cfn_error("Campaign", f"Invalid webhook URL {uri}", 400)
        else:
            _check_invoke_permission(uri, arn, account_id, region)
    return app_id


def _campaign_arn(app_id: str, campaign_id: str, account_id: str, region: str) -> str:
    return (
        f"arn:{get_partition(region)}:mobiletargeting:{region}:{account_id}"
        f":apps/{app_id}/campaigns/{campaign_id}"
    )


def _check_invoke_permission(uri: str, campaign_arn: str, account_id: str, region: str) -> None:
    """Pinpoint may invoke the function only if its resource policy lets it, for this campaign."""
    parts = uri.split(":")
    if uri.startswith("arn:"):
        if len(parts) < 7 or parts[2] != "lambda":
            raise _cfn_error("Campaign", f"Invalid DeliveryUri {uri}", 400)
        name, qualifier = parts[6], (parts[7] if len(parts) > 7 else None)
    else:
        name, qualifier = uri, None
    # The backend in use: moto keeps functions elsewhere when Lambda runs without Docker.
    backend = lambda_utils.get_backend(account_id, region)
    try:
        policy = json.loads(json.loads(backend.get_policy(name, qualifier))["Policy"])
    except JsonRESTError:  # no such function or no policy: the same refusal from Pinpoint
        policy = {"Statement": []}
    principal = f"pinpoint.{region}.amazonaws.com"
    for statement in policy["Statement"]:
        actions = statement.get("Action")
        actions = [actions] if isinstance(actions, str) else actions or []
        service = (statement.get("Principal") or {}).get("Service")
        if statement.get("Effect") != "Allow" or service != principal:
            continue
        if not {"lambda:InvokeFunction", "lambda:*"} & set(actions):
            continue
        if _conditions_hold(statement.get("Condition") or {}, campaign_arn, account_id):
            return
    raise _cfn_error(
        "Campaign",
        f"Amazon Pinpoint can't invoke {uri}: its resource policy has no lambda:InvokeFunction "
        f"statement for principal {principal} that matches SourceArn {campaign_arn}",
        400,
    )


def _conditions_hold(condition: dict[str, Any], source_arn: str, account_id: str) -> bool:
    context = {"aws:sourcearn": source_arn, "aws:sourceaccount": account_id}
    for operator, tests in condition.items():
        for key, wanted in tests.items():
            values = [wanted] if isinstance(wanted, str) else list(wanted)
            actual = context.get(key.lower())
            if actual is None:
                return False
            if operator in ("ArnLike", "StringLike"):
                ok = any(fnmatch.fnmatchcase(actual, v) for v in values)
            elif operator in ("ArnEquals", "StringEquals"):
                ok = actual in values
            else:
                return False
            if not ok:
                return False
    return True


class _PinpointCfnMixin:
    """Shared CloudFormation plumbing of the two Pinpoint resources.

    A mixin: moto finds resource types through CloudFormationModel.__subclasses__(), which
    lists direct subclasses only.
    """

    #: Fn::GetAtt names: the resource's id (also what Ref returns) and "Arn".
    attributes: ClassVar[tuple[str, str]]
    arn: str

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""  # the physical id is generated, never taken from a property

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.attributes

    @property
    def physical_resource_id(self) -> str:
        raise NotImplementedError

    def is_created(self) -> bool:
        return True

    def get_cfn_attribute(self, attribute_name: str) -> str:
        id_attribute, arn_attribute = self.attributes
        if attribute_name == id_attribute:
            return self.physical_resource_id
        if attribute_name == arn_attribute:
            return self.arn
        raise UnformattedGetAttTemplateException()


class _SegmentModel(_PinpointCfnMixin, CloudFormationModel):
    attributes = ("SegmentId", "Arn")

    def __init__(self, segment: PinpointSegment) -> None:
        self.segment = segment
        self.arn = segment.arn

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Pinpoint::Segment"

    @property
    def physical_resource_id(self) -> str:
        return self.segment.segment_id  # Ref returns the SegmentId

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> _SegmentModel:
        properties = cloudformation_json["Properties"]
        return cls(_create_segment_record(properties, account_id, region_name))

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _SegmentModel,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> _SegmentModel:
        properties = cloudformation_json["Properties"]
        segment = original_resource.segment
        if properties.get("ApplicationId") != segment.application_id:  # replacement
            new = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return new
        if not properties.get("Name"):
            raise _cfn_error("Segment", "Property Name is required", 400)
        segment.properties = copy.deepcopy(properties)
        segment.version += 1
        segment.last_modified_date = _iso_now()
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        store = _store(account_id, region_name)
        with store.lock:
            store.segments.pop(resource_name, None)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.physical_resource_id, {}, account_id, region_name)


class _CampaignModel(_PinpointCfnMixin, CloudFormationModel):
    attributes = ("CampaignId", "Arn")

    def __init__(self, campaign: PinpointCampaign) -> None:
        self.campaign = campaign
        self.arn = campaign.arn

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Pinpoint::Campaign"

    @property
    def physical_resource_id(self) -> str:
        return self.campaign.campaign_id  # Ref returns the CampaignId

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> _CampaignModel:
        properties = _resolve_dynamic_references(
            cloudformation_json["Properties"], account_id, region_name, "Campaign"
        )
        campaign_id = _new_id()
        app_id = _check_campaign(properties, campaign_id, account_id, region_name)
        campaign = PinpointCampaign(
            campaign_id,
            app_id,
            _campaign_arn(app_id, campaign_id, account_id, region_name),
            copy.deepcopy(properties),
        )
        store = _store(account_id, region_name)
        with store.lock:
            store.campaigns[campaign_id] = campaign
        return cls(campaign)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _CampaignModel,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> _CampaignModel:
        properties = _resolve_dynamic_references(
            cloudformation_json["Properties"], account_id, region_name, "Campaign"
        )
        campaign = original_resource.campaign
        if properties.get("ApplicationId") != campaign.application_id:  # replacement
            new = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return new
        _check_campaign(properties, campaign.campaign_id, account_id, region_name)
        campaign.properties = copy.deepcopy(properties)
        campaign.version += 1
        campaign.last_modified_date = _iso_now()
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        store = _store(account_id, region_name)
        with store.lock:
            store.campaigns.pop(resource_name, None)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.physical_resource_id, {}, account_id, region_name)


################################################################################
# Pinpoint REST routes: GetSegment(s), GetCampaign(s)
################################################################################


def _rest_get_segments(self: PinpointResponse) -> str:
    app_id = _rest_app_id(self)
    return json.dumps({"Item": segments(self.current_account, self.region, app_id)})


def _rest_get_segment(self: PinpointResponse) -> str:
    app_id = _rest_app_id(self)
    segment_id = unquote(self.path.rstrip("/").split("/")[-1])
    for segment in segments(self.current_account, self.region, app_id):
        if segment["Id"] == segment_id:
            return json.dumps(segment)
    raise _NotFound("Segment not found")


def _rest_get_campaigns(self: PinpointResponse) -> str:
    app_id = _rest_app_id(self)
    return json.dumps({"Item": campaigns(self.current_account, self.region, app_id)})


def _rest_get_campaign(self: PinpointResponse) -> str:
    app_id = _rest_app_id(self)
    campaign_id = unquote(self.path.rstrip("/").split("/")[-1])
    for campaign in campaigns(self.current_account, self.region, app_id):
        if campaign["Id"] == campaign_id:
            return json.dumps(campaign)
    raise _NotFound("Campaign not found")


def _rest_app_id(self: PinpointResponse) -> str:
    app_id = unquote(self.path.split("/v1/apps/", 1)[1].split("/", 1)[0])
    self.pinpoint_backend.get_app(app_id)  # NotFoundException for an unknown application
    return app_id


################################################################################
# The patches
################################################################################

_installed = False
_install_lock = threading.Lock()


def install_patches() -> None:
    """Apply every fix below to moto, once per process (idempotent, thread safe)."""
    global _installed  # noqa: PLW0603 - one-time process-wide installation
    with _install_lock:
        if _installed:
            return
        _patch_pinpoint_dates()
        _patch_lambda_logging_config()
        _register_pinpoint_cloudformation_models()
        _add_pinpoint_read_routes()
        local_pinpoint.register()  # Pinpoint endpoints: GetEndpoint and the calls that put them
        _serve_qconnect()
        _serve_connect_instance_integrations()
        _serve_customer_profiles()
        _patch_dynamodb_transaction_backups()
        _installed = True


class _TransactionCopy:
    """moto.dynamodb.models' `copy` module, except that while a transaction runs
    (`_in_transaction`), a Table is not deep-copied: its backup is the few records the
    transaction writes (_patch_dynamodb_transaction_backups)."""

    def __init__(self) -> None:
        self._in_transaction = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if getattr(self._in_transaction, "on", False) and isinstance(value, dynamodb_models.Table):
            return value
        return copy.deepcopy(value, memo)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self._in_transaction.on = True
        try:
            yield
        finally:
            self._in_transaction.on = False


def _patch_dynamodb_transaction_backups() -> None:
    # Why: TransactWriteItems backs up each table it touches by deep-copying the whole table
    # once per action, to roll back a cancelled transaction. The channel's ledger claims and
    # settles a batch in one 50-action transaction, so on a table of a few thousand records
    # (the demo's) each call took seconds, past the ledger's 1 s limit. Back up the records
    # the actions name instead, and put exactly those back when the transaction fails.
    proxy = _TransactionCopy()
    dynamodb_models.copy = proxy  # type: ignore[assignment]
    original = dynamodb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
        for action in transact_items:
            for op in action.values():
                table = self.tables.get(op.get("TableName")) if isinstance(op, dict) else None
                if table is None:
                    continue
                key = op.get("Key") or {
                    name: op.get("Item", {}).get(name)
                    for name in (table.hash_key_attr, table.range_key_attr)
                    if name is not None
                }
                if any(value is None for value in key.values()):
                    continue
                current = self.get_item(op["TableName"], key)
                before = copy.deepcopy(current.to_json()["Attributes"]) if current else None
                saved.append((op["TableName"], key, before))
        try:
            with proxy.transaction():
                original(self, transact_items)
        except Exception:
            for table_name, key, before in reversed(saved):
                if before is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, before)
            raise

    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _patch_pinpoint_dates() -> None:
    # Why: the provider's Go SDK reads CreationDate as a string and rejects moto's float.
    original = pinpoint_models.App.to_json

    def to_json(self: pinpoint_models.App) -> dict[str, Any]:
        data = original(self)
        created = data.get("CreationDate")
        if isinstance(created, int | float):
            data["CreationDate"] = _iso(dt.datetime.fromtimestamp(created, dt.UTC))
        return data

    pinpoint_models.App.to_json = to_json  # type: ignore[method-assign]


def _default_logging_config(function_name: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """LoggingConfig with Lambda's defaults filled in (Text format, /aws/lambda/<name>)."""
    config = dict(given or {})
    config.setdefault("LogFormat", "Text")
    config.setdefault("LogGroup", f"/aws/lambda/{function_name}")
    if config["LogFormat"] == "JSON":
        config.setdefault("ApplicationLogLevel", "INFO")
        config.setdefault("SystemLogLevel", "INFO")
    else:
        config.pop("ApplicationLogLevel", None)
        config.pop("SystemLogLevel", None)
    return config


def _patch_lambda_logging_config() -> None:
    # Why: moto drops LoggingConfig, so every plan after an apply shows drift on logging_config.
    function_class = lambda_models.LambdaFunction
    original_init = function_class.__init__
    original_get = function_class.get_configuration
    original_update = function_class.update_configuration

    def __init__(self: Any, account_id: str, spec: dict[str, Any], *args: Any, **kw: Any) -> None:
        original_init(self, account_id, spec, *args, **kw)
        self.logging_config = _default_logging_config(self.function_name, spec.get("LoggingConfig"))

    def get_configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
        config = original_get(self, on_create)
        config["LoggingConfig"] = copy.deepcopy(
            getattr(self, "logging_config", None)
            or _default_logging_config(self.function_name, None)
        )
        return config

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "LoggingConfig" in config_updates:
            self.logging_config = _default_logging_config(
                self.function_name, config_updates["LoggingConfig"]
            )
        return original_update(self, config_updates)

    function_class.__init__ = __init__  # type: ignore[method-assign]
    function_class.get_configuration = get_configuration  # type: ignore[method-assign]
    function_class.update_configuration = update_configuration  # type: ignore[method-assign]


def _register_pinpoint_cloudformation_models() -> None:
    # Why: moto's CloudFormation skips AWS::Pinpoint::* and fails (500) on Fn::GetAtt of them.
    # The two classes above are CloudFormationModel subclasses, so they are registered by
    # existing; moto caches the subclass list, so the caches are cleared to include them.
    for cached in (
        cfn_parsing.get_model_list,
        cfn_parsing.get_model_map,
        cfn_parsing.get_name_type_map,
    ):
        cached.cache_clear()
    registered = cfn_parsing.get_model_map()
    for model in (_SegmentModel, _CampaignModel):
        if registered.get(model.cloudformation_type()) is not model:
            raise RuntimeError(f"moto did not register {model.cloudformation_type()}")


def _add_pinpoint_read_routes() -> None:
    # Why: moto's Pinpoint has no segments or campaigns; another process (a local campaign
    # runner) reads the campaign definitions through the ordinary Pinpoint API.
    app = "{0}/v1/apps/(?P<app_id>[^/]+)"
    pinpoint_urls.url_paths.update(
        {
            f"{app}/segments$": PinpointResponse.dispatch,
            f"{app}/segments/(?P<segment_id>[^/]+)$": PinpointResponse.dispatch,
            f"{app}/campaigns$": PinpointResponse.dispatch,
            f"{app}/campaigns/(?P<campaign_id>[^/]+)$": PinpointResponse.dispatch,
        }
    )
    PinpointResponse.get_segments = _rest_get_segments  # type: ignore[attr-defined]
    PinpointResponse.get_segment = _rest_get_segment  # type: ignore[attr-defined]
    PinpointResponse.get_campaigns = _rest_get_campaigns  # type: ignore[attr-defined]
    PinpointResponse.get_campaign = _rest_get_campaign  # type: ignore[attr-defined]


def _serve_qconnect() -> None:
    # Why: moto has no qconnect; the channel reads Connect's message templates through it.
    local_qconnect.register()


def _serve_connect_instance_integrations() -> None:
    # Why: moto's connectcampaigns is v1; the module's connect.register runs v2's
    # PutConnectInstanceIntegration / DeleteConnectInstanceIntegration through the AWS CLI.
    local_connectcampaigns.register()


def _serve_customer_profiles() -> None:
    # Why: moto has no customer-profiles; a journey reads its profiles from a domain, and the
    # channel writes an opt-out back with UpdateProfile.
    local_customerprofiles.register()


################################################################################
# The server
################################################################################


class LocalAws:
    """moto on 127.0.0.1 (a free port unless one is given), patched for this module.

    Use as a context manager, or call `start()` and `stop()`.
    """

    def __init__(
        self,
        region: str = DEFAULT_REGION,
        host: str = "127.0.0.1",
        port: int = 0,
        quiet: bool = True,
    ) -> None:
        self.region = region
        self.account_id = DEFAULT_ACCOUNT_ID
        self._host = host
        self._port = port
        self._quiet = quiet
        self._server: ThreadedMotoServer | None = None
        self._endpoint: str | None = None
        self._previous_lambda_config: Any = None

    def start(self) -> Self:
        if self._server is not None:
            return self
        if self._port:
            # moto binds in its server thread and, when that fails, start() waits forever:
            # a port in use fails here instead (with the same SO_REUSEADDR as werkzeug's).
            with socket.socket() as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((self._host, self._port))
        install_patches()
        # Why: Lambda without Docker: Invoke echoes the payload instead of pulling an image.
        # (Process-wide moto setting; stop() puts the previous one back.)
        self._previous_lambda_config = default_user_config.get("lambda")
        default_user_config["lambda"] = {"use_docker": False}
        if self._quiet:
            logging.getLogger("werkzeug").setLevel(logging.ERROR)  # per-request access log
        server = ThreadedMotoServer(ip_address=self._host, port=self._port, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        self._server = server
        self._endpoint = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
            if self._previous_lambda_config is not None:
                default_user_config["lambda"] = self._previous_lambda_config

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        """http://127.0.0.1:<port>, the single endpoint of every service."""
        if self._endpoint is None:
            raise RuntimeError("LocalAws is not started")
        return self._endpoint

    @property
    def env(self) -> dict[str, str]:
        """Environment for boto3 / the AWS CLI / Terraform: fake credentials, region, endpoint."""
        return {
            **_FAKE_CREDENTIALS,
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ENDPOINT_URL": self.endpoint_url,
        }

    def client(self, service: str) -> Any:
        """A boto3 client of `service` on the local endpoint."""
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=_FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=_FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def provider_block(self, services: tuple[str, ...] = TERRAFORM_SERVICES) -> str:
        """A `provider "aws"` block that sends every service of the module to this server."""
        width = max(len(s) for s in services)
        endpoints = "\n".join(f'    {s.ljust(width)} = "{self.endpoint_url}"' for s in services)
        return f"""provider "aws" {{
  region     = "{self.region}"
  access_key = "{_FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]}"
  secret_key = "{_FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]}"

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = false # moto's STS answers GetCallerIdentity
  s3_use_path_style           = true
  max_retries                 = 3 # a dropped connection is retried; a moto 500 fails in seconds

  endpoints {{
{endpoints}
  }}
}}
"""

    def reset(self) -> None:
        """Forget every resource (moto's reset: all services, accounts and regions)."""
        requests.post(f"{self.endpoint_url}/moto-api/reset", timeout=30).raise_for_status()

    def campaigns(self, application_id: str | None = None) -> list[dict[str, Any]]:
        """The campaigns held by this local AWS (see the module function `campaigns`)."""
        return campaigns(self.account_id, self.region, application_id)

    def segments(self, application_id: str | None = None) -> list[dict[str, Any]]:
        """The segments held by this local AWS (see the module function `segments`)."""
        return segments(self.account_id, self.region, application_id)

    def put_message_template(
        self,
        knowledge_base_id: str,
        name: str,
        channel_subtype: str,
        content: Mapping[str, Any],
        *,
        activate: bool = True,
        default_attributes: Mapping[str, Any] | None = None,
    ) -> str:
        """Author a Connect message template here, a new version of it if the name exists;
        returns its id (see the module function `put_message_template`). Read it back with
        `client("qconnect").get_message_template(...)`."""
        return put_message_template(
            knowledge_base_id,
            name,
            channel_subtype,
            content,
            account_id=self.account_id,
            region=self.region,
            activate=activate,
            default_attributes=default_attributes,
        )

    def capture_events(
        self,
        *,
        bus: str = "default",
        source: str = "custom-delivery-channel",
        pattern: Mapping[str, Any] | None = None,
    ) -> EventCapture:
        """Read back what is published to `bus` from now on (see EventCapture)."""
        return EventCapture(self, bus=bus, source=source, pattern=pattern)


class EventCapture:
    """What was published to an EventBridge bus of the local AWS, read back.

    moto's EventBridge delivers PutEvents entries to the targets of the rules they match, an
    SQS queue among them (checked: tests/test_local_customerprofiles.py). This makes a queue
    and a rule on `bus` (a name or ARN; the bus must exist: `default` always does) whose
    pattern is `pattern` (EventBridge's event pattern; by default every event whose source is
    `source`), with the queue as its target; `wait_for` returns the events delivered, each as
    EventBridge delivers it (`id`, `source`, `detail-type`, `time`, `region`, `resources`,
    `detail` as an object). Events published before the capture existed are not seen.
    """

    def __init__(
        self,
        aws: LocalAws,
        *,
        bus: str = "default",
        source: str = "custom-delivery-channel",
        pattern: Mapping[str, Any] | None = None,
    ) -> None:
        self.bus = bus
        self.events: list[dict[str, Any]] = []
        self._sqs = aws.client("sqs")
        name = f"captured-events-{uuid.uuid4().hex[:16]}"
        self.queue_url: str = self._sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = self._sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        events = aws.client("events")
        events.put_rule(
            Name=name,
            EventBusName=bus,
            EventPattern=json.dumps(dict(pattern) if pattern else {"source": [source]}),
        )
        events.put_targets(
            Rule=name, EventBusName=bus, Targets=[{"Id": "captured", "Arn": queue_arn}]
        )

    def wait_for(self, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Every event delivered so far, once there are at least `count` (or `timeout`
        seconds passed: then fewer)."""
        give_up_at = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < give_up_at:
            answer = self._sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
            )
            for message in answer.get("Messages", []):
                self.events.append(json.loads(message["Body"]))
                self._sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return list(self.events)


class _OneLineParser(argparse.ArgumentParser):
    """Bad input answered with one line on stderr and exit 2."""

    def error(self, message: str) -> Any:
        self.exit(2, f"{self.prog}: error: {message}\n")


def banner(local_aws: LocalAws, terraformrc: str | None = None) -> str:
    """What the manual mode prints: the endpoint, the shell's exports (the Terraform CLI
    configuration when given, and AWS_ENDPOINT_URL for the AWS CLI and boto3), and the
    provider block for a root module."""
    exports = [f"export TF_CLI_CONFIG_FILE={terraformrc}"] if terraformrc else []
    exports.append(f"export AWS_ENDPOINT_URL={local_aws.endpoint_url}")
    return (
        f"local AWS on {local_aws.endpoint_url} (Ctrl-C stops it)\n"
        "\n# In your shell:\n" + "\n".join(exports) + "\n"
        '\n# In your root module, in place of its provider "aws" block '
        "(fake credentials, every service the module calls sent here):\n"
        + local_aws.provider_block()
    )


def main(argv: list[str] | None = None) -> int:
    """Serve the local AWS until Ctrl-C (or SIGTERM); print its endpoint and a provider block."""
    parser = _OneLineParser(
        prog="python emulator/local_aws.py",
        description="Serve the project's local AWS (moto, patched for this module) on "
        "127.0.0.1 until Ctrl-C; print its endpoint and a Terraform provider block for it.",
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--region", default=DEFAULT_REGION, help=f"region ({DEFAULT_REGION})")
    parser.add_argument(
        "--terraformrc",
        metavar="PATH",
        help="also print `export TF_CLI_CONFIG_FILE=PATH`: the Terraform CLI configuration "
        "to plan with (`make local-aws` passes tools/terraformrc.py's, the offline provider "
        "mirror)",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be 0 to 65535")
    stop = threading.Event()
    # SIGTERM (a service manager, `kill`) ends it as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        local_aws = LocalAws(region=args.region, host=args.host, port=args.port).start()
    except OSError as error:  # the port is taken, the address is not this machine's
        sys.stderr.write(f"cannot serve on {args.host}:{args.port}: {error.strerror}\n")
        return 2
    try:
        sys.stdout.write(banner(local_aws, args.terraformrc))
        sys.stdout.flush()
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        local_aws.stop()
    return 0

"""The local AWS's Amazon Q in Connect (emulator/local_qconnect.py): Connect-authored message
templates, read back with GetMessageTemplate by real boto3 clients and checked against
botocore's model."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from emulator.local_aws import LocalAws, put_message_template
from emulator.service_model import validation_errors

REGION = "us-east-1"
ACCOUNT = "123456789012"
SMS = {"sms": {"body": {"plainText": {"content": "Hi {{Attributes.Customer.FirstName}}!"}}}}
EMAIL = {
    "email": {
        "subject": "Welcome, {{Attributes.Customer.FirstName}}",
        "body": {
            "plainText": {"content": "Your plan: {{Attributes.Customer.Attributes.plan}}"},
            "html": {"content": "<p>Your plan: {{Attributes.Customer.Attributes.plan}}</p>"},
        },
    }
}
DEFAULTS = {"customerProfileAttributes": {"firstName": "there"}}


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with LocalAws(region=REGION) as local:
        yield local


@pytest.fixture(scope="module")
def qconnect(aws: LocalAws) -> Any:
    return aws.client("qconnect")


@pytest.fixture
def kb() -> str:
    """A knowledge base of its own for each test (it exists once a template is put in it)."""
    return str(uuid.uuid4())


def sms(text: str) -> dict[str, Any]:
    return {"sms": {"body": {"plainText": {"content": text}}}}


def get(qconnect: Any, kb: str, template_id: str) -> dict[str, Any]:
    response = dict(
        qconnect.get_message_template(knowledgeBaseId=kb, messageTemplateId=template_id)
    )
    response.pop("ResponseMetadata")
    # The answer botocore parsed holds to the operation's output shape.
    output = qconnect.meta.service_model.operation_model("GetMessageTemplate").output_shape
    report = ParamValidator().validate(response, output)
    assert not report.has_errors(), report.generate_report()
    assert validation_errors(response, output) == []
    template: dict[str, Any] = response["messageTemplate"]
    return template


def error_of(call: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def raw_get(aws: LocalAws, kb: str, template_id: str) -> requests.Response:
    """GetMessageTemplate as plain HTTP, past any check of the SDK's (moto does not verify
    signatures; it routes by the credential scope's service)."""
    scope = f"testing/20260101/{REGION}/wisdom/aws4_request"
    return requests.get(
        f"{aws.endpoint_url}/knowledgeBases/{kb}/messageTemplates/{template_id}",
        headers={
            "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"
        },
        timeout=10,
    )


# --- reading templates, by qualifier -----------------------------------------------------------


def test_a_template_reads_back_by_id_active_version_and_version_number(
    aws: LocalAws, qconnect: Any, kb: str
) -> None:
    template_id = aws.put_message_template(kb, "Welcome Message", "SMS", SMS)
    assert uuid.UUID(template_id).version == 4
    plain = get(qconnect, kb, template_id)
    active = get(qconnect, kb, f"{template_id}:$ACTIVE_VERSION")
    first = get(qconnect, kb, f"{template_id}:1")
    latest = get(qconnect, kb, f"{template_id}:$LATEST")
    template_arn = f"arn:aws:wisdom:{REGION}:{ACCOUNT}:message-template/{kb}/{template_id}"
    # No qualifier is $LATEST: the template itself, without a version.
    assert plain == latest
    assert plain["messageTemplateArn"] == template_arn
    assert "versionNumber" not in plain
    assert "isActive" not in plain
    for version in (active, first):
        assert version["messageTemplateArn"] == f"{template_arn}:1"
        assert version["versionNumber"] == 1
        assert version["isActive"] is True
    for template in (plain, active, first):
        assert template["messageTemplateId"] == template_id
        assert template["knowledgeBaseId"] == kb
        assert template["knowledgeBaseArn"] == (
            f"arn:aws:wisdom:{REGION}:{ACCOUNT}:knowledge-base/{kb}"
        )
        assert template["name"] == "Welcome Message"
        assert template["channelSubtype"] == "SMS"
        assert template["content"] == SMS
        assert template["lastModifiedBy"] == f"arn:aws:iam::{ACCOUNT}:root"
        assert len(template["messageTemplateContentSha256"]) == 64
        assert isinstance(template["createdTime"], dt.datetime)
        assert isinstance(template["lastModifiedTime"], dt.datetime)
        assert "defaultAttributes" not in template


def test_latest_is_a_new_unactivated_version_while_the_active_one_stays(
    aws: LocalAws, qconnect: Any, kb: str
) -> None:
    template_id = aws.put_message_template(kb, "Renewal", "SMS", sms("v1 {{x}}"))
    again = aws.put_message_template(kb, "Renewal", "SMS", sms("v2 {{x}}"), activate=False)
    assert again == template_id  # the same name: the same template, a new version
    latest = get(qconnect, kb, f"{template_id}:$LATEST")
    active = get(qconnect, kb, f"{template_id}:$ACTIVE_VERSION")
    second = get(qconnect, kb, f"{template_id}:2")
    assert latest["content"] == second["content"] == sms("v2 {{x}}")
    assert active["content"] == sms("v1 {{x}}")
    assert (active["versionNumber"], active["isActive"]) == (1, True)
    assert (second["versionNumber"], second["isActive"]) == (2, False)
    assert second["messageTemplateArn"].endswith(f"/{template_id}:2")
    assert active["messageTemplateContentSha256"] != second["messageTemplateContentSha256"]
    assert latest["messageTemplateContentSha256"] == second["messageTemplateContentSha256"]
    # A third version, activated: it is the active one, and version 1 no longer is.
    aws.put_message_template(kb, "Renewal", "SMS", sms("v3 {{x}}"))
    assert get(qconnect, kb, f"{template_id}:$ACTIVE_VERSION")["versionNumber"] == 3
    assert get(qconnect, kb, f"{template_id}:1")["isActive"] is False


def test_an_email_template_keeps_its_subject_bodies_and_default_attributes(
    aws: LocalAws, qconnect: Any, kb: str
) -> None:
    template_id = aws.put_message_template(
        kb, "Welcome email", "EMAIL", EMAIL, default_attributes=DEFAULTS
    )
    template = get(qconnect, kb, f"{template_id}:$ACTIVE_VERSION")
    assert template["channelSubtype"] == "EMAIL"
    assert template["content"] == EMAIL
    assert template["defaultAttributes"] == DEFAULTS


def test_the_ids_may_be_arns(aws: LocalAws, qconnect: Any, kb: str) -> None:
    template_id = aws.put_message_template(kb, "By ARN", "SMS", SMS)
    kb_arn = f"arn:aws:wisdom:{REGION}:{ACCOUNT}:knowledge-base/{kb}"
    template_arn = f"arn:aws:wisdom:{REGION}:{ACCOUNT}:message-template/{kb}/{template_id}"
    template = get(qconnect, kb_arn, f"{template_arn}:$ACTIVE_VERSION")
    assert template["messageTemplateId"] == template_id
    assert template["versionNumber"] == 1


# --- errors, as qconnect's ---------------------------------------------------------------------


def test_unknown_knowledge_bases_templates_and_versions_are_not_found(
    aws: LocalAws, qconnect: Any, kb: str
) -> None:
    template_id = aws.put_message_template(kb, "Draft only", "SMS", SMS, activate=False)
    other_kb = str(uuid.uuid4())
    for knowledge_base, template, expected in (
        (other_kb, template_id, f"Knowledge base {other_kb} not found"),
        (kb, str(uuid.uuid4()), "not found"),
        (kb, f"{template_id}:$ACTIVE_VERSION", "has no active version"),
        (kb, f"{template_id}:2", "has no version 2"),
    ):
        status, code, message = error_of(
            lambda k=knowledge_base, t=template: qconnect.get_message_template(
                knowledgeBaseId=k, messageTemplateId=t
            )
        )
        assert (status, code) == (404, "ResourceNotFoundException"), template
        assert expected in message
    # The draft itself, and its version 1, exist.
    assert get(qconnect, kb, template_id)["content"] == SMS
    assert get(qconnect, kb, f"{template_id}:1")["isActive"] is False


@pytest.mark.parametrize(
    ("knowledge_base", "template", "field"),
    [
        ("kb", "{template}", "knowledgeBaseId"),
        ("{kb}", "welcome", "messageTemplateId"),
        ("{kb}", "{TEMPLATE}", "messageTemplateId"),  # upper case: not the Uuid pattern
        ("{kb}", "{template}:active", "messageTemplateId"),  # a qualifier is [A-Z0-9_$]+
    ],
)
def test_ids_off_the_models_patterns_are_a_validation_exception(
    aws: LocalAws, qconnect: Any, kb: str, knowledge_base: str, template: str, field: str
) -> None:
    """botocore checks no pattern before sending: the server's own check answers."""
    template_id = aws.put_message_template(kb, "Patterns", "SMS", SMS)
    ids = {"kb": kb, "template": template_id, "TEMPLATE": template_id.upper()}
    knowledge_base, template = knowledge_base.format(**ids), template.format(**ids)
    status, code, message = error_of(
        lambda: qconnect.get_message_template(
            knowledgeBaseId=knowledge_base, messageTemplateId=template
        )
    )
    assert (status, code) == (400, "ValidationException")
    assert message.startswith("1 validation error detected: ")
    assert f"at '{field}' failed to satisfy constraint" in message
    raw = raw_get(aws, knowledge_base, template)
    assert raw.status_code == 400
    assert raw.headers["x-amzn-ErrorType"] == "ValidationException"
    assert raw.json()["message"] == message


@pytest.mark.parametrize("qualifier", ["$FOO", "0", "$LATEST_VERSION", "01"])
def test_a_qualifier_that_names_no_version_is_a_validation_exception(
    aws: LocalAws, kb: str, qualifier: str
) -> None:
    template_id = aws.put_message_template(kb, "Qualifiers", "SMS", SMS)
    raw = raw_get(aws, kb, f"{template_id}:{qualifier}")
    assert raw.status_code == 400
    assert raw.headers["x-amzn-ErrorType"] == "ValidationException"
    assert "Invalid qualifier" in raw.json()["message"]


def test_the_raw_answer_is_rest_json_with_iso_8601_times(aws: LocalAws, kb: str) -> None:
    template_id = aws.put_message_template(kb, "Raw", "SMS", SMS)
    raw = raw_get(aws, kb, f"{template_id}:%24ACTIVE_VERSION")
    assert raw.status_code == 200
    assert raw.headers["Content-Type"].startswith("application/json")
    template = raw.json()["messageTemplate"]
    for stamp in ("createdTime", "lastModifiedTime"):
        assert dt.datetime.fromisoformat(template[stamp]).tzinfo is not None
    assert template["versionNumber"] == 1


def test_operations_it_does_not_serve_say_so(aws: LocalAws, qconnect: Any, kb: str) -> None:
    template_id = aws.put_message_template(kb, "Unserved", "SMS", SMS)
    status, _, message = error_of(
        lambda: qconnect.delete_message_template(knowledgeBaseId=kb, messageTemplateId=template_id)
    )
    assert status == 501
    assert message == "The local AWS does not serve qconnect DeleteMessageTemplate"
    assert get(qconnect, kb, template_id)["name"] == "Unserved"


# --- authoring -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "subtype", "content", "problem"),
    [
        ("Bad channel", "FAX", SMS, "channelSubtype"),
        ("Wrong content", "EMAIL", SMS, "a EMAIL template's content is {'email': ...}"),
        ("Two channels", "SMS", {**SMS, **EMAIL}, "tagged union"),
        ("Unknown field", "SMS", {"sms": {"text": "hi"}}, "Unknown parameter"),
        ("", "SMS", SMS, "name"),
        ("!nope", "SMS", SMS, "regular expression pattern"),
    ],
)
def test_a_template_off_the_model_is_refused(
    aws: LocalAws, kb: str, name: str, subtype: str, content: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValueError, match="invalid message template") as raised:
        aws.put_message_template(kb, name, subtype, content)
    assert problem in str(raised.value)


def test_a_knowledge_base_id_must_be_a_lowercase_uuid(aws: LocalAws, kb: str) -> None:
    with pytest.raises(ValueError, match="'knowledgeBaseId' failed to satisfy constraint"):
        aws.put_message_template(kb.upper(), "Upper", "SMS", SMS)
    arn = f"arn:aws:wisdom:{REGION}:{ACCOUNT}:knowledge-base/{kb}"  # the model allows it here
    with pytest.raises(ValueError, match="knowledge_base_id must be a lowercase UUID"):
        aws.put_message_template(arn, "By ARN", "SMS", SMS)


def test_a_template_keeps_its_channel(aws: LocalAws, kb: str) -> None:
    aws.put_message_template(kb, "Channel", "SMS", SMS)
    with pytest.raises(ValueError, match="is SMS, not EMAIL"):
        aws.put_message_template(kb, "Channel", "EMAIL", EMAIL)


# --- how clients reach it ------------------------------------------------------------------------


def test_a_plain_client_reaches_it_through_aws_endpoint_url(
    aws: LocalAws, kb: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the function's client does in the function host: no endpoint_url argument."""
    template_id = put_message_template(
        kb, "From the environment", "SMS", SMS, account_id=aws.account_id, region=aws.region
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    client = boto3.session.Session().client("qconnect", region_name=REGION)
    template = get(client, kb, f"{template_id}:$ACTIVE_VERSION")
    assert template["content"] == SMS


def test_each_region_keeps_its_own_templates(aws: LocalAws, kb: str) -> None:
    template_id = put_message_template(kb, "West", "SMS", SMS, region="us-west-2")
    west = boto3.client(
        "qconnect",
        region_name="us-west-2",
        endpoint_url=aws.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert get(west, kb, template_id)["messageTemplateArn"].startswith("arn:aws:wisdom:us-west-2:")
    status, code, _ = error_of(
        lambda: aws.client("qconnect").get_message_template(
            knowledgeBaseId=kb, messageTemplateId=template_id
        )
    )
    assert (status, code) == (404, "ResourceNotFoundException")


def test_reset_forgets_every_template(aws: LocalAws, qconnect: Any, kb: str) -> None:
    template_id = aws.put_message_template(kb, "Forgotten", "SMS", SMS)
    assert get(qconnect, kb, template_id)["name"] == "Forgotten"
    aws.reset()
    status, code, message = error_of(
        lambda: qconnect.get_message_template(knowledgeBaseId=kb, messageTemplateId=template_id)
    )
    assert (status, code) == (404, "ResourceNotFoundException")
    assert f"Knowledge base {kb} not found" in message


def test_moto_knows_the_service_once(aws: LocalAws) -> None:
    """install_patches (run by LocalAws) registered it; registering again changes nothing."""
    from moto import backend_index, backends

    from emulator import local_qconnect

    get_backend = backends.get_backend
    local_qconnect.register()
    assert backends.get_backend is get_backend
    assert backends.get_backend("qconnect") is local_qconnect.qconnect_backends
    assert [name for name, _ in backend_index.backend_url_patterns].count("qconnect") == 1
    assert backends.get_backend("pinpoint") is not local_qconnect.qconnect_backends

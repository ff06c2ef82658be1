"""Amazon Q in Connect message templates for the local AWS (moto has no qconnect).

Connect's message templates (Connect admin website, "Message templates") live in Amazon Q in
Connect: botocore's `qconnect` service (model 2020-10-19, REST-JSON, signing name and
endpoint prefix `wisdom`). This module serves the one call the channel makes,
GetMessageTemplate (`GET /knowledgeBases/{knowledgeBaseId}/messageTemplates/
{messageTemplateId}`), shaped by botocore's model, and lets tests and the demo author
templates in Python (`put_message_template`), as a Connect user would in the console.

It is built like one of moto's own services, so that moto's server routes to it and moto's
reset empties it: a backend per account and region (`QConnectBackend`, in the BackendDict
`qconnect_backends`), a `QConnectResponse` whose action moto finds from the request's method
and path through botocore's model (moto's service router), parameters parsed by moto from the
model, answers and errors serialized by moto from the model (ResourceNotFoundException 404,
ValidationException 400). `register()` puts it in moto's two registries: the URL patterns of
`moto.backend_index` (the server picks a backend from the credential scope's service,
`wisdom`, as `wisdom.<region>.amazonaws.com`) and `moto.backends.get_backend` (backend name
`qconnect`); emulator/local_aws.py calls it from `install_patches()`.

What GetMessageTemplate answers, by the id's qualifier (botocore's documentation of
messageTemplateId: "<message-template-id>:<qualifier>, which is either an actual version
number or an Amazon Q Connect managed qualifier $ACTIVE_VERSION | $LATEST. If it is not
supplied, then $LATEST is assumed implicitly"):

- none or `$LATEST`: the template itself, as last authored (no versionNumber, no isActive);
- `<n>`: version n (its ARN ends in `:<n>`), isActive when it is the active one;
- `$ACTIVE_VERSION`: the active version; ResourceNotFoundException when none is active.

The ids may also be ARNs (the model's UuidOrArn / UuidOrArnOrEitherWithQualifier). Every
request is checked with botocore's ParamValidator against the operation's input shape and with
the model's `pattern`, `enum` and `max` of each string member (which ParamValidator does not
check): a failure is a ValidationException. Each answer is held to the output shape the same
way before it leaves (a mismatch is a bug: HTTP 500). Templates exist in the regions botocore
lists for qconnect.

Not emulated: every other qconnect operation (answered with HTTP 501; templates are
authored with `put_message_template`), knowledge bases as resources (one exists once a
template is put in it), RenderMessageTemplate, attachments, tags.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.model import Shape
from moto import backend_index
from moto import backends as moto_backends
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import ServiceException
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult, BaseResponse
from moto.moto_api._internal import mock_random
from moto.utilities.utils import get_partition

from emulator.service_model import shape, validation_errors

__all__ = [
    "ACTIVE_VERSION",
    "LATEST",
    "SERVICE",
    "SIGNING_NAME",
    "QConnectBackend",
    "QConnectResponse",
    "message_template_arn",
    "put_message_template",
    "qconnect_backends",
    "register",
]

DEFAULT_REGION = "us-east-1"  # emulator.local_aws's
SERVICE = "qconnect"  # botocore's service name, and the backend's name in moto's registry
SIGNING_NAME = "wisdom"  # the credential scope's service, and the endpoint prefix
ACTIVE_VERSION = "$ACTIVE_VERSION"
LATEST = "$LATEST"
SERVED_OPERATIONS = frozenset({"GetMessageTemplate"})
CHANNEL_CONTENT = {"SMS": "sms", "EMAIL": "email", "WHATSAPP": "whatsApp", "PUSH": "push"}

_UUID = re.compile(r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}")
_VERSION = re.compile(r"[1-9][0-9]{0,18}")


def _input_shape(operation: str) -> Shape:
    return shape(SERVICE, operation, "input")


def _output_shape(operation: str) -> Shape:
    return shape(SERVICE, operation, "output")


################################################################################
# Errors, as qconnect names them (the operation's error shapes)
################################################################################


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"

    def __init__(self, message: str, resource_name: str) -> None:
        super().__init__(message)
        self.resourceName = resource_name


class ValidationException(ServiceException):
    code = "ValidationException"


################################################################################
# Templates, per account and region
################################################################################


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _sha256(content: Mapping[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class TemplateVersion:
    number: int
    content: dict[str, Any]
    default_attributes: dict[str, Any] | None
    created: dt.datetime


@dataclass
class MessageTemplate:
    """A template and its versions. The template's own content is $LATEST (the draft)."""

    template_id: str
    knowledge_base_id: str
    name: str
    channel_subtype: str
    content: dict[str, Any]
    default_attributes: dict[str, Any] | None
    created: dt.datetime
    last_modified: dt.datetime
    versions: list[TemplateVersion] = field(default_factory=list)
    active: int | None = None  # the active version's number


def message_template_arn(
    account_id: str, region: str, knowledge_base_id: str, template_id: str, version: int | None
) -> str:
    """`arn:<partition>:wisdom:<region>:<account>:message-template/<kb>/<id>[:<version>]`."""
    arn = (
        f"arn:{get_partition(region)}:wisdom:{region}:{account_id}"
        f":message-template/{knowledge_base_id}/{template_id}"
    )
    return arn if version is None else f"{arn}:{version}"


class QConnectBackend(BaseBackend):
    """The message templates of one account and region, by knowledge base and id."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.knowledge_bases: dict[str, dict[str, MessageTemplate]] = {}
        self.lock = threading.Lock()

    @property
    def _url_module(self) -> Any:
        # moto derives it from the class's module (moto.<service>.models -> .urls); here both
        # live in this module.
        return sys.modules[__name__]

    def knowledge_base_arn(self, knowledge_base_id: str) -> str:
        return (
            f"arn:{self.partition}:wisdom:{self.region_name}:{self.account_id}"
            f":knowledge-base/{knowledge_base_id}"
        )

    def put_message_template(
        self,
        knowledge_base_id: str,
        name: str,
        channel_subtype: str,
        content: Mapping[str, Any],
        *,
        activate: bool = True,
        default_attributes: Mapping[str, Any] | None = None,
    ) -> tuple[str, int]:
        """The template named `name` (created if new) gets this content and a new version;
        returns its id and the version's number."""
        request: dict[str, Any] = {
            "knowledgeBaseId": knowledge_base_id,
            "name": name,
            "channelSubtype": channel_subtype,
            "content": copy.deepcopy(dict(content)),
        }
        if default_attributes is not None:
            request["defaultAttributes"] = copy.deepcopy(dict(default_attributes))
        errors = validation_errors(request, _input_shape("CreateMessageTemplate"))
        if not errors and _UUID.fullmatch(knowledge_base_id) is None:
            errors.append("knowledge_base_id must be a lowercase UUID")
        wanted = CHANNEL_CONTENT.get(channel_subtype)
        if not errors and wanted not in request["content"]:
            errors.append(f"a {channel_subtype} template's content is {{{wanted!r}: ...}}")
        if errors:
            raise ValueError(f"invalid message template {name!r}: {'; '.join(errors)}")
        now = _now()
        with self.lock:
            templates = self.knowledge_bases.setdefault(knowledge_base_id, {})
            template = next((t for t in templates.values() if t.name == name), None)
            if template is None:
                template = MessageTemplate(
                    template_id=str(mock_random.uuid4()),
                    knowledge_base_id=knowledge_base_id,
                    name=name,
                    channel_subtype=channel_subtype,
                    content=request["content"],
                    default_attributes=request.get("defaultAttributes"),
                    created=now,
                    last_modified=now,
                )
                templates[template.template_id] = template
            elif template.channel_subtype != channel_subtype:
                raise ValueError(
                    f"message template {name!r} is {template.channel_subtype}, not "
                    f"{channel_subtype}"
                )
            template.content = request["content"]
            template.default_attributes = request.get("defaultAttributes")
            template.last_modified = now
            version = TemplateVersion(
                number=len(template.versions) + 1,
                content=copy.deepcopy(template.content),
                default_attributes=copy.deepcopy(template.default_attributes),
                created=now,
            )
            template.versions.append(version)
            if activate:
                template.active = version.number
            return template.template_id, version.number

    def get_message_template(
        self, knowledge_base_id: str, message_template_id: str
    ) -> dict[str, Any]:
        """GetMessageTemplate's answer, `{"messageTemplate": ExtendedMessageTemplateData}`."""
        params = {"knowledgeBaseId": knowledge_base_id, "messageTemplateId": message_template_id}
        errors = validation_errors(params, _input_shape("GetMessageTemplate"))
        if errors:
            raise ValidationException(
                f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected: "
                + "; ".join(errors)
            )
        kb_id = _uuid_of(knowledge_base_id)
        template_id, qualifier = _template_id_and_qualifier(message_template_id)
        with self.lock:
            templates = self.knowledge_bases.get(kb_id)
            if templates is None:
                raise ResourceNotFoundException(
                    f"Knowledge base {kb_id} not found", self.knowledge_base_arn(kb_id)
                )
            template = templates.get(template_id)
            if template is None:
                raise ResourceNotFoundException(
                    f"Message template {template_id} not found", template_id
                )
            answer = {"messageTemplate": self._describe(template, qualifier)}
        # Our own answer, held to the model as AWS's would be: a mistake here is a bug (500).
        wrong = validation_errors(answer, _output_shape("GetMessageTemplate"))
        if wrong:
            raise RuntimeError(f"GetMessageTemplate answer off the model: {'; '.join(wrong)}")
        return answer

    def _describe(self, template: MessageTemplate, qualifier: str | None) -> dict[str, Any]:
        version: TemplateVersion | None = None
        if qualifier == ACTIVE_VERSION:
            if template.active is None:
                raise ResourceNotFoundException(
                    f"Message template {template.template_id} has no active version",
                    template.template_id,
                )
            version = template.versions[template.active - 1]
        elif qualifier not in (None, LATEST):
            number = int(str(qualifier))
            if number > len(template.versions):
                raise ResourceNotFoundException(
                    f"Message template {template.template_id} has no version {number}",
                    template.template_id,
                )
            version = template.versions[number - 1]
        content = template.content if version is None else version.content
        defaults = template.default_attributes if version is None else version.default_attributes
        data: dict[str, Any] = {
            "messageTemplateArn": message_template_arn(
                self.account_id,
                self.region_name,
                template.knowledge_base_id,
                template.template_id,
                None if version is None else version.number,
            ),
            "messageTemplateId": template.template_id,
            "knowledgeBaseArn": self.knowledge_base_arn(template.knowledge_base_id),
            "knowledgeBaseId": template.knowledge_base_id,
            "name": template.name,
            "channelSubtype": template.channel_subtype,
            "createdTime": template.created,
            "lastModifiedTime": template.last_modified if version is None else version.created,
            "lastModifiedBy": f"arn:{self.partition}:iam::{self.account_id}:root",
            "content": copy.deepcopy(content),
            "messageTemplateContentSha256": _sha256(content),
        }
        if defaults is not None:
            data["defaultAttributes"] = copy.deepcopy(defaults)
        if version is not None:
            data["isActive"] = version.number == template.active
            data["versionNumber"] = version.number
        return data


def _uuid_of(identifier: str) -> str:
    """The id in an id or an ARN (the last UUID of the ARN's resource)."""
    if not identifier.startswith("arn:"):
        return identifier
    found = _UUID.findall(identifier.split(":", 5)[5])
    return found[-1] if found else identifier


def _template_id_and_qualifier(identifier: str) -> tuple[str, str | None]:
    """The template's id and its qualifier ($ACTIVE_VERSION, $LATEST, a version, or None)."""
    if identifier.startswith("arn:"):
        resource = identifier.split(":", 5)[5]
        resource, _, qualifier = resource.partition(":")
        ids = _UUID.findall(resource)
        template_id = ids[-1] if ids else resource
    else:
        template_id, _, qualifier = identifier.partition(":")
    if not qualifier:
        return template_id, None
    if qualifier not in (ACTIVE_VERSION, LATEST) and _VERSION.fullmatch(qualifier) is None:
        raise ValidationException(
            f"Invalid qualifier {qualifier!r}: a version number, {ACTIVE_VERSION} or {LATEST}"
        )
    return template_id, qualifier


qconnect_backends = BackendDict(QConnectBackend, SERVICE)


def put_message_template(
    knowledge_base_id: str,
    name: str,
    channel_subtype: str,
    content: Mapping[str, Any],
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    activate: bool = True,
    default_attributes: Mapping[str, Any] | None = None,
) -> str:
    """Author a message template as a Connect user would, and publish it: the template named
    `name` in the knowledge base (created, with the knowledge base, if new) gets `content` and
    a new version (1, 2, ...), made the active one if `activate`. Returns the template's id.

    `content` is qconnect's MessageTemplateContentProvider, for example
    `{"sms": {"body": {"plainText": {"content": "Hi {{Attributes.Customer.FirstName}}"}}}}` or
    `{"email": {"subject": "...", "body": {"plainText": {"content": "..."},
    "html": {"content": "..."}}}}`; `default_attributes` its MessageTemplateAttributes. Both
    are checked against botocore's model (CreateMessageTemplate): ValueError if wrong. The
    template lives in `account_id` and `region` of the local AWS (moto's default account).
    """
    backend = qconnect_backends[account_id][region]
    template_id, _ = backend.put_message_template(
        knowledge_base_id,
        name,
        channel_subtype,
        content,
        activate=activate,
        default_attributes=default_attributes,
    )
    return template_id


################################################################################
# The REST front
################################################################################


class QConnectResponse(BaseResponse):
    """qconnect's REST-JSON requests: the action and its parameters from botocore's model."""

    def __init__(self) -> None:
        super().__init__(service_name=SERVICE)
        self.automated_parameter_parsing = True

    @property
    def qconnect_backend(self) -> QConnectBackend:
        return qconnect_backends[self.current_account][self.region]

    def call_action(self) -> Any:
        action = self._get_action()
        if action and action not in SERVED_OPERATIONS:
            body = {"message": f"The local AWS does not serve qconnect {action}"}
            return 501, {"Content-Type": "application/json"}, json.dumps(body)
        return super().call_action()

    def get_message_template(self) -> ActionResult:
        return ActionResult(
            self.qconnect_backend.get_message_template(
                self._get_param("knowledgeBaseId") or "",
                self._get_param("messageTemplateId") or "",
            )
        )


#: The endpoint moto's server makes of a request signed for `wisdom` (and the one boto3 uses
#: without an endpoint URL, for in-process mocks), and GetMessageTemplate's path (moto's
#: url_bases / url_paths of a service, read by BaseBackend through `_url_module`).
url_bases = [rf"https?://{SIGNING_NAME}\.(.+)\.amazonaws\.com"]
url_paths = {
    # An id may be an ARN, whose slashes the SDK sends as %2F and the server decodes.
    "{0}/knowledgeBases/(?P<knowledgeBaseId>arn:[^/]*/[^/]+|[^/]+)"
    "/messageTemplates/(?P<messageTemplateId>.+)$": QConnectResponse.dispatch,
}


################################################################################
# Registration with moto
################################################################################

_registered = False
_register_lock = threading.Lock()


def register() -> None:
    """Make moto serve qconnect from this module (once per process; idempotent).

    moto's server picks a backend in two steps, both through registries this extends:
    the request's service (the credential scope's, `wisdom`) becomes the host
    `wisdom.<region>.amazonaws.com`, matched against `moto.backend_index.backend_url_patterns`
    (name, pattern); the name found is passed to `moto.backends.get_backend`, whose backend's
    `url_paths` (with their handlers) make the service's Flask app. moto's in-process mock
    (`mock_aws`) looks backends up the same way.
    """
    global _registered  # noqa: PLW0603 - one-time process-wide registration
    with _register_lock:
        if _registered:
            return
        patterns = backend_index.backend_url_patterns
        if all(name != SERVICE for name, _ in patterns):
            patterns.append((SERVICE, re.compile(url_bases[0])))
        original = moto_backends.get_backend

        def get_backend(name: Any) -> Any:
            if name == SERVICE:
                return qconnect_backends
            return original(name)

        moto_backends.get_backend = get_backend
        _registered = True

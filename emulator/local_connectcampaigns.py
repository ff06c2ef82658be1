"""Amazon Connect outbound campaigns' instance integrations for the local AWS (moto's
`connectcampaigns` is the v1 API and has none of them).

A Connect instance's custom action Lambda is registered with botocore's `connectcampaignsv2`
service (model 2024-04-23, REST-JSON, signing name and endpoint prefix `connect-campaigns`,
shared with v1): `PutConnectInstanceIntegration` (`PUT /v2/connect-instance/{id}/integrations`,
integrationConfig `{"lambda": {"functionArn": ...}}`), `ListConnectInstanceIntegrations`
(`GET` on the same path; the model has no Get...Integration) and
`DeleteConnectInstanceIntegration` (`POST .../integrations/delete`, integrationIdentifier).
The module's `connect.register` runs the first and the last through the AWS CLI; this module
serves all three, shaped by botocore's model, so that a `terraform apply` / `destroy` on the
local AWS can be checked with the third.

It is built like local_qconnect.py, one of moto's services in form: a backend per account and
region (`ConnectCampaignsV2Backend`, in the BackendDict `connectcampaignsv2_backends`, emptied
by moto's reset), a response class whose action moto finds from the method and path through
botocore's model and whose parameters and answers moto parses and serializes from it.
Routing differs: v1 and v2 share the credential scope `connect-campaigns`, which moto's server
maps to its `connectcampaigns` backend, so `register()` adds the v2 paths (all under `/v2/`,
none of v1's) to that backend's URL paths, dispatched to this module's response class.

Every request is checked against the operation's input shape (local_qconnect's
`validation_errors`: botocore's ParamValidator, which also holds a union such as
integrationConfig to exactly one member, and the model's pattern, enum and max of each
string): a failure is a ValidationException (400). What the service checks beyond the model,
as far as this emulation goes:

- the instance must be a Connect instance of the caller's account and region (moto's
  `connect` backend: create one with `connect.create_instance`), else
  ResourceNotFoundException (404);
- a Lambda integration's function (with its alias or version) must exist (moto's Lambda),
  else ResourceNotFoundException: the service adds an invoke permission to it (Connect
  Administrator Guide, "Invoke Lambda functions"), which needs the function;
- a Put of an integration already there (same function, knowledge base or domain) replaces it;
  a Delete of one that is not there is ResourceNotFoundException.

Not emulated: the invoke permission the service adds to the function's resource-based policy
(its statement id and conditions are not documented), customer profiles object types, and
every other connectcampaignsv2 operation (HTTP 501).
"""

from __future__ import annotations

import copy
import re
import sys
import threading
from collections.abc import Mapping
from typing import Any

from botocore.model import Shape
from moto.awslambda.utils import get_backend as lambda_backend_of
from moto.connect.models import connect_backends
from moto.connectcampaigns import urls as v1_urls
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse, EmptyResult

from emulator.service_model import shape, validation_errors

__all__ = [
    "SERVICE",
    "ConnectCampaignsV2Backend",
    "ConnectCampaignsV2Response",
    "connectcampaignsv2_backends",
    "register",
]

SERVICE = "connectcampaignsv2"  # botocore's service name, and the backend's name
SERVED_OPERATIONS = frozenset(
    {
        "PutConnectInstanceIntegration",
        "ListConnectInstanceIntegrations",
        "DeleteConnectInstanceIntegration",
    }
)
# The member of each integration kind that names it (IntegrationIdentifier's members).
IDENTIFYING_MEMBER = {
    "lambda": "functionArn",
    "qConnect": "knowledgeBaseArn",
    "customerProfiles": "domainArn",
}
# arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
_FUNCTION_ARN = re.compile(
    r"arn:[^:]+:lambda:(?P<region>[^:]+):(?P<account>\d{12}):function:(?P<name>[^:]+)"
    r"(:(?P<qualifier>[^:]+))?"
)


def _input_shape(operation: str) -> Shape:
    return shape(SERVICE, operation, "input")


################################################################################
# Errors, as connectcampaignsv2 names them (the operations' error shapes)
################################################################################


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"


class ValidationException(ServiceException):
    code = "ValidationException"


def _validate(operation: str, params: Mapping[str, Any]) -> None:
    errors = validation_errors(params, _input_shape(operation))
    if errors:
        raise ValidationException(
            f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected: "
            + "; ".join(errors)
        )


################################################################################
# Integrations, per account and region
################################################################################


def _kind_and_id(union: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, identifying value) of an IntegrationConfig or IntegrationIdentifier (validated:
    exactly one member)."""
    ((kind, member),) = union.items()
    return kind, str(member[IDENTIFYING_MEMBER[kind]])


class ConnectCampaignsV2Backend(BaseBackend):
    """The integrations of the Connect instances of one account and region."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        # instance id -> (kind, identifying value) -> IntegrationSummary, in put order
        self.integrations: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
        self.lock = threading.Lock()

    @property
    def _url_module(self) -> Any:
        # moto derives it from the class's module (moto.<service>.models -> .urls).
        return sys.modules[__name__]

    def _check_instance(self, instance_id: str) -> None:
        if instance_id not in connect_backends[self.account_id][self.region_name].instances:
            raise ResourceNotFoundException(f"Connect instance {instance_id} not found")

    def _check_function(self, function_arn: str) -> None:
        match = _FUNCTION_ARN.fullmatch(function_arn)
        if match is None:  # the model's pattern let it through; it names no function
            raise ResourceNotFoundException(f"Function {function_arn} not found")
        # moto's own choice of Lambda backend (the Docker-less one under LocalAws).
        backend = lambda_backend_of(match["account"], match["region"])
        try:
            backend.get_function(match["name"], match["qualifier"])
        except Exception as error:  # moto's UnknownFunctionException and kin
            raise ResourceNotFoundException(f"Function {function_arn} not found") from error

    def put_connect_instance_integration(
        self, connect_instance_id: str, integration_config: Mapping[str, Any]
    ) -> None:
        _validate(
            "PutConnectInstanceIntegration",
            {"connectInstanceId": connect_instance_id, "integrationConfig": integration_config},
        )
        self._check_instance(connect_instance_id)
        kind, identifier = _kind_and_id(integration_config)
        if kind == "lambda":
            self._check_function(identifier)
        with self.lock:
            held = self.integrations.setdefault(connect_instance_id, {})
            held[(kind, identifier)] = {kind: copy.deepcopy(dict(integration_config[kind]))}

    def list_connect_instance_integrations(
        self, connect_instance_id: str, max_results: int | None, next_token: str | None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"connectInstanceId": connect_instance_id}
        if max_results is not None:
            params["maxResults"] = max_results
        if next_token is not None:
            params["nextToken"] = next_token
        _validate("ListConnectInstanceIntegrations", params)
        self._check_instance(connect_instance_id)
        with self.lock:
            summaries = copy.deepcopy(list(self.integrations.get(connect_instance_id, {}).values()))
        # The token is the index of the next summary (opaque to callers).
        start = int(next_token) if next_token and next_token.isdigit() else 0
        size = max_results or 50  # MaxResults: 1-50
        answer: dict[str, Any] = {"integrationSummaryList": summaries[start : start + size]}
        if start + size < len(summaries):
            answer["nextToken"] = str(start + size)
        return answer

    def delete_connect_instance_integration(
        self, connect_instance_id: str, integration_identifier: Mapping[str, Any]
    ) -> None:
        _validate(
            "DeleteConnectInstanceIntegration",
            {
                "connectInstanceId": connect_instance_id,
                "integrationIdentifier": integration_identifier,
            },
        )
        self._check_instance(connect_instance_id)
        key = _kind_and_id(integration_identifier)
        with self.lock:
            held = self.integrations.get(connect_instance_id, {})
            if key not in held:
                raise ResourceNotFoundException(
                    f"Connect instance {connect_instance_id} has no {key[0]} integration {key[1]}"
                )
            del held[key]


connectcampaignsv2_backends = BackendDict(ConnectCampaignsV2Backend, SERVICE)


################################################################################
# The REST front
################################################################################


class ConnectCampaignsV2Response(BaseResponse):
    """connectcampaignsv2's REST-JSON requests: the action and its parameters from botocore's
    model."""

    def __init__(self) -> None:
        super().__init__(service_name=SERVICE)
        self.automated_parameter_parsing = True

    @property
    def backend(self) -> ConnectCampaignsV2Backend:
        return connectcampaignsv2_backends[self.current_account][self.region]

    def call_action(self) -> Any:
        action = self._get_action()
        if action and action not in SERVED_OPERATIONS:
            body = f'{{"message": "The local AWS does not serve connectcampaignsv2 {action}"}}'
            return 501, {"Content-Type": "application/json"}, body
        return super().call_action()

    def put_connect_instance_integration(self) -> ActionResult:
        self.backend.put_connect_instance_integration(
            self._get_param("connectInstanceId") or "",
            self._get_param("integrationConfig") or {},
        )
        return EmptyResult()

    def list_connect_instance_integrations(self) -> ActionResult:
        return ActionResult(
            self.backend.list_connect_instance_integrations(
                self._get_param("connectInstanceId") or "",
                self._get_param("maxResults"),
                self._get_param("nextToken"),
            )
        )

    def delete_connect_instance_integration(self) -> ActionResult:
        self.backend.delete_connect_instance_integration(
            self._get_param("connectInstanceId") or "",
            self._get_param("integrationIdentifier") or {},
        )
        return EmptyResult()


#: The v2 paths of the three operations (moto's url_paths form; `{0}` is the base).
url_bases = v1_urls.url_bases
url_paths = {
    "{0}/v2/connect-instance/(?P<connectInstanceId>[^/]+)/integrations$": (
        ConnectCampaignsV2Response.dispatch
    ),
    "{0}/v2/connect-instance/(?P<connectInstanceId>[^/]+)/integrations/delete$": (
        ConnectCampaignsV2Response.dispatch
    ),
}


################################################################################
# Registration with moto
################################################################################

_registered = False
_register_lock = threading.Lock()


def register() -> None:
    """Make moto serve the v2 integration paths from this module (once per process).

    moto's server maps a request signed for `connect-campaigns` (v1 and v2 alike) to its
    `connectcampaigns` backend and builds that service's app from the backend's URL module,
    moto.connectcampaigns.urls; its in-process mock reads the same module. The v2 paths join
    that module's `url_paths` (none of v1's begins with /v2/), so both reach this module.
    """
    global _registered  # noqa: PLW0603 - one-time process-wide registration
    with _register_lock:
        if _registered:
            return
        v1_urls.url_paths.update(url_paths)
        _registered = True

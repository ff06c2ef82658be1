"""Amazon Pinpoint endpoints for the local AWS (moto's Pinpoint has applications, no endpoints).

The resend command (handler/custom_channel/resend.py) asks Pinpoint's GetEndpoint for each
queued endpoint's consent now. This module serves it, and the calls that put endpoints in an
application, on moto's own Pinpoint service, shaped by botocore's `pinpoint` model
(REST-JSON, 2016-12-01):

- UpdateEndpoint (`PUT /v1/apps/{application-id}/endpoints/{endpoint-id}`, body an
  EndpointRequest): creates the endpoint or updates the fields the request names; 202 with a
  MessageBody;
- UpdateEndpointsBatch (`PUT /v1/apps/{application-id}/endpoints`, body an
  EndpointBatchRequest, at most 100 items, as the API reference says): the same per item;
- GetEndpoint (`GET .../endpoints/{endpoint-id}`): the EndpointResponse;
- DeleteEndpoint (`DELETE .../endpoints/{endpoint-id}`): the EndpointResponse, 202.

Each request is checked against the operation's input shape (botocore's ParamValidator and the
model's patterns, enums and maximum lengths: service_model.validation_errors), a failure is
BadRequestException (400); each answer against the output shape before it leaves. An unknown
application or endpoint is NotFoundException (404). As the model documents EndpointStatus,
creating or updating an endpoint makes it ACTIVE unless the request says otherwise, and the
other endpoints of the application with the same Address become INACTIVE. OptOut is NONE
until set.

For fault tests, `fail_get_endpoint` makes GetEndpoint of one endpoint answer an error (for
example TooManyRequestsException 429, InternalServerErrorException 500, AccessDeniedException
403) until `clear_faults`; the error travels as moto serializes any Pinpoint error, so
botocore parses (and retries) it as it would AWS's.

`register()` adds the routes to moto's Pinpoint (its url_paths and PinpointResponse), once per
process; emulator/local_aws.py calls it from `install_patches()`, tests that use moto's
in-process `mock_aws` may call it directly. The endpoints live on moto's Pinpoint backend of
each account and region, so moto's reset empties them.

Not emulated: an endpoint id holding `/` through moto's server (it decodes the SDK's `%2F`
before routing; moto's in-process mock serves it), segments built from endpoints,
GetUserEndpoints, DeleteUserEndpoints, CohortId's real hash (here a stable number 0..99 from
the id), endpoint Metrics' aggregation.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import threading
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from moto.core.exceptions import JsonRESTError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.pinpoint import models as pinpoint_models
from moto.pinpoint import urls as pinpoint_urls
from moto.pinpoint.responses import PinpointResponse

from emulator.service_model import shape, validation_errors

__all__ = [
    "BATCH_LIMIT",
    "clear_faults",
    "endpoint_request",
    "fail_get_endpoint",
    "put_endpoints",
    "register",
]

DEFAULT_REGION = "us-east-1"
BATCH_LIMIT = 100  # UpdateEndpointsBatch: "up to 100 endpoints" per request (API reference)
# EndpointRequest's members: what an UpdateEndpoint request may carry.
_REQUEST_FIELDS = (
    "Address",
    "Attributes",
    "ChannelType",
    "Demographic",
    "EffectiveDate",
    "EndpointStatus",
    "Location",
    "Metrics",
    "OptOut",
    "RequestId",
    "User",
)


class _PinpointError(JsonRESTError):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(code, message)
        self.code = status


def _not_found(message: str) -> _PinpointError:
    return _PinpointError("NotFoundException", message, 404)


def _checked(operation: str, params: Mapping[str, Any]) -> None:
    errors = validation_errors(params, shape("pinpoint", operation, "input"))
    if errors:
        raise _PinpointError("BadRequestException", "; ".join(errors), 400)


def _answer(operation: str, answer: dict[str, Any]) -> dict[str, Any]:
    # Our own answer, held to the model as AWS's would be: a mistake here is a bug (500).
    wrong = validation_errors(answer, shape("pinpoint", operation, "output"))
    if wrong:
        raise RuntimeError(f"{operation} answer off the model: {'; '.join(wrong)}")
    return answer


class _Endpoints:
    """The endpoints of one backend (account and region), by application, and its faults."""

    def __init__(self) -> None:
        self.by_app: dict[str, dict[str, dict[str, Any]]] = {}
        self.faults: dict[tuple[str, str], tuple[str, int]] = {}
        self.lock = threading.Lock()


def _store(backend: pinpoint_models.PinpointBackend) -> _Endpoints:
    # An attribute of moto's backend: moto's reset (which re-initialises it) empties it.
    store = backend.__dict__.get("_local_endpoints")
    if store is None:
        store = backend.__dict__.setdefault("_local_endpoints", _Endpoints())
    assert isinstance(store, _Endpoints)
    return store


def _backend(account_id: str, region: str) -> pinpoint_models.PinpointBackend:
    return pinpoint_models.pinpoint_backends[account_id][region]


def _update(
    backend: pinpoint_models.PinpointBackend, app_id: str, endpoint_id: str, request: Any
) -> None:
    backend.get_app(app_id)  # NotFoundException for an unknown application
    store = _store(backend)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    with store.lock:
        endpoints = store.by_app.setdefault(app_id, {})
        endpoint = endpoints.get(endpoint_id)
        if endpoint is None:
            cohort = int(hashlib.sha256(endpoint_id.encode()).hexdigest(), 16) % 100
            endpoint = {
                "ApplicationId": app_id,
                "Id": endpoint_id,
                "CohortId": str(cohort),
                "CreationDate": now,
                "OptOut": "NONE",
            }
            endpoints[endpoint_id] = endpoint
        for name in _REQUEST_FIELDS:
            if name in request:
                endpoint[name] = copy.deepcopy(request[name])
        endpoint.setdefault("EffectiveDate", now)
        if "EndpointStatus" not in request:
            endpoint["EndpointStatus"] = "ACTIVE"
        address = endpoint.get("Address")
        if address:
            for other_id, other in endpoints.items():
                if other_id != endpoint_id and other.get("Address") == address:
                    other["EndpointStatus"] = "INACTIVE"


def _accepted() -> tuple[int, dict[str, str], str]:
    body = {"Message": "Accepted", "RequestID": str(uuid.uuid4())}
    return 202, {"Content-Type": "application/json"}, json.dumps(body)


def _path_ids(response: PinpointResponse) -> tuple[str, str | None]:
    """The application id and the endpoint id (None for the batch path) of the request."""
    rest = response.path.split("?", 1)[0].split("/v1/apps/", 1)[1]
    parts = rest.split("/")
    app_id = unquote(parts[0])
    endpoint_id = unquote(parts[2]) if len(parts) > 2 and parts[2] else None
    return app_id, endpoint_id


def _body(response: PinpointResponse) -> Any:
    try:
        return json.loads(response.body or "{}")
    except ValueError:
        raise _PinpointError("BadRequestException", "the body is not JSON", 400) from None


def _get_endpoint(self: PinpointResponse) -> str:
    app_id, endpoint_id = _path_ids(self)
    _checked("GetEndpoint", {"ApplicationId": app_id, "EndpointId": endpoint_id or ""})
    backend = self.pinpoint_backend
    backend.get_app(app_id)
    store = _store(backend)
    with store.lock:
        fault = store.faults.get((app_id, endpoint_id or ""))
        endpoint = store.by_app.get(app_id, {}).get(endpoint_id or "")
        answer = copy.deepcopy(endpoint)
    if fault is not None:
        raise _PinpointError(fault[0], "injected fault", fault[1])
    if answer is None:
        raise _not_found("Resource not found")
    return json.dumps(_answer("GetEndpoint", {"EndpointResponse": answer})["EndpointResponse"])


def _update_endpoint(self: PinpointResponse) -> tuple[int, dict[str, str], str]:
    app_id, endpoint_id = _path_ids(self)
    request = _body(self)
    _checked(
        "UpdateEndpoint",
        {"ApplicationId": app_id, "EndpointId": endpoint_id or "", "EndpointRequest": request},
    )
    _update(self.pinpoint_backend, app_id, endpoint_id or "", request)
    return _accepted()


def _update_endpoints_batch(self: PinpointResponse) -> tuple[int, dict[str, str], str]:
    app_id, _ = _path_ids(self)
    request = _body(self)
    _checked("UpdateEndpointsBatch", {"ApplicationId": app_id, "EndpointBatchRequest": request})
    items = request["Item"]
    if len(items) > BATCH_LIMIT:
        raise _PinpointError(
            "BadRequestException", f"at most {BATCH_LIMIT} endpoints per request", 400
        )
    if any(not item.get("Id") for item in items):
        raise _PinpointError("BadRequestException", "every endpoint needs an Id", 400)
    for item in items:
        _update(self.pinpoint_backend, app_id, item["Id"], item)
    return _accepted()


def _delete_endpoint(self: PinpointResponse) -> tuple[int, dict[str, str], str]:
    app_id, endpoint_id = _path_ids(self)
    _checked("DeleteEndpoint", {"ApplicationId": app_id, "EndpointId": endpoint_id or ""})
    backend = self.pinpoint_backend
    backend.get_app(app_id)
    store = _store(backend)
    with store.lock:
        endpoint = store.by_app.get(app_id, {}).pop(endpoint_id or "", None)
    if endpoint is None:
        raise _not_found("Resource not found")
    answer = _answer("DeleteEndpoint", {"EndpointResponse": endpoint})["EndpointResponse"]
    return 202, {"Content-Type": "application/json"}, json.dumps(answer)


def endpoint_request(endpoint: Mapping[str, Any]) -> dict[str, Any]:
    """An event's endpoint (Pinpoint's EndpointResponse shape, as a campaign sends it) as an
    EndpointRequest: the members UpdateEndpoint takes."""
    return {name: copy.deepcopy(endpoint[name]) for name in _REQUEST_FIELDS if name in endpoint}


def put_endpoints(
    pinpoint: Any, application_id: str, endpoints: Mapping[str, Mapping[str, Any]]
) -> None:
    """Put a campaign's endpoints (by id, as an event sends them) in the application, as the
    application that owns them would: UpdateEndpointsBatch through `pinpoint` (a boto3
    client of the local AWS), BATCH_LIMIT at a time."""
    items = [
        {"Id": endpoint_id, **endpoint_request(endpoint)}
        for endpoint_id, endpoint in endpoints.items()
    ]
    for start in range(0, len(items), BATCH_LIMIT):
        pinpoint.update_endpoints_batch(
            ApplicationId=application_id,
            EndpointBatchRequest={"Item": items[start : start + BATCH_LIMIT]},
        )


def fail_get_endpoint(
    application_id: str,
    endpoint_id: str,
    code: str,
    status: int,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
) -> None:
    """GetEndpoint of this endpoint answers `code` with HTTP `status` until clear_faults."""
    store = _store(_backend(account_id, region))
    with store.lock:
        store.faults[application_id, endpoint_id] = (code, status)


def clear_faults(*, account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION) -> None:
    store = _store(_backend(account_id, region))
    with store.lock:
        store.faults.clear()


_registered = False
_register_lock = threading.Lock()


def register() -> None:
    """Serve the endpoint calls from moto's Pinpoint (once per process; idempotent): moto
    finds each action from the request's method and path through botocore's model."""
    global _registered  # noqa: PLW0603 - one-time process-wide registration
    with _register_lock:
        if _registered:
            return
        app = "{0}/v1/apps/(?P<app_id>[^/]+)"
        pinpoint_urls.url_paths.update(
            {
                f"{app}/endpoints$": PinpointResponse.dispatch,
                f"{app}/endpoints/(?P<endpoint_id>[^/]+)$": PinpointResponse.dispatch,
            }
        )
        PinpointResponse.get_endpoint = _get_endpoint  # type: ignore[attr-defined]
        PinpointResponse.update_endpoint = _update_endpoint  # type: ignore[attr-defined]
        PinpointResponse.update_endpoints_batch = _update_endpoints_batch  # type: ignore[attr-defined]
        PinpointResponse.delete_endpoint = _delete_endpoint  # type: ignore[attr-defined]
        _registered = True

"""Amazon Connect Customer Profiles for the local AWS (moto has no customer-profiles).

A Connect instance keeps its customers in a Customer Profiles domain: botocore's
`customer-profiles` service (model 2020-08-15, REST-JSON, signing name and endpoint prefix
`profile`). A journey reads each profile when it runs and hands it to the custom action as
CustomerData; the channel writes an opt-out back with UpdateProfile. This module serves:

- CreateDomain (`POST /domains/{DomainName}`), GetDomain (`GET`, with Stats.ProfileCount),
  DeleteDomain (`DELETE`: the domain and its profiles);
- CreateProfile (`POST /domains/{DomainName}/profiles`): a new ProfileId, 32 lowercase
  hexadecimal digits (the model's `uuid` pattern);
- UpdateProfile (`PUT /domains/{DomainName}/profiles`): as the API reference says
  (UpdateProfile: "specifying an empty string value means that any existing value will be
  removed. Not specifying a string value means that any value already there will be kept"):
  each field the request names replaces the profile's, an empty string removes it; the
  addresses merge field by field and the Attributes map entry by entry the same way (an entry
  given is set, an entry given as "" is removed, the others are kept);
- BatchGetProfile (`POST /domains/{DomainName}/batch-get-profiles`, 1-20 ids): the profiles
  found, in the request's order, and an Errors entry (ResourceNotFoundException) for each id
  that is not in the domain;
- SearchProfiles (`POST /domains/{DomainName}/profiles/search`) by the standard profile keys
  `_profileId`, `_phone` (PhoneNumber, MobilePhoneNumber, HomePhoneNumber,
  BusinessPhoneNumber), `_email` (EmailAddress, PersonalEmailAddress, BusinessEmailAddress)
  and `_account` (AccountNumber), exact values, with AdditionalSearchKeys joined by
  LogicalOperator (AND unless OR) and their FoundByItems, MaxResults (default 20) and
  NextToken; any other key is a BadRequestException;
- DeleteProfile (`POST /domains/{DomainName}/profiles/delete`).

It is built like local_qconnect.py: a backend per account and region
(`CustomerProfilesBackend` in the BackendDict `customerprofiles_backends`, emptied by moto's
reset), a response class whose action moto finds from the method and path through botocore's
model and whose parameters and answers moto parses and serializes from it, registered in
moto's URL patterns (`profile.<region>.amazonaws.com`, what moto's server makes of the
credential scope `profile`) and `moto.backends.get_backend`. Every request is checked against
the operation's input shape (service_model.validation_errors: ParamValidator, then the model's
pattern, enum and max of each string): a failure is BadRequestException (400). An unknown
domain or profile is ResourceNotFoundException (404). Every answer is held to the output shape
before it leaves (a mismatch is a bug: HTTP 500).

Not emulated: every other customer-profiles operation (HTTP 501), object types and profile
objects, identity resolution and matching, calculated attributes, segments, custom search
keys, encryption and expiry of profiles, tags.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import sys
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from moto import backend_index
from moto import backends as moto_backends
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse

from emulator.service_model import shape, validation_errors

__all__ = [
    "SEARCH_KEYS",
    "SERVICE",
    "SIGNING_NAME",
    "CustomerProfilesBackend",
    "CustomerProfilesResponse",
    "customerprofiles_backends",
    "register",
]

SERVICE = "customer-profiles"  # botocore's service name, and the backend's name in moto's
SIGNING_NAME = "profile"  # the credential scope's service, and the endpoint prefix
SERVED_OPERATIONS = frozenset(
    {
        "CreateDomain",
        "GetDomain",
        "DeleteDomain",
        "CreateProfile",
        "UpdateProfile",
        "BatchGetProfile",
        "SearchProfiles",
        "DeleteProfile",
    }
)
# The standard profile keys served (Customer Profiles Administrator Guide, "Standard profile
# keys") and the profile fields each one searches.
SEARCH_KEYS: dict[str, tuple[str, ...]] = {
    "_profileId": ("ProfileId",),
    "_phone": ("PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber", "BusinessPhoneNumber"),
    "_email": ("EmailAddress", "PersonalEmailAddress", "BusinessEmailAddress"),
    "_account": ("AccountNumber",),
}
ADDRESS_FIELDS = ("Address", "ShippingAddress", "MailingAddress", "BillingAddress")
SEARCH_PAGE = 20  # SearchProfiles' MaxResults default (API reference)


################################################################################
# Errors, as customer-profiles names them (the operations' error shapes)
################################################################################


class BadRequestException(ServiceException):
    code = "BadRequestException"


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"


def _checked(operation: str, params: Mapping[str, Any]) -> None:
    errors = validation_errors(params, shape(SERVICE, operation, "input"))
    if errors:
        raise BadRequestException(
            f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected: "
            + "; ".join(errors)
        )


def _answer(operation: str, answer: dict[str, Any]) -> dict[str, Any]:
    # Our own answer, held to the model as AWS's would be: a mistake here is a bug (500).
    wrong = validation_errors(answer, shape(SERVICE, operation, "output"))
    if wrong:
        raise RuntimeError(f"{operation} answer off the model: {'; '.join(wrong)}")
    return answer


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


################################################################################
# Domains and profiles, per account and region
################################################################################


@dataclass
class Domain:
    name: str
    settings: dict[str, Any]  # CreateDomain's members but DomainName
    created: dt.datetime
    updated: dt.datetime
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> Profile


def _merged(current: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """UpdateProfile's rule on a structure or map: given values replace, "" removes, the
    others are kept (API reference, UpdateProfile)."""
    merged = dict(current)
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _without_empty(profile: Mapping[str, Any]) -> dict[str, Any]:
    """A stored profile keeps no empty value (the output shape's strings are 1-255 long)."""
    kept: dict[str, Any] = {}
    for key, value in profile.items():
        kept_value = value
        if isinstance(value, Mapping):
            kept_value = {k: v for k, v in value.items() if v != ""}
            if not kept_value:  # an address or Attributes left empty: none at all
                continue
        if kept_value == "":
            continue
        kept[key] = copy.deepcopy(kept_value)
    return kept


class CustomerProfilesBackend(BaseBackend):
    """The Customer Profiles domains of one account and region."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.domains: dict[str, Domain] = {}
        self.lock = threading.Lock()

    @property
    def _url_module(self) -> Any:
        # moto derives it from the class's module (moto.<service>.models -> .urls); here both
        # live in this module.
        return sys.modules[__name__]

    def _domain(self, name: str) -> Domain:
        domain = self.domains.get(name)
        if domain is None:
            raise ResourceNotFoundException(f"Domain {name} not found")
        return domain

    def _profile(self, domain: Domain, profile_id: str) -> dict[str, Any]:
        profile = domain.profiles.get(profile_id)
        if profile is None:
            raise ResourceNotFoundException(f"Profile {profile_id} not found in {domain.name}")
        return profile

    def _describe(self, domain: Domain, *, stats: bool) -> dict[str, Any]:
        answer: dict[str, Any] = {"DomainName": domain.name, **copy.deepcopy(domain.settings)}
        answer["CreatedAt"] = domain.created
        answer["LastUpdatedAt"] = domain.updated
        answer.setdefault("Tags", {})
        if stats:
            answer["Stats"] = {
                "ProfileCount": len(domain.profiles),
                "MeteringProfileCount": len(domain.profiles),
                "ObjectCount": 0,
                "TotalSize": 0,
            }
        return answer

    def create_domain(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _checked("CreateDomain", params)
        name = params["DomainName"]
        now = _now()
        with self.lock:
            if name in self.domains:
                raise BadRequestException(f"Domain {name} already exists")
            settings = {k: copy.deepcopy(v) for k, v in params.items() if k != "DomainName"}
            domain = Domain(name, settings, now, now)
            self.domains[name] = domain
            answer = self._describe(domain, stats=False)
        return _answer("CreateDomain", answer)

    def get_domain(self, name: str) -> dict[str, Any]:
        _checked("GetDomain", {"DomainName": name})
        with self.lock:
            answer = self._describe(self._domain(name), stats=True)
        return _answer("GetDomain", answer)

    def delete_domain(self, name: str) -> dict[str, Any]:
        _checked("DeleteDomain", {"DomainName": name})
        with self.lock:
            self._domain(name)
            del self.domains[name]
        return _answer("DeleteDomain", {"Message": f"Domain {name} deleted"})

    def create_profile(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _checked("CreateProfile", params)
        profile_id = uuid.uuid4().hex
        with self.lock:
            domain = self._domain(params["DomainName"])
            fields = {k: v for k, v in params.items() if k != "DomainName"}
            domain.profiles[profile_id] = {"ProfileId": profile_id, **_without_empty(fields)}
            domain.updated = _now()
        return _answer("CreateProfile", {"ProfileId": profile_id})

    def update_profile(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _checked("UpdateProfile", params)
        profile_id = params["ProfileId"]
        with self.lock:
            domain = self._domain(params["DomainName"])
            profile = self._profile(domain, profile_id)
            for key, value in params.items():
                if key in ("DomainName", "ProfileId"):
                    continue
                if isinstance(value, Mapping) and key in (*ADDRESS_FIELDS, "Attributes"):
                    profile[key] = _merged(profile.get(key, {}), value)
                elif value == "":
                    profile.pop(key, None)
                else:
                    profile[key] = copy.deepcopy(value)
            domain.profiles[profile_id] = _without_empty(profile)
            domain.updated = _now()
        return _answer("UpdateProfile", {"ProfileId": profile_id})

    def batch_get_profile(self, name: str, profile_ids: list[str]) -> dict[str, Any]:
        _checked("BatchGetProfile", {"DomainName": name, "ProfileIds": profile_ids})
        found: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        with self.lock:
            domain = self._domain(name)
            for profile_id in profile_ids:
                profile = domain.profiles.get(profile_id)
                if profile is None:
                    errors.append(
                        {
                            "Code": "ResourceNotFoundException",
                            "Message": "Profile not found",
                            "ProfileId": profile_id,
                        }
                    )
                else:
                    found.append(copy.deepcopy(profile))
        return _answer("BatchGetProfile", {"Errors": errors, "Profiles": found})

    def search_profiles(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _checked("SearchProfiles", params)
        keys = [{"KeyName": params["KeyName"], "Values": params["Values"]}]
        keys += list(params.get("AdditionalSearchKeys", []))
        for key in keys:
            if key["KeyName"] not in SEARCH_KEYS:
                raise BadRequestException(
                    f"KeyName {key['KeyName']} is not a search key of the domain "
                    f"(served: {', '.join(SEARCH_KEYS)})"
                )
        every = params.get("LogicalOperator", "AND") == "AND"
        size = params.get("MaxResults") or SEARCH_PAGE
        token = params.get("NextToken")
        start = int(token) if token and token.isdigit() else 0
        with self.lock:
            domain = self._domain(params["DomainName"])
            matches: list[dict[str, Any]] = []
            for profile in domain.profiles.values():
                found_by = [key for key in keys if _matches(profile, key)]
                if (len(found_by) == len(keys)) if every else found_by:
                    item = copy.deepcopy(profile)
                    if len(keys) > 1:
                        item["FoundByItems"] = [
                            {"KeyName": k["KeyName"], "Values": list(k["Values"])} for k in found_by
                        ]
                    matches.append(item)
        answer: dict[str, Any] = {"Items": matches[start : start + size]}
        if start + size < len(matches):
            answer["NextToken"] = str(start + size)
        return _answer("SearchProfiles", answer)

    def delete_profile(self, name: str, profile_id: str) -> dict[str, Any]:
        _checked("DeleteProfile", {"DomainName": name, "ProfileId": profile_id})
        with self.lock:
            domain = self._domain(name)
            self._profile(domain, profile_id)
            del domain.profiles[profile_id]
            domain.updated = _now()
        return _answer("DeleteProfile", {"Message": f"Profile {profile_id} deleted"})


def _matches(profile: Mapping[str, Any], key: Mapping[str, Any]) -> bool:
    wanted = set(key["Values"])
    return any(profile.get(name) in wanted for name in SEARCH_KEYS[key["KeyName"]])


customerprofiles_backends = BackendDict(CustomerProfilesBackend, SERVICE)


################################################################################
# The REST front
################################################################################


class CustomerProfilesResponse(BaseResponse):
    """customer-profiles' REST-JSON requests: the action and its parameters from botocore's
    model."""

    def __init__(self) -> None:
        super().__init__(service_name=SERVICE)
        self.automated_parameter_parsing = True

    @property
    def backend(self) -> CustomerProfilesBackend:
        return customerprofiles_backends[self.current_account][self.region]

    def call_action(self) -> Any:
        action = self._get_action()
        if action and action not in SERVED_OPERATIONS:
            body = f'{{"Message": "The local AWS does not serve customer-profiles {action}"}}'
            return 501, {"Content-Type": "application/json"}, body
        return super().call_action()

    def _params(self) -> dict[str, Any]:
        return {k: v for k, v in dict(self.params).items() if v is not None}

    def create_domain(self) -> ActionResult:
        return ActionResult(self.backend.create_domain(self._params()))

    def get_domain(self) -> ActionResult:
        return ActionResult(self.backend.get_domain(self._get_param("DomainName") or ""))

    def delete_domain(self) -> ActionResult:
        return ActionResult(self.backend.delete_domain(self._get_param("DomainName") or ""))

    def create_profile(self) -> ActionResult:
        return ActionResult(self.backend.create_profile(self._params()))

    def update_profile(self) -> ActionResult:
        return ActionResult(self.backend.update_profile(self._params()))

    def batch_get_profile(self) -> ActionResult:
        return ActionResult(
            self.backend.batch_get_profile(
                self._get_param("DomainName") or "", self._get_param("ProfileIds") or []
            )
        )

    def search_profiles(self) -> ActionResult:
        return ActionResult(self.backend.search_profiles(self._params()))

    def delete_profile(self) -> ActionResult:
        return ActionResult(
            self.backend.delete_profile(
                self._get_param("DomainName") or "", self._get_param("ProfileId") or ""
            )
        )


#: The endpoint moto's server makes of a request signed for `profile` (and the one boto3 uses
#: without an endpoint URL, for in-process mocks), and the served paths.
url_bases = [rf"https?://{SIGNING_NAME}\.(.+)\.amazonaws\.com"]
_DOMAIN = "{0}/domains/(?P<DomainName>[^/]+)"
url_paths = {
    f"{_DOMAIN}$": CustomerProfilesResponse.dispatch,
    f"{_DOMAIN}/profiles$": CustomerProfilesResponse.dispatch,
    f"{_DOMAIN}/profiles/search$": CustomerProfilesResponse.dispatch,
    f"{_DOMAIN}/profiles/delete$": CustomerProfilesResponse.dispatch,
    f"{_DOMAIN}/batch-get-profiles$": CustomerProfilesResponse.dispatch,
}


################################################################################
# Registration with moto
################################################################################

_registered = False
_register_lock = threading.Lock()


def register() -> None:
    """Make moto serve customer-profiles from this module (once per process; idempotent),
    through the same two registries as local_qconnect.register: the URL patterns of
    `moto.backend_index` (the credential scope's `profile` becomes the host
    `profile.<region>.amazonaws.com`) and `moto.backends.get_backend`."""
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
                return customerprofiles_backends
            return original(name)

        moto_backends.get_backend = get_backend
        _registered = True

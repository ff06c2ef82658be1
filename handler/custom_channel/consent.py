"""Consent write-back: a recipient who opted out is written back where the event source keeps
consent, so that the next run skips them (docs/receipts.md, "Consent and dead numbers").

Off unless CHANNEL_CONSENT_WRITE_BACK is true. Only an opt-out (RecipientFact.OPTED_OUT: the
recipient replied STOP) is written; a dead or non-mobile number is published (receipts.py) and
left to its owner, since it says nothing about consent.

- Connect: Customer Profiles UpdateProfile(DomainName, ProfileId, Attributes={<Name>: "true"}),
  where <Name> is the custom attribute of CHANNEL_CONNECT_OPT_OUT_FIELD (`Attributes.<Name>`),
  the field the Connect source reads (sources/connect.py: any value but empty, false, no, 0
  and none opts out). UpdateProfile's Attributes "A key value pair of attributes of a customer
  profile" (botocore's customer-profiles model): entries are merged into the profile's own.
- Pinpoint: UpdateEndpoint(ApplicationId, EndpointId, EndpointRequest={"OptOut": "ALL"}):
  "ALL: the user has opted out and doesn't want to receive any messages" (Pinpoint API
  reference, EndpointRequest.OptOut), the value the channel's opt-out skip reads.

Each write is one call, made at most twice, each attempt only when it fits the deadline
(aws.py); both are idempotent (a second write of the same value changes nothing).
"""

from __future__ import annotations

from enum import StrEnum

from . import logs
from .aws import AwsClients, CallFailed, attempt
from .config import Settings, opt_out_attribute
from .deadline import Deadline

# Values the Connect source reads as "not opted out" are never written; this one reads as
# opted out under every spelling rule of sources/connect.py.
OPTED_OUT_VALUE = "true"
# Errors a second attempt cannot fix (the botocore models' error shapes).
_PERMANENT = frozenset(
    {
        "AccessDeniedException",
        "BadRequestException",
        "ResourceNotFoundException",
        "NotFoundException",
        "ForbiddenException",
        "ValidationException",
        "ParamValidationError",
    }
)


class Consent(StrEnum):
    """What became of a recipient's opt-out (the `consent` of a receipt event)."""

    WRITTEN = "written"
    NOT_WRITTEN = "not_written"  # the call failed or did not fit the deadline: logged
    OFF = "off"  # CHANNEL_CONSENT_WRITE_BACK is false


class ConsentWriter:
    def __init__(self, settings: Settings, clients: AwsClients) -> None:
        self._settings = settings.receipts
        self._attribute = opt_out_attribute(settings.connect.opt_out_field)
        self._clients = clients

    @property
    def enabled(self) -> bool:
        return self._settings.consent_write_back

    def opt_out(
        self,
        source: str,
        application_id: str | None,
        recipient_id: str,
        deadline: Deadline | None,
    ) -> Consent:
        """Write that this recipient opted out. Never raises."""
        if not self._settings.consent_write_back:
            return Consent.OFF
        try:
            if source == "connect":
                self._update_profile(recipient_id, deadline)
            else:
                self._update_endpoint(application_id or "", recipient_id, deadline)
        except CallFailed as failed:
            logs.get_logger().error(
                "opt-out not written",
                extra={
                    "event_source": source,
                    "error": failed.code,
                    **logs.endpoint_fields(recipient_id),
                },
            )
            return Consent.NOT_WRITTEN
        logs.get_logger().info(
            "opt-out written", extra={"event_source": source, **logs.endpoint_fields(recipient_id)}
        )
        return Consent.WRITTEN

    def _update_profile(self, profile_id: str, deadline: Deadline | None) -> None:
        domain, name = self._settings.profiles_domain, self._attribute
        if domain is None or name is None:  # config.py refuses this with write-back on
            raise CallFailed("NotConfigured")
        client = self._clients.client("customer-profiles")
        attempt(
            deadline,
            "customer-profiles",
            "UpdateProfile",
            lambda: client.update_profile(
                DomainName=domain, ProfileId=profile_id, Attributes={name: OPTED_OUT_VALUE}
            ),
            permanent=_PERMANENT,
        )

    def _update_endpoint(
        self, application_id: str, endpoint_id: str, deadline: Deadline | None
    ) -> None:
        client = self._clients.client("pinpoint")
        attempt(
            deadline,
            "pinpoint",
            "UpdateEndpoint",
            lambda: client.update_endpoint(
                ApplicationId=application_id,
                EndpointId=endpoint_id,
                EndpointRequest={"OptOut": "ALL"},
            ),
            permanent=_PERMANENT,
        )

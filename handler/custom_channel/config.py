"""Settings read from environment variables, validated once per container.

Every variable the handler reads is declared here, except each adapter's own
CHANNEL_<NAME>_* settings, which the adapter reads and validates (adapters/); docs/adapters.md
and README.md list them. A bad value raises ConfigError naming the variable, never a stack
trace.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from .adapters import load_adapter
from .adapters.base import Adapter
from .adapters.none import NoneAdapter
from .env import FIELD_NAME, ConfigError, EnvReader, require_https
from .logs import ENDPOINT_ID_MODES
from .templating import TemplateError, compile_template

__all__ = ["ConfigError", "ConnectSettings", "ReceiptSettings", "Settings", "load_settings"]

MetricsMode = Literal["api", "emf", "off"]

METRICS_MODES: tuple[MetricsMode, ...] = ("api", "emf", "off")
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
LOG_LEVELS: tuple[LogLevel, ...] = ("DEBUG", "INFO", "WARNING", "ERROR")
# CHANNEL_LOG_ID_KEY, the hash's key: the module's is 73 characters (two random UUIDs); one of
# fewer than 32 could be guessed, and with it every id a dictionary holds hashed.
MIN_LOG_ID_KEY_CHARS = 32
MAX_LOG_ID_KEY_CHARS = 1024
# report: the invocation always succeeds and failures are answered per endpoint.
# retry: the invocation fails when an endpoint can still be delivered, so Pinpoint retries it.
FailurePolicy = Literal["report", "retry"]
FAILURE_POLICIES: tuple[FailurePolicy, ...] = ("report", "retry")
# Which events the function accepts (sources/): auto recognises each event by its shape.
EventSource = Literal["auto", "pinpoint", "connect"]
EVENT_SOURCES: tuple[EventSource, ...] = ("auto", "pinpoint", "connect")
# The longest wait of any event source (Connect's 30 s; Pinpoint's is 15 s): the deadline
# setting's range. Each source caps the deadline at its own wait.
MAX_DEADLINE_SECONDS = 30
# Customer Profiles' standard names, then the Connect guide example's. Names are read by the
# one rule of profiles.py (case-insensitive), so `PhoneNumber` also finds the `phoneNumber`
# and `EmailAddress` the `emailAddress` of a real journey invocation.
CONNECT_PHONE_FIELDS = (
    "PhoneNumber",
    "MobilePhoneNumber",
    "HomePhoneNumber",
    "BusinessPhoneNumber",
    "phone",
)
CONNECT_EMAIL_FIELDS = ("EmailAddress", "PersonalEmailAddress", "BusinessEmailAddress", "email")
_CHANNEL_TYPE = re.compile(r"[A-Z][A-Z0-9_]{0,31}")
# botocore's qconnect model (2020-10-19): Uuid for a knowledge base id; UuidWithQualifier for
# a message template id, whose qualifier is a version number here ($ACTIVE_VERSION when none).
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
KNOWLEDGE_BASE_ID = re.compile(_UUID)
TEMPLATE_ID = re.compile(_UUID + r"(:[0-9]+)?")
DEFAULT_NAMESPACE = "PinpointCustomChannelExecution"
# A function serving Connect alone (CHANNEL_EVENT_SOURCE=connect) publishes under this name
# unless CHANNEL_METRICS_NAMESPACE says otherwise: the guide's namespace is Pinpoint's, and
# Connect's series must never mix into a Pinpoint channel's. `auto` keeps the guide's.
CONNECT_NAMESPACE = "ConnectCustomAction"
# CHANNEL_NAME becomes the value of the delivery metrics' Channel dimension (metrics.py).
# CloudWatch's Dimension.Value (botocore's cloudwatch model): 1-1024 characters, "must contain
# only ASCII characters and must include at least one non-whitespace character. ASCII control
# characters are not supported". Printable ASCII, at most 255 (a deployment's name is at most
# 64); the reader strips the ends, so a value is never blank.
_CHANNEL_NAME = re.compile(r"[\x20-\x7e]{1,255}")
# Customer Profiles' DomainName (botocore's customer-profiles model, name shape): 1-64
# characters of ^[a-zA-Z0-9_-]+$.
_PROFILES_DOMAIN = re.compile(r"[a-zA-Z0-9_-]{1,64}")
# EventBridge's EventBusNameOrArn (botocore's events model): 1-1600 characters of
# (arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus/)?[\.\-_A-Za-z0-9]+.
_EVENT_BUS = re.compile(
    r"(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus/)?[\.\-_A-Za-z0-9]+"
)
# The least budget CHANNEL_DEADLINE_SECONDS less CHANNEL_SAFETY_MARGIN_MS may leave.
MIN_BUDGET_MS = 1000


@dataclass(frozen=True)
class ConnectSettings:
    """How a Connect custom action's profiles become recipients (sources/connect.py)."""

    message_template: str | None = None
    message_templates: Mapping[str, str] = field(default_factory=dict)
    address_fields: tuple[str, ...] = CONNECT_EMAIL_FIELDS + CONNECT_PHONE_FIELDS
    channel_type: str = "CUSTOM"
    opt_out_field: str = "Attributes.OptOut"
    result_field: bool = False
    # Templates authored in Connect (connect_templates.py): block label -> template id.
    knowledge_base_id: str | None = None
    template_ids: Mapping[str, str] = field(default_factory=dict)
    template_ttl_seconds: int = 300


@dataclass(frozen=True)
class ReceiptSettings:
    """Where providers report statuses, where they are published, and whether what they say
    about a recipient is written back to the event source's consent (docs/receipts.md)."""

    url: str | None = None
    event_bus: str = "default"
    consent_write_back: bool = False
    # Connect: the Customer Profiles domain of the instance.
    profiles_domain: str | None = None


def _none_adapter() -> Adapter:
    return NoneAdapter()


@dataclass(frozen=True)
class Settings:
    # CHANNEL_ADAPTER: the name of `provider`, the adapter with its own validated settings.
    adapter: str = "none"
    provider: Adapter = field(default_factory=_none_adapter)
    metrics_mode: MetricsMode = "api"
    metrics_namespace: str = DEFAULT_NAMESPACE
    skip_opted_out: bool = True
    skip_inactive: bool = True
    max_workers: int = 50
    max_attempts: int = 3
    deadline_seconds: float = 15.0
    safety_margin_ms: int = 750
    log_level: LogLevel = "INFO"
    log_endpoint_ids: str = "hashed"
    # Never in a repr: whoever holds it can hash a list of addresses and match the logs.
    log_id_key: str | None = field(default=None, repr=False)
    secret_id: str | None = None
    secret_parameter: str | None = None
    secret_ttl_seconds: int = 300
    receiver_secret_id: str | None = None
    idempotency_table: str | None = None
    idempotency_lease_seconds: int = 60
    idempotency_ttl_seconds: int = 7 * 86400
    journey_reentry_seconds: int = 3600
    failure_policy: FailurePolicy = "report"
    rate_limit_per_second: int = 0
    failure_queue_url: str | None = None
    event_source: EventSource = "auto"
    connect: ConnectSettings = field(default_factory=ConnectSettings)
    # The deployment's name (the module sets it): None publishes no per-channel series.
    channel_name: str | None = None
    # Receipts and consent write-back (receipts.py, consent.py; docs/receipts.md): off unless
    # CHANNEL_RECEIPTS_URL and CHANNEL_CONSENT_WRITE_BACK say otherwise.
    receipts: ReceiptSettings = field(default_factory=ReceiptSettings)


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build Settings from an environment mapping; raise ConfigError on the first bad variable."""
    reader = EnvReader(env)
    # CHANNEL_ADAPTER (and CHANNEL_ADAPTER_MODULE), then the adapter's own CHANNEL_<NAME>_*.
    provider = load_adapter(env)
    adapter = provider.name
    settings = Settings(
        adapter=adapter,
        provider=provider,
        metrics_mode=reader.choice("CHANNEL_METRICS_MODE", METRICS_MODES, "api"),
        metrics_namespace=reader.text("CHANNEL_METRICS_NAMESPACE", DEFAULT_NAMESPACE, max_len=255),
        skip_opted_out=reader.boolean("CHANNEL_SKIP_OPTED_OUT", True),
        skip_inactive=reader.boolean("CHANNEL_SKIP_INACTIVE", True),
        max_workers=reader.integer("CHANNEL_MAX_WORKERS", 50, 1, 50),
        max_attempts=reader.integer("CHANNEL_MAX_ATTEMPTS", 3, 1, 10),
        deadline_seconds=float(
            reader.integer("CHANNEL_DEADLINE_SECONDS", 15, 1, MAX_DEADLINE_SECONDS)
        ),
        safety_margin_ms=reader.integer("CHANNEL_SAFETY_MARGIN_MS", 750, 0, 5000),
        log_level=reader.choice("CHANNEL_LOG_LEVEL", LOG_LEVELS, _lambda_log_level(env)),
        log_endpoint_ids=log_endpoint_ids(env),
        log_id_key=log_id_key(env),
        secret_id=reader.optional("CHANNEL_SECRET_ID"),
        secret_parameter=reader.optional("CHANNEL_SECRET_PARAMETER"),
        secret_ttl_seconds=reader.integer("CHANNEL_SECRET_TTL_SECONDS", 300, 0, 86400),
        receiver_secret_id=reader.optional("CHANNEL_RECEIVER_SECRET_ID"),
        idempotency_table=reader.optional("CHANNEL_IDEMPOTENCY_TABLE"),
        # The lease must outlast an invocation (Pinpoint waits 15 s) or a slow send is resent.
        idempotency_lease_seconds=reader.integer(
            "CHANNEL_IDEMPOTENCY_LEASE_SECONDS", 60, 16, 86400
        ),
        idempotency_ttl_seconds=reader.integer(
            "CHANNEL_IDEMPOTENCY_TTL_SECONDS", 7 * 86400, 3600, 366 * 86400
        ),
        # A Pinpoint journey's event has nothing that changes per entry (idempotency.py,
        # "Journeys"): past this window a record is an earlier entry's, and a new entry is sent.
        # At least 900 s, the longest a Lambda invocation (the earlier holder) can run.
        journey_reentry_seconds=reader.integer(
            "CHANNEL_JOURNEY_REENTRY_SECONDS", 3600, 900, 366 * 86400
        ),
        failure_policy=reader.choice("CHANNEL_FAILURE_POLICY", FAILURE_POLICIES, "report"),
        rate_limit_per_second=reader.integer("CHANNEL_RATE_LIMIT_PER_SECOND", 0, 0, 100000),
        failure_queue_url=reader.queue_url("CHANNEL_FAILURE_QUEUE_URL"),
        event_source=reader.choice("CHANNEL_EVENT_SOURCE", EVENT_SOURCES, "auto"),
        connect=_connect_settings(reader, provider.phone_addresses),
        channel_name=_channel_name(reader),
    )
    settings = replace(settings, receipts=_receipt_settings(reader, settings))
    if settings.failure_policy == "retry":
        # Connect fails every profile of a batch whose function throws: there is no retry to
        # ask for, only a batch lost. The retry policy serves Pinpoint events alone.
        if settings.event_source == "connect":
            raise ConfigError(
                "CHANNEL_FAILURE_POLICY",
                "retry cannot serve CHANNEL_EVENT_SOURCE=connect (a Connect batch that throws "
                "fails whole); use report",
            )
        settings = replace(settings, event_source="pinpoint")
    if settings.event_source == "connect" and not env.get("CHANNEL_METRICS_NAMESPACE"):
        settings = replace(settings, metrics_namespace=CONNECT_NAMESPACE)
    if settings.deadline_seconds * 1000 - settings.safety_margin_ms < MIN_BUDGET_MS:
        # The deadline less the margin is all the time an invocation has to deliver: a
        # negative or tiny budget would answer every endpoint before sending anything.
        raise ConfigError(
            "CHANNEL_SAFETY_MARGIN_MS",
            f"must leave at least {MIN_BUDGET_MS} ms of CHANNEL_DEADLINE_SECONDS "
            f"({settings.safety_margin_ms} of {settings.deadline_seconds * 1000:.0f} ms)",
        )
    if settings.secret_id and settings.secret_parameter:
        raise ConfigError("CHANNEL_SECRET_PARAMETER", "set CHANNEL_SECRET_ID or this, not both")
    if settings.failure_policy == "retry" and not settings.idempotency_table:
        raise ConfigError(
            "CHANNEL_FAILURE_POLICY",
            "retry needs CHANNEL_IDEMPOTENCY_TABLE, or Pinpoint's retry would send twice",
        )
    if provider.needs_secret and not (settings.secret_id or settings.secret_parameter):
        raise ConfigError(
            "CHANNEL_SECRET_ID", f"the {adapter} adapter needs its credentials in a secret"
        )
    return settings


def _receipt_settings(reader: EnvReader, settings: Settings) -> ReceiptSettings:
    url = reader.optional("CHANNEL_RECEIPTS_URL")
    if url is not None:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url):
            raise ConfigError(
                "CHANNEL_RECEIPTS_URL", "must be an https:// URL without a query or fragment"
            )
        require_https("CHANNEL_RECEIPTS_URL", url)
        if not settings.idempotency_table:
            raise ConfigError(
                "CHANNEL_RECEIPTS_URL",
                "needs CHANNEL_IDEMPOTENCY_TABLE (the receipts are kept in that table)",
            )
        if settings.adapter not in ("twilio", "http"):
            raise ConfigError(
                "CHANNEL_RECEIPTS_URL",
                f"the {settings.adapter} adapter reads no receipts (twilio and http do)",
            )
    event_bus = reader.text("CHANNEL_RECEIPTS_EVENT_BUS", "default", max_len=1600)
    if not _EVENT_BUS.fullmatch(event_bus):
        raise ConfigError("CHANNEL_RECEIPTS_EVENT_BUS", "must be an event bus name or ARN")
    write_back = reader.boolean("CHANNEL_CONSENT_WRITE_BACK", False)
    domain = reader.optional("CHANNEL_CONNECT_PROFILES_DOMAIN")
    if domain is not None and not _PROFILES_DOMAIN.fullmatch(domain):
        raise ConfigError(
            "CHANNEL_CONNECT_PROFILES_DOMAIN",
            "must be 1-64 letters, digits, _ or - (a Customer Profiles domain name)",
        )
    if write_back and settings.event_source != "pinpoint":
        # A Connect profile's consent is written where the channel reads it: a custom
        # attribute (UpdateProfile's Attributes) of the instance's profiles domain.
        if domain is None:
            raise ConfigError(
                "CHANNEL_CONNECT_PROFILES_DOMAIN",
                "is required with CHANNEL_CONSENT_WRITE_BACK for Connect events",
            )
        if opt_out_attribute(settings.connect.opt_out_field) is None:
            raise ConfigError(
                "CHANNEL_CONNECT_OPT_OUT_FIELD",
                "must be Attributes.<Name> with CHANNEL_CONSENT_WRITE_BACK (the custom "
                "attribute UpdateProfile writes)",
            )
    return ReceiptSettings(
        url=url,
        event_bus=event_bus,
        consent_write_back=write_back,
        profiles_domain=domain,
    )


def opt_out_attribute(opt_out_field: str) -> str | None:
    """The custom attribute a Connect opt-out field `Attributes.<Name>` names (what
    UpdateProfile's Attributes writes: consent.py), or None for any other field."""
    prefix, _, name = opt_out_field.partition(".")
    if prefix.casefold() == "attributes" and name and "." not in name:
        return name
    return None


def _channel_name(reader: EnvReader) -> str | None:
    name = reader.optional("CHANNEL_NAME")
    if name is not None and not _CHANNEL_NAME.fullmatch(name):
        raise ConfigError(
            "CHANNEL_NAME",
            "must be 1-255 printable ASCII characters (a CloudWatch dimension value)",
        )
    return name


def log_endpoint_ids(env: Mapping[str, str]) -> str:
    """CHANNEL_LOG_ENDPOINT_IDS: hashed (the default) or clear."""
    return EnvReader(env).choice("CHANNEL_LOG_ENDPOINT_IDS", ENDPOINT_ID_MODES, "hashed")


def log_id_key(env: Mapping[str, str]) -> str | None:
    """CHANNEL_LOG_ID_KEY, the key of the endpoint id hashes (None: unset); its value is
    never in an error."""
    key = EnvReader(env).optional("CHANNEL_LOG_ID_KEY")
    if key is not None and not MIN_LOG_ID_KEY_CHARS <= len(key) <= MAX_LOG_ID_KEY_CHARS:
        raise ConfigError(
            "CHANNEL_LOG_ID_KEY",
            f"must be {MIN_LOG_ID_KEY_CHARS} to {MAX_LOG_ID_KEY_CHARS} characters (got {len(key)})",
        )
    return key


def _lambda_log_level(env: Mapping[str, str]) -> LogLevel:
    """Lambda's advanced logging controls set AWS_LAMBDA_LOG_LEVEL; honour it as the default."""
    level = env.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper()
    return next((known for known in LOG_LEVELS if known == level), "INFO")


def _connect_settings(reader: EnvReader, phone_first: bool) -> ConnectSettings:
    defaults = (
        CONNECT_PHONE_FIELDS + CONNECT_EMAIL_FIELDS
        if phone_first
        else CONNECT_EMAIL_FIELDS + CONNECT_PHONE_FIELDS
    )
    channel_type = reader.optional("CHANNEL_CONNECT_CHANNEL_TYPE") or (
        "SMS" if phone_first else "CUSTOM"
    )
    if not _CHANNEL_TYPE.fullmatch(channel_type):
        raise ConfigError("CHANNEL_CONNECT_CHANNEL_TYPE", "must be a channel type such as SMS")
    opt_out = reader.optional("CHANNEL_CONNECT_OPT_OUT_FIELD") or "Attributes.OptOut"
    if not FIELD_NAME.fullmatch(opt_out):
        raise ConfigError("CHANNEL_CONNECT_OPT_OUT_FIELD", f"is not a field name ({opt_out!r})")
    knowledge_base_id = reader.optional("CHANNEL_CONNECT_KNOWLEDGE_BASE_ID")
    template_ids = reader.string_map("CHANNEL_CONNECT_TEMPLATE_IDS", max_len=64)
    if knowledge_base_id is not None and not KNOWLEDGE_BASE_ID.fullmatch(knowledge_base_id):
        raise ConfigError(
            "CHANNEL_CONNECT_KNOWLEDGE_BASE_ID", "must be a knowledge base id (a lowercase UUID)"
        )
    for label, template_id in template_ids.items():
        if not TEMPLATE_ID.fullmatch(template_id):
            raise ConfigError(
                "CHANNEL_CONNECT_TEMPLATE_IDS",
                f"the template of {label!r} must be a message template id (a lowercase UUID, "
                "optionally :<version number>)",
            )
    if bool(template_ids) != (knowledge_base_id is not None):
        raise ConfigError(
            "CHANNEL_CONNECT_TEMPLATE_IDS"
            if knowledge_base_id
            else "CHANNEL_CONNECT_KNOWLEDGE_BASE_ID",
            "set CHANNEL_CONNECT_KNOWLEDGE_BASE_ID and CHANNEL_CONNECT_TEMPLATE_IDS together",
        )
    message_template = reader.optional_text("CHANNEL_MESSAGE_TEMPLATE", max_len=16384)
    message_templates = reader.string_map("CHANNEL_MESSAGE_TEMPLATES", max_len=16384)
    _check_message_template("CHANNEL_MESSAGE_TEMPLATE", None, message_template)
    for label, template in message_templates.items():
        _check_message_template("CHANNEL_MESSAGE_TEMPLATES", label, template)
    return ConnectSettings(
        knowledge_base_id=knowledge_base_id,
        template_ids=template_ids,
        template_ttl_seconds=reader.integer("CHANNEL_CONNECT_TEMPLATE_TTL_SECONDS", 300, 0, 86400),
        message_template=message_template,
        message_templates=message_templates,
        address_fields=reader.field_list("CHANNEL_CONNECT_ADDRESS_FIELDS", defaults),
        channel_type=channel_type,
        opt_out_field=opt_out,
        result_field=reader.boolean("CHANNEL_CONNECT_RESULT_FIELD", False),
    )


def _check_message_template(variable: str, label: str | None, template: str | None) -> None:
    """A Connect message template compiles (templating.py: limits, JSON look-alikes), so a
    bad one fails at cold start, naming the variable and the block label."""
    if template is None:
        return
    try:
        compile_template(template)
    except TemplateError as error:
        where = f"the template of {label!r} " if label is not None else ""
        raise ConfigError(variable, f"{where}{error}") from None

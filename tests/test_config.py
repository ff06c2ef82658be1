"""Every CHANNEL_* variable is validated, and an error names the variable."""

from __future__ import annotations

import json

import pytest

from custom_channel.adapters.http import HttpAdapter
from custom_channel.config import ConfigError, Settings, load_settings


def test_defaults_need_no_variables():
    settings = load_settings({})
    assert settings == Settings()
    assert settings.adapter == "none"
    assert settings.metrics_mode == "api"
    assert settings.max_workers == 50
    assert settings.deadline_seconds == 15.0


def test_http_settings_are_parsed():
    settings = load_settings(
        {
            "CHANNEL_ADAPTER": "HTTP",
            "CHANNEL_HTTP_URL": "https://api.example.com/send",
            "CHANNEL_HTTP_METHOD": "put",
            "CHANNEL_HTTP_HEADERS": '{"X-Api-Key": "{{Secret.key}}"}',
            "CHANNEL_HTTP_SUCCESS_CODES": "200, 202-204",
            "CHANNEL_HTTP_BODY_ENCODING": "form",
            "CHANNEL_HTTP_IDEMPOTENCY_HEADER": "Idempotency-Key",
        }
    )
    assert settings.adapter == "http"
    assert isinstance(settings.provider, HttpAdapter)
    assert settings.provider.method == "PUT"
    assert settings.provider.headers == {"X-Api-Key": "{{Secret.key}}"}
    assert settings.provider.success_codes == frozenset({200, 202, 203, 204})
    assert settings.provider.body_encoding == "form"
    assert settings.provider.idempotency_header == "Idempotency-Key"


def test_lambda_log_level_is_the_default_level():
    assert load_settings({"AWS_LAMBDA_LOG_LEVEL": "debug"}).log_level == "DEBUG"
    assert load_settings({"AWS_LAMBDA_LOG_LEVEL": "TRACE"}).log_level == "INFO"


def test_endpoint_ids_are_logged_hashed_unless_set_clear_and_the_key_is_never_shown():
    assert (Settings().log_endpoint_ids, Settings().log_id_key) == ("hashed", None)
    key = "a-log-id-key-of-the-deployment-0123456789"
    settings = load_settings({"CHANNEL_LOG_ENDPOINT_IDS": " Clear ", "CHANNEL_LOG_ID_KEY": key})
    assert (settings.log_endpoint_ids, settings.log_id_key) == ("clear", key)
    assert key not in repr(settings)
    with pytest.raises(ConfigError) as raised:
        load_settings({"CHANNEL_LOG_ID_KEY": "a-short-log-id-key"})
    assert "a-short-log-id-key" not in str(raised.value)


HTTP = {"CHANNEL_ADAPTER": "http", "CHANNEL_HTTP_URL": "https://x.example.com"}


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"CHANNEL_ADAPTER": "sms-magic"}, "CHANNEL_ADAPTER"),
        ({"CHANNEL_METRICS_MODE": "statsd"}, "CHANNEL_METRICS_MODE"),
        ({"CHANNEL_SKIP_OPTED_OUT": "maybe"}, "CHANNEL_SKIP_OPTED_OUT"),
        ({"CHANNEL_SKIP_INACTIVE": "2"}, "CHANNEL_SKIP_INACTIVE"),
        ({"CHANNEL_MAX_WORKERS": "0"}, "CHANNEL_MAX_WORKERS"),
        ({"CHANNEL_MAX_WORKERS": "51"}, "CHANNEL_MAX_WORKERS"),
        ({"CHANNEL_MAX_ATTEMPTS": "three"}, "CHANNEL_MAX_ATTEMPTS"),
        ({"CHANNEL_DEADLINE_SECONDS": "0"}, "CHANNEL_DEADLINE_SECONDS"),
        ({"CHANNEL_SAFETY_MARGIN_MS": "-1"}, "CHANNEL_SAFETY_MARGIN_MS"),
        ({"CHANNEL_LOG_LEVEL": "LOUD"}, "CHANNEL_LOG_LEVEL"),
        ({"CHANNEL_LOG_ENDPOINT_IDS": "cleartext"}, "CHANNEL_LOG_ENDPOINT_IDS"),
        ({"CHANNEL_LOG_ID_KEY": "k" * 31}, "CHANNEL_LOG_ID_KEY"),
        ({"CHANNEL_LOG_ID_KEY": "k" * 1025}, "CHANNEL_LOG_ID_KEY"),
        ({"CHANNEL_SECRET_TTL_SECONDS": "x"}, "CHANNEL_SECRET_TTL_SECONDS"),
        ({"CHANNEL_METRICS_NAMESPACE": "n" * 256}, "CHANNEL_METRICS_NAMESPACE"),
        (
            {"CHANNEL_SECRET_ID": "a", "CHANNEL_SECRET_PARAMETER": "b"},
            "CHANNEL_SECRET_PARAMETER",
        ),
        ({"CHANNEL_ADAPTER": "http"}, "CHANNEL_HTTP_URL"),
        ({**HTTP, "CHANNEL_HTTP_URL": "ftp://x"}, "CHANNEL_HTTP_URL"),
        ({**HTTP, "CHANNEL_HTTP_METHOD": "DELETE"}, "CHANNEL_HTTP_METHOD"),
        ({**HTTP, "CHANNEL_HTTP_HEADERS": "{not json"}, "CHANNEL_HTTP_HEADERS"),
        ({**HTTP, "CHANNEL_HTTP_HEADERS": '{"A": 1}'}, "CHANNEL_HTTP_HEADERS"),
        ({**HTTP, "CHANNEL_HTTP_HEADERS": '{"Bad Name": "x"}'}, "CHANNEL_HTTP_HEADERS"),
        ({**HTTP, "CHANNEL_HTTP_BODY_ENCODING": "xml"}, "CHANNEL_HTTP_BODY_ENCODING"),
        ({**HTTP, "CHANNEL_HTTP_SUCCESS_CODES": "2xx"}, "CHANNEL_HTTP_SUCCESS_CODES"),
        ({**HTTP, "CHANNEL_HTTP_SUCCESS_CODES": "299-200"}, "CHANNEL_HTTP_SUCCESS_CODES"),
        ({**HTTP, "CHANNEL_HTTP_IDEMPOTENCY_HEADER": "a b"}, "CHANNEL_HTTP_IDEMPOTENCY_HEADER"),
        ({"CHANNEL_ADAPTER": "twilio", "CHANNEL_SECRET_ID": "s"}, "CHANNEL_TWILIO_FROM"),
        (
            {"CHANNEL_ADAPTER": "twilio", "CHANNEL_SECRET_ID": "s", "CHANNEL_TWILIO_FROM": "555"},
            "CHANNEL_TWILIO_FROM",
        ),
        ({"CHANNEL_ADAPTER": "twilio", "CHANNEL_TWILIO_FROM": "+15550001111"}, "CHANNEL_SECRET_ID"),
        ({"CHANNEL_ADAPTER": "slack"}, "CHANNEL_SECRET_ID"),
        (
            {"CHANNEL_ADAPTER": "slack", "CHANNEL_SECRET_ID": "s", "CHANNEL_SLACK_API_BASE": "x"},
            "CHANNEL_SLACK_API_BASE",
        ),
    ],
)
def test_a_bad_variable_is_named(env, variable):
    with pytest.raises(ConfigError) as raised:
        load_settings(env)
    assert raised.value.variable == variable
    assert str(raised.value).startswith(f"{variable}: ")


# --- security checks at cold start (docs/security.md) ---------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://{{Attributes.Host}}/send",
        "https://api.{{Attributes.Region}}.example.com/send",
        "https://api.example.com:{{Attributes.Port}}/send",
        "https://{{Secret.user}}@api.example.com/send",
        "https://api.example.com{{Attributes.Path}}",
        "https://api.example.com?to={{Address}}",  # before the first /: refused
        "https://api.example.com{/send",
        "{{Scheme}}://api.example.com/send",
    ],
)
def test_a_placeholder_before_the_path_of_the_http_url_is_refused(url):
    with pytest.raises(ConfigError) as raised:
        load_settings({**HTTP, "CHANNEL_HTTP_URL": url})
    assert raised.value.variable == "CHANNEL_HTTP_URL"


@pytest.mark.parametrize(
    "url",
    [
        "https://api.example.com/v1/{{Attributes.Path}}?to={{Address}}#{{EndpointId}}",
        "https://api.example.com:8443/send/{{EndpointId}}",
        "http://127.0.0.1:8080/send/{{EndpointId}}",
        "http://127.9.9.9/x",
        "http://localhost:1/x",
        "http://[::1]:8080/x",
    ],
)
def test_placeholders_from_the_path_on_and_http_to_loopback_are_accepted(url):
    settings = load_settings({**HTTP, "CHANNEL_HTTP_URL": url})
    assert isinstance(settings.provider, HttpAdapter)
    assert settings.provider.url == url


LOOPBACK_LOOKALIKES = [
    "http://api.example.com/send",
    "http://127.0.0.1.example.com/x",
    "http://localhost.example.com/x",
    "http://127.0.0.1@evil.example/x",
    "http://evil.example\\@127.0.0.1/x",
    "http://[::2]/x",
    "http://10.0.0.1/x",
    "http://0.0.0.0/x",
]


@pytest.mark.parametrize("url", LOOPBACK_LOOKALIKES)
def test_http_urls_must_be_https_unless_to_loopback(url):
    with pytest.raises(ConfigError) as raised:
        load_settings({**HTTP, "CHANNEL_HTTP_URL": url})
    assert raised.value.variable == "CHANNEL_HTTP_URL"


@pytest.mark.parametrize(
    ("adapter", "variable"),
    [("twilio", "CHANNEL_TWILIO_API_BASE"), ("slack", "CHANNEL_SLACK_API_BASE")],
)
@pytest.mark.parametrize("url", ["http://api.example.com", "http://127.0.0.1.example.com"])
def test_provider_api_bases_must_be_https_unless_to_loopback(adapter, variable, url):
    env = {
        "CHANNEL_ADAPTER": adapter,
        "CHANNEL_SECRET_ID": "s",
        "CHANNEL_TWILIO_FROM": "+15005550006",
    }
    with pytest.raises(ConfigError) as raised:
        load_settings({**env, variable: url})
    assert raised.value.variable == variable
    assert load_settings({**env, variable: "http://127.0.0.1:9000/api"})


@pytest.mark.parametrize("value", ["a\r\nX-Evil: 1", "a\nb", "a\rb", "a\x00b", "a\x1bb", "\x7f"])
def test_a_header_template_with_a_control_character_is_refused(value):
    with pytest.raises(ConfigError) as raised:
        load_settings({**HTTP, "CHANNEL_HTTP_HEADERS": json.dumps({"X-Key": value})})
    assert raised.value.variable == "CHANNEL_HTTP_HEADERS"
    assert "X-Key" in str(raised.value)


def test_a_header_template_may_hold_tabs_spaces_and_unicode():
    headers = {"X-Key": "a\tb c é {{Secret.key}}"}
    settings = load_settings({**HTTP, "CHANNEL_HTTP_HEADERS": json.dumps(headers)})
    assert isinstance(settings.provider, HttpAdapter)
    assert settings.provider.headers == headers


@pytest.mark.parametrize(
    ("deadline", "margin"),
    [("1", "1"), ("1", "750"), ("2", "1500"), ("5", "4001"), ("5", "5000")],
)
def test_a_safety_margin_that_leaves_less_than_a_second_is_refused(deadline, margin):
    with pytest.raises(ConfigError) as raised:
        load_settings({"CHANNEL_DEADLINE_SECONDS": deadline, "CHANNEL_SAFETY_MARGIN_MS": margin})
    assert raised.value.variable == "CHANNEL_SAFETY_MARGIN_MS"
    assert str(raised.value).startswith("CHANNEL_SAFETY_MARGIN_MS: ")


@pytest.mark.parametrize(("deadline", "margin"), [("1", "0"), ("2", "1000"), ("15", "5000")])
def test_a_safety_margin_that_leaves_a_second_is_accepted(deadline, margin):
    settings = load_settings(
        {"CHANNEL_DEADLINE_SECONDS": deadline, "CHANNEL_SAFETY_MARGIN_MS": margin}
    )
    assert settings.deadline_seconds * 1000 - settings.safety_margin_ms >= 1000


def test_the_default_margin_needs_a_deadline_of_two_seconds():
    """750 ms of the default margin leave 250 ms of a 1 s deadline: too little."""
    with pytest.raises(ConfigError) as raised:
        load_settings({"CHANNEL_DEADLINE_SECONDS": "1"})
    assert raised.value.variable == "CHANNEL_SAFETY_MARGIN_MS"
    assert load_settings({"CHANNEL_DEADLINE_SECONDS": "2"}).safety_margin_ms == 750


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CHANNEL_HTTP_BODY_TEMPLATE", "{{a}}" * 1001),
        ("CHANNEL_HTTP_URL", "https://x.example.com/" + "{{a}}" * 1001),
        ("CHANNEL_HTTP_URL", "https://x.example.com/" + "x" * 40000),
        ("CHANNEL_HTTP_HEADERS", json.dumps({"X-A": "x" * 40000})),
    ],
)
def test_http_templates_over_the_template_limits_are_refused(variable, value):
    with pytest.raises(ConfigError) as raised:
        load_settings({**HTTP, variable: value})
    assert raised.value.variable == variable


# --- CHANNEL_NAME: the deployment's name, the Channel dimension of the delivery metrics -----


def test_the_channel_name_is_unset_by_default_and_read_when_set():
    assert load_settings({}).channel_name is None
    assert load_settings({"CHANNEL_NAME": "prod-sms_1"}).channel_name == "prod-sms_1"
    assert load_settings({"CHANNEL_NAME": "n" * 255}).channel_name == "n" * 255
    # Any printable ASCII: a CloudWatch dimension value, not only what the module's names allow.
    assert load_settings({"CHANNEL_NAME": "team a/sms (eu)"}).channel_name == "team a/sms (eu)"


@pytest.mark.parametrize(
    "value",
    [
        "n" * 256,  # over 255 characters
        "line\nbreak",  # a control character
        "tab\there",
        "nul\x00",
        "del\x7f",
        "canal-é",  # CloudWatch: "Dimension values must contain only ASCII characters"
    ],
)
def test_a_bad_channel_name_is_named_in_one_line(value):
    with pytest.raises(ConfigError) as raised:
        load_settings({"CHANNEL_NAME": value})
    assert raised.value.variable == "CHANNEL_NAME"
    assert str(raised.value).startswith("CHANNEL_NAME: ")
    assert "\n" not in str(raised.value)


def test_a_connect_function_publishes_under_its_own_namespace():
    """Connect's metrics never land in Pinpoint's PinpointCustomChannelExecution by default: a
    function that serves Connect alone publishes to ConnectCustomAction; Pinpoint and `auto`
    (a function serving both during a migration) keep the guide's namespace."""
    assert load_settings({}).metrics_namespace == "PinpointCustomChannelExecution"
    pinpoint = {"CHANNEL_EVENT_SOURCE": "pinpoint"}
    assert load_settings(pinpoint).metrics_namespace == "PinpointCustomChannelExecution"
    connect = {"CHANNEL_EVENT_SOURCE": "connect", "CHANNEL_MESSAGE_TEMPLATE": "Hi"}
    assert load_settings(connect).metrics_namespace == "ConnectCustomAction"
    assert load_settings({**connect, "CHANNEL_EVENT_SOURCE": "Connect"}).metrics_namespace == (
        "ConnectCustomAction"
    )
    # A namespace set is used as set, for either source.
    chosen = {"CHANNEL_METRICS_NAMESPACE": "PinpointCustomChannelExecution"}
    assert load_settings({**connect, **chosen}).metrics_namespace == (
        "PinpointCustomChannelExecution"
    )
    assert load_settings(
        {**connect, "CHANNEL_METRICS_NAMESPACE": "Acme/Sms"}
    ).metrics_namespace == ("Acme/Sms")

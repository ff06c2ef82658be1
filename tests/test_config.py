"""Every CHANNEL_* variable is validated, and an error names the variable."""

from __future__ import annotations

import pytest

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
    assert settings.http is not None
    assert settings.http.method == "PUT"
    assert settings.http.headers == {"X-Api-Key": "{{Secret.key}}"}
    assert settings.http.success_codes == frozenset({200, 202, 203, 204})
    assert settings.http.body_encoding == "form"
    assert settings.http.idempotency_header == "Idempotency-Key"


def test_lambda_log_level_is_the_default_level():
    assert load_settings({"AWS_LAMBDA_LOG_LEVEL": "debug"}).log_level == "DEBUG"
    assert load_settings({"AWS_LAMBDA_LOG_LEVEL": "TRACE"}).log_level == "INFO"


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

"""The log check that every test runs (tests/leakcheck.py) finds what it must."""

from __future__ import annotations

import json

import pytest

from custom_channel.logs import mask_address
from tests.leakcheck import assert_clean, sensitive_strings


def test_it_looks_for_every_address_and_the_message_text(guide_event):
    found = sensitive_strings(guide_event)
    addresses = {ep["Address"] for ep in guide_event["Endpoints"].values()}
    assert addresses <= found
    assert guide_event["Data"] in found


def test_placeholders_and_json_field_names_are_not_message_text():
    data = {
        "channel": "{{ChannelType}}",
        "text": "Hello {{Attributes.FirstName}}, your offer is live",
    }
    assert sensitive_strings({"Data": json.dumps(data)}) == {"your offer is live"}


def test_a_log_with_an_address_or_the_text_fails_and_a_masked_one_passes(guide_event):
    address = next(iter(guide_event["Endpoints"].values()))["Address"]
    masked = json.dumps({"message": "endpoint not delivered", "address": mask_address(address)})
    assert_clean(masked, [guide_event])
    with pytest.raises(AssertionError, match="endpoint data in the logs"):
        assert_clean(json.dumps({"address": address}), [guide_event])
    with pytest.raises(AssertionError, match="endpoint data in the logs"):
        assert_clean(json.dumps({"body": guide_event["Data"]}), [guide_event])


def test_lambda_debug_logging_captures_every_logger_with_arguments_and_fields():
    import logging

    from tests.leakcheck import lambda_debug_logging, leaks

    library = logging.getLogger("some.library")
    with lambda_debug_logging() as capture:
        library.debug("Response body: %r", b'{"SecretString": "tok-123456"}')
        logging.getLogger("custom_channel").warning("x", extra={"address": "+12065550100"})
    assert leaks(capture.texts, {"tok-123456", "+12065550100"})
    assert {record.name for record in capture.records} == {"some.library", "custom_channel"}

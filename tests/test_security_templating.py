"""Templates: linear scanning, bounded size, and no JSON injection (docs/security.md)."""

from __future__ import annotations

import json
import random
import re
import time

import pytest

from custom_channel.channel import Channel
from custom_channel.config import ConfigError, load_settings
from custom_channel.operator.local import invoke
from custom_channel.templating import (
    MAX_PLACEHOLDERS,
    MAX_TEMPLATE_CHARS,
    TemplateError,
    _Slot,
    _text_parts,
    compile_template,
    data_escaper,
    escaper,
    is_json_template,
)
from emulator.segments import campaign_event

# The regular expression the scanner replaces: the grammar's oracle on short inputs (it
# backtracks cubically on long ones, which is why it was replaced).
_OLD_PLACEHOLDER = re.compile(r"\{\{\s*([^{}|]+?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}")
FAST_SECONDS = 0.5  # generous on a loaded 2-CPU machine; the old code took seconds for 1 KB


def _old_text_parts(text: str) -> list[str | _Slot]:
    parts: list[str | _Slot] = []
    position = 0
    for match in _OLD_PLACEHOLDER.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        default = match.group(2)
        if default is not None and len(default) >= 2 and default[0] == default[-1] in "\"'":
            default = default[1:-1]
        parts.append(_Slot(match.group(1), default))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return parts


def test_the_scanner_reads_exactly_what_the_old_expression_read():
    rng = random.Random(20261201)
    alphabet = ["{", "}", "{{", "}}", "|", " ", "\t", "\n", "\u00a0", '"', "'", "a", "B", ".", "é"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert _text_parts(text) == _old_text_parts(text), repr(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{Name}}", [_Slot("Name", None)]),
        ("{{ Name | default }}", [_Slot("Name", "default")]),
        ('{{ A | "two words" }}', [_Slot("A", "two words")]),
        ("{{ A | 'x' }}", [_Slot("A", "x")]),
        ("{{A|b|c}}", [_Slot("A", "b|c")]),
        ("{{A|}}", [_Slot("A", "")]),
        ("{{   }}", [_Slot(" ", None)]),
        ("{{{A}}}", ["{", _Slot("A", None), "}"]),
        ("{{|x}}", ["{{|x}}"]),
        ("{{}}", ["{{}}"]),
        ("{{a}b}}", ["{{a}b}}"]),
        ("Hi {{", ["Hi {{"]),
    ],
)
def test_the_grammar_is_kept(text, expected):
    assert _text_parts(text) == expected


def _timed(text: str) -> tuple[float, BaseException | None]:
    compile_template.cache_clear()
    started = time.perf_counter()
    try:
        compile_template(text)
    except TemplateError as error:
        return time.perf_counter() - started, error
    return time.perf_counter() - started, None


# The worst input of each grammar rule, as a function of its length.
WORST_INPUTS = {
    "unclosed, then blanks": lambda n: "Hi {{" + " " * n,
    "unclosed, then a name": lambda n: "{{" + "a" * n,
    "many bars": lambda n: "{{a" + "|" * n,
    "bars and blanks": lambda n: "{{ " + " | " * (n // 3) + "}",
    "blanks, then a single brace": lambda n: "{{ a" + " " * n + "}",
    "many opens": lambda n: "{{ " * (n // 3),
    "nested braces": lambda n: "{" * n + "}" * n,
    "open, close, open": lambda n: "{{}}{" * (n // 5),
    "json string left open": lambda n: '["' + "{{ " * (n // 3),
    "json array of opens": lambda n: "[" + "{" * n,
    "json with blanks in a placeholder": lambda n: '{"a": {{' + " " * n + "}",
    "json nested too deep": lambda n: "[" * n,
}


@pytest.mark.parametrize("make", WORST_INPUTS.values(), ids=WORST_INPUTS.keys())
def test_the_worst_input_of_each_rule_compiles_quickly(make):
    # Small first: the old expression takes seconds here, so it fails before the large ones.
    for size in (1_000, MAX_TEMPLATE_CHARS // 2 - 10, 100_000):
        text = make(size)
        elapsed, error = _timed(text)
        assert elapsed < FAST_SECONDS, (size, elapsed)
        if len(text) > MAX_TEMPLATE_CHARS:
            assert isinstance(error, TemplateError)
        else:
            # Within the limits it compiles, or is refused as a JSON look-alike.
            assert error is None or "like a JSON document" in str(error)


def test_a_template_at_the_limit_with_the_most_placeholders_compiles_quickly():
    text = "{{ Attributes.A | x }}" * MAX_PLACEHOLDERS
    assert len(text) <= MAX_TEMPLATE_CHARS
    elapsed, error = _timed(text)
    assert error is None
    assert elapsed < FAST_SECONDS
    rendered = compile_template(text).render(lambda name: None)
    assert rendered == "x" * MAX_PLACEHOLDERS


def test_a_template_over_the_length_limit_fails_with_a_clear_error():
    with pytest.raises(TemplateError, match=f"longer than {MAX_TEMPLATE_CHARS} characters"):
        compile_template("x" * (MAX_TEMPLATE_CHARS + 1))


@pytest.mark.parametrize(
    "text",
    [
        "{{a}}" * (MAX_PLACEHOLDERS + 1),
        json.dumps({"text": "{{a}}" * (MAX_PLACEHOLDERS + 1)}),
        json.dumps([f"{{{{a{i}}}}}" for i in range(MAX_PLACEHOLDERS + 1)]),
    ],
    ids=["text", "one json string", "many json strings"],
)
def test_a_template_with_too_many_placeholders_fails_with_a_clear_error(text):
    with pytest.raises(TemplateError, match=f"more than {MAX_PLACEHOLDERS} placeholders"):
        compile_template(text)


def test_json_nested_deeper_than_the_parser_is_refused_not_text():
    text = "[" * 5000 + '"{{A}}"' + "]" * 5000
    assert not is_json_template(text)
    with pytest.raises(TemplateError, match="like a JSON document"):
        compile_template(text)


# --- JSON injection through a placeholder outside a JSON string ---------------------------

INJECTION = '1, "admin": true'


def _render(data: str, values: dict[str, str]) -> str:
    return compile_template(data).render(values.get, data_escaper(data))


def test_a_placeholder_outside_a_json_string_becomes_a_json_string():
    data = '{"n": {{Attributes.N}}}'
    rendered = _render(data, {"Attributes.N": INJECTION})
    assert json.loads(rendered) == {"n": INJECTION}
    assert json.loads(_render(data, {"Attributes.N": "7"})) == {"n": "7"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ('[{{A}}, {{B}}, "x {{A}}"]', [INJECTION, '"}\\', f"x {INJECTION}"]),
        ('{ {{A}}: {"k": [ {{B}} ]} }', {INJECTION: {"k": ['"}\\']}}),
        ('{"n": {{Missing | 0}}}', {"n": "0"}),
        ('{"n": {{Missing | "two words"}}}', {"n": "two words"}),
        ('\n  {"n": {{A}}\n}', {"n": INJECTION}),
    ],
)
def test_json_with_placeholders_outside_strings_stays_json_whatever_the_values(data, expected):
    values = {"A": INJECTION, "B": '"}\\'}
    assert is_json_template(data)
    assert json.loads(_render(data, values)) == expected
    # The http adapter's json body encoding reads such a body template the same way.
    assert compile_template(data).render(values.get, escaper("json")) == _render(data, values)


@pytest.mark.parametrize("data", ["{{A}}", "{not json {{A}}", "{{A}} [1]", "[Sale] {{A}}!"])
def test_text_that_is_no_json_document_even_with_its_placeholders_stays_text(data):
    assert not is_json_template(data)
    assert _render(data, {"A": INJECTION, "B": "b"}) == data.replace("{{A}}", INJECTION).replace(
        "{{B}}", "b"
    )


def test_a_value_escape_is_applied_before_the_json_escaping():
    data = '{"text": "Hi {{A}}", "n": {{A}}}'
    escape = data_escaper(data, lambda value: value.replace("<", "&lt;"))
    rendered = compile_template(data).render({"A": '<!channel> "x"'}.get, escape)
    assert json.loads(rendered) == {"text": 'Hi &lt;!channel> "x"', "n": '&lt;!channel> "x"'}
    text_escape = data_escaper("Hi {{A}}", lambda value: value.replace("<", "&lt;"))
    assert compile_template("Hi {{A}}").render({"A": "<b>"}.get, text_escape) == "Hi &lt;b>"


# Data that is almost JSON: the landed code read it as text and substituted values unescaped,
# so an address `x@y.com", "role": "admin` added a key to what the provider parses.
ALMOST_JSON = '{"to": "{{Address}}", "amount": {{Attributes.Amount}}.00}'


def test_a_json_look_alike_that_is_not_json_is_refused_not_read_as_text():
    with pytest.raises(TemplateError, match="not valid JSON once each placeholder"):
        compile_template(ALMOST_JSON)
    for look_alike in ('{"n": {{A}} {{B}}}', '["x" {{A}}]'):
        with pytest.raises(TemplateError, match="not valid JSON once each placeholder"):
            compile_template(look_alike)
    for text in ("[Sale] 20% off for {{FirstName}}", "{{FirstName}}, see {this}", "Hi {x}"):
        compile_template(text)  # text that merely starts or ends with a brace stays text


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"CHANNEL_HTTP_BODY_TEMPLATE": ALMOST_JSON}, "CHANNEL_HTTP_BODY_TEMPLATE"),
        ({"CHANNEL_MESSAGE_TEMPLATE": ALMOST_JSON}, "CHANNEL_MESSAGE_TEMPLATE"),
        (
            {"CHANNEL_MESSAGE_TEMPLATES": json.dumps({"Block A": ALMOST_JSON})},
            "CHANNEL_MESSAGE_TEMPLATES: the template of 'Block A'",
        ),
    ],
)
def test_a_json_look_alike_setting_fails_at_cold_start_naming_it(env, variable):
    base = {"CHANNEL_ADAPTER": "http", "CHANNEL_HTTP_URL": "https://provider.example/send"}
    with pytest.raises(ConfigError, match=re.escape(variable)):
        load_settings({**base, **env})


def test_a_json_look_alike_campaign_data_sends_nothing(provider):
    settings = load_settings(
        {
            "CHANNEL_ADAPTER": "http",
            "CHANNEL_HTTP_URL": f"{provider.url}/send",
            "CHANNEL_HTTP_BODY_ENCODING": "plain",
            "CHANNEL_METRICS_MODE": "off",
        }
    )
    endpoint = {
        "ChannelType": "EMAIL",
        "Address": 'x@y.com", "role": "admin',
        "Attributes": {"Amount": ["12"]},
    }
    answer = invoke(campaign_event({"ep-1": endpoint}, ALMOST_JSON), channel=Channel(settings))
    attributes = answer.response["ep-1"]["EventAttributes"]
    assert attributes["status"] == "failed"
    assert attributes["reason"].startswith("template: starts and ends like a JSON document")
    assert provider.requests == []

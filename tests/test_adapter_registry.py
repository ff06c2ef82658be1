"""An adapter from outside the package: one module of its own, named by CHANNEL_ADAPTER_MODULE.

The module below is written to a directory outside the repository, put on sys.path as the
Lambda zip's root is, and run through the real entry point (custom_channel.lambda_function)
against the local provider server (emulator/provider_server.py): no mock of the handler, the
adapter or the network. It is the module docs/adapters.md shows.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from custom_channel import lambda_function, runtime
from custom_channel.adapters import (
    ADAPTER_NAME,
    ADAPTERS,
    RESERVED_NAMES,
    ProviderResponse,
    Verdict,
)
from custom_channel.config import ConfigError, load_settings
from custom_channel.env import EnvReader
from custom_channel.operator.local import LocalContext
from emulator.provider_server import ProviderServer, Received, Reply

ROOT = Path(__file__).resolve().parent.parent
EP = "1dbcd396df28ac6cf8c1c2b7fexample"

ECHO_MODULE = '''
"""Echo: a provider that answers its verdict in a header (X-Echo-Status)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import ClassVar, Self
from urllib.parse import quote

from custom_channel.adapters import (
    AdapterBase,
    AdapterError,
    Answer,
    Message,
    ProviderRequest,
    ProviderResponse,
    Secret,
    Verdict,
    address_required,
    classify_by_status,
)
from custom_channel.env import EnvReader


@dataclass(frozen=True)
class EchoAdapter(AdapterBase):
    name: ClassVar[str] = "echo"
    needs_secret: ClassVar[bool] = True

    url: str
    priority: int = 3
    token: str = ""

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Self:
        reader = EnvReader(env)
        reader.required("CHANNEL_ECHO_URL")
        return cls(
            url=reader.base_url("CHANNEL_ECHO_URL", ""),
            priority=reader.integer("CHANNEL_ECHO_PRIORITY", 3, 1, 5),
        )

    def with_secret(self, secret: Secret | None) -> Self:
        if not isinstance(secret, Mapping) or not secret.get("token"):
            raise AdapterError("provider secret must be a JSON object with a token key")
        return replace(self, token=secret["token"])

    def build(self, message: Message) -> ProviderRequest:
        address_required(message.endpoint)
        return ProviderRequest(
            method="POST",
            url=f"{self.url}/echo/{quote(message.endpoint.endpoint_id, safe='')}",
            headers={
                "Authorization": f"Bearer {self.token}",
                "X-Echo-Priority": str(self.priority),
            },
            body=message.data.encode("utf-8"),
        )

    def classify(self, response: ProviderResponse) -> Answer:
        state = response.headers.get("X-Echo-Status")
        if response.status == 200 and state == "accepted":
            return Answer(Verdict.DELIVERED)
        if response.status == 200 and state == "busy":
            return Answer(Verdict.RETRY, "echo busy")
        if response.status == 200:
            return Answer(Verdict.FAILED, f"echo {state or 'no status'}")
        return classify_by_status(response.status)


ADAPTER = EchoAdapter
'''


@pytest.fixture
def echo_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The echo adapter as a module of the user's own, beside (not inside) custom_channel."""
    (tmp_path / "echo_provider.py").write_text(textwrap.dedent(ECHO_MODULE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "echo_provider"
    sys.modules.pop("echo_provider", None)


@pytest.fixture
def entry_point(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The packaged entry point, as a new container would load it under the test's env."""

    def load(**env: str) -> Any:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        runtime.reset()
        return importlib.reload(lambda_function)

    yield load
    runtime.reset()


ECHO_SECRET = "echo-provider"
ECHO_TOKEN = "echo-token-1"  # a local AWS secret's value


@pytest.fixture(autouse=True)
def echo_secret() -> Iterator[None]:
    """The provider secret the echo adapter reads its token from, in the local AWS."""
    with mock_aws():
        boto3.client("secretsmanager").create_secret(
            Name=ECHO_SECRET, SecretString=json.dumps({"token": ECHO_TOKEN})
        )
        yield


def echo_env(provider: ProviderServer, module: str, **extra: str) -> dict[str, str]:
    return {
        "CHANNEL_ADAPTER": "echo",
        "CHANNEL_ADAPTER_MODULE": module,
        "CHANNEL_ECHO_URL": provider.url,
        "CHANNEL_ECHO_PRIORITY": "5",
        "CHANNEL_METRICS_MODE": "off",
        "CHANNEL_SECRET_ID": ECHO_SECRET,
        **extra,
    }


def answering(status_header: str, **headers: str) -> Any:
    def respond(request: Received) -> Reply:
        return Reply(200, b"ok", {"X-Echo-Status": status_header, **headers})

    return respond


def many_endpoints(event: dict[str, Any], count: int) -> dict[str, Any]:
    (endpoint,) = event["Endpoints"].values()
    event["Endpoints"] = {
        f"ep-{n}": {**endpoint, "Address": f"u{n}@example.com"} for n in range(count)
    }
    return event


def test_an_adapter_from_outside_the_package_delivers_the_guides_sample(
    entry_point, echo_module, provider, guide_event
):
    provider.responder = answering("accepted")
    module = entry_point(**echo_env(provider, echo_module))
    response = module.lambda_handler(guide_event, LocalContext())
    assert response == {
        EP: {"EventAttributes": {"status": "delivered", "attempts": "1", "http_status": "200"}}
    }
    (request,) = provider.requests
    assert request.path == f"/echo/{EP}"
    assert request.body.decode() == guide_event["Data"]
    assert request.headers["X-Echo-Priority"] == "5"  # its own setting, read and used
    assert request.headers["Authorization"] == f"Bearer {ECHO_TOKEN}"  # from the secret
    assert "echo" not in ADAPTERS  # the package's registry is untouched


def test_every_endpoint_of_a_batch_is_delivered_and_answered(
    entry_point, echo_module, provider, guide_event
):
    provider.responder = answering("accepted")
    module = entry_point(**echo_env(provider, echo_module))
    response = module.lambda_handler(many_endpoints(guide_event, 20), LocalContext())
    assert {answer["EventAttributes"]["status"] for answer in response.values()} == {"delivered"}
    assert sorted(response) == sorted(f"ep-{n}" for n in range(20))
    assert sorted(r.path for r in provider.requests) == sorted(f"/echo/ep-{n}" for n in range(20))


def test_classify_reads_the_response_headers(entry_point, echo_module, provider, guide_event):
    provider.responder = answering("rejected")
    module = entry_point(**echo_env(provider, echo_module))
    attributes = module.lambda_handler(guide_event, LocalContext())[EP]["EventAttributes"]
    assert attributes == {
        "status": "failed",
        "reason": "echo rejected",
        "attempts": "1",
        "http_status": "200",
    }
    assert len(provider.requests) == 1  # a final failure: never sent again


def test_a_retry_verdict_from_a_header_is_sent_again_after_retry_after(
    entry_point, echo_module, provider, guide_event
):
    answers = iter(["busy", "accepted"])

    def respond(request: Received) -> Reply:
        return Reply(200, b"ok", {"X-Echo-Status": next(answers), "Retry-After": "0"})

    provider.responder = respond
    module = entry_point(**echo_env(provider, echo_module))
    response = module.lambda_handler(guide_event, LocalContext())
    assert response[EP]["EventAttributes"]["status"] == "delivered"
    assert len(provider.requests) == 2


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("CHANNEL_ECHO_PRIORITY", "9", "must be between 1 and 5 (got 9)"),
        ("CHANNEL_ECHO_URL", "http://echo.example.com", "must be an https:// URL"),
        ("CHANNEL_ECHO_URL", "", "is required for this adapter"),
    ],
)
def test_the_adapters_own_settings_are_validated_in_one_line(
    entry_point, echo_module, provider, guide_event, capsys, variable, value, problem
):
    env = echo_env(provider, echo_module, **{variable: value})
    with pytest.raises(ConfigError) as raised:
        load_settings(env)
    assert raised.value.variable == variable
    assert problem in raised.value.problem
    # The entry point: every endpoint failed with that line, one log line, nothing sent.
    module = entry_point(**env)
    attributes = module.lambda_handler(guide_event, LocalContext())[EP]["EventAttributes"]
    assert attributes["status"] == "failed"
    assert attributes["reason"] == f"configuration error: {raised.value}"
    (line,) = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert line["variable"] == variable
    assert "\n" not in str(raised.value)
    assert "Traceback" not in json.dumps(line)
    assert provider.requests == []


def _module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str) -> str:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return name


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("X = 1\n", "bad_provider must define ADAPTER, the adapter class"),
        ("raise RuntimeError('no licence file')\n", "(RuntimeError: no licence file)"),
        (
            "from custom_channel.adapters.none import NoneAdapter\n"
            "class Copy(NoneAdapter):\n    name = 'http'\nADAPTER = Copy\n",
            "'http' is a built-in adapter",
        ),
        (
            "from custom_channel.adapters.none import NoneAdapter\n"
            "class Copy(NoneAdapter):\n    name = 'metrics'\nADAPTER = Copy\n",
            "not one of",
        ),
        (
            "from custom_channel.adapters.none import NoneAdapter\n"
            "class Copy(NoneAdapter):\n    name = 'Echo-2'\nADAPTER = Copy\n",
            "lower-case letters",
        ),
    ],
)
def test_a_broken_adapter_module_is_one_line_naming_the_variable(
    tmp_path, monkeypatch, source, problem
):
    name = _module(tmp_path, monkeypatch, "bad_provider", source)
    with pytest.raises(ConfigError) as raised:
        load_settings({"CHANNEL_ADAPTER": "echo", "CHANNEL_ADAPTER_MODULE": name})
    assert raised.value.variable == "CHANNEL_ADAPTER_MODULE"
    assert problem in raised.value.problem
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("path", ["no_such_provider", "my-provider", "a..b", "/tmp/x.py"])
def test_an_unimportable_or_malformed_module_path_is_refused(path):
    with pytest.raises(ConfigError) as raised:
        load_settings({"CHANNEL_ADAPTER": "echo", "CHANNEL_ADAPTER_MODULE": path})
    assert raised.value.variable == "CHANNEL_ADAPTER_MODULE"


def test_without_its_module_an_unknown_adapter_names_the_choices(echo_module):
    with pytest.raises(ConfigError) as raised:
        load_settings({"CHANNEL_ADAPTER": "echo"})
    assert str(raised.value) == (
        "CHANNEL_ADAPTER: must be one of none, http, twilio, slack (got 'echo')"
    )
    settings = load_settings(
        {
            "CHANNEL_ADAPTER": "ECHO",
            "CHANNEL_ADAPTER_MODULE": echo_module,
            "CHANNEL_ECHO_URL": "https://e.example",
            "CHANNEL_SECRET_ID": ECHO_SECRET,
        }
    )
    assert settings.adapter == "echo"


def test_every_built_in_adapter_is_registered_under_its_own_name():
    assert list(ADAPTERS) == ["none", "http", "twilio", "slack"]
    for name, cls in ADAPTERS.items():
        assert cls.name == name
        assert name not in RESERVED_NAMES


def test_the_module_and_the_handler_agree_on_the_adapter_name_rule():
    """variables.tf repeats the built-in list and the reserved words: they must match."""
    text = (ROOT / "variables.tf").read_text(encoding="utf-8")
    found = re.findall(r"contains\((\[[^\]]*\]), var\.delivery\.adapter\)", text)
    lists = [tuple(json.loads(names)) for names in found]
    built_in = {names for names in lists if "none" in names}
    reserved = {names for names in lists if "metrics" in names}
    assert built_in == {tuple(ADAPTERS)}
    assert reserved == {tuple(sorted(RESERVED_NAMES))}
    assert "^[a-z][a-z0-9_]{0,31}$" in text
    assert ADAPTER_NAME.pattern == "[a-z][a-z0-9_]{0,31}"


def test_the_built_in_verdicts_read_the_response_object():
    http = ADAPTERS["http"].from_environment({"CHANNEL_HTTP_URL": "https://x.example/send"})
    assert http.classify(ProviderResponse(202, {}, b"")).verdict is Verdict.DELIVERED
    assert http.classify(ProviderResponse(503, {"Retry-After": "1"}, None)).verdict is Verdict.RETRY
    assert http.classify(ProviderResponse(502, {}, b"")).verdict is Verdict.UNKNOWN


def test_the_guides_adapter_is_this_one_and_delivers(
    tmp_path, monkeypatch, entry_point, provider, guide_event
):
    """docs/adapters.md's example, run as written: a guide whose code does not run misleads."""
    guide = (ROOT / "docs" / "adapters.md").read_text(encoding="utf-8")
    source = guide.split("```python\n", 1)[1].split("```", 1)[0]
    name = _module(tmp_path, monkeypatch, "guide_echo", source)
    provider.responder = answering("accepted")
    module = entry_point(**echo_env(provider, name))
    response = module.lambda_handler(guide_event, LocalContext())
    assert response[EP]["EventAttributes"]["status"] == "delivered"
    assert provider.requests[0].headers["X-Echo-Priority"] == "5"
    assert provider.requests[0].headers["Authorization"] == f"Bearer {ECHO_TOKEN}"
    sys.modules.pop(name, None)


def test_the_guide_lists_every_env_reader_method_with_its_signature():
    """docs/adapters.md's EnvReader table: one row per public method, as it is called."""
    guide = (ROOT / "docs" / "adapters.md").read_text(encoding="utf-8")
    table = guide.split("| method | returns | reads |", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"^\| `(\w+\([^`]*\))` \|", table, re.M))
    actual = set()
    for name, function in inspect.getmembers(EnvReader, inspect.isfunction):
        if name.startswith("_"):
            continue
        parameters, keyword_only = [], False
        for parameter in list(inspect.signature(function).parameters.values())[1:]:
            if parameter.kind is parameter.KEYWORD_ONLY and not keyword_only:
                parameters.append("*")
                keyword_only = True
            parameters.append(parameter.name)
        actual.add(f"{name}({', '.join(parameters)})")
    assert documented == actual


def test_an_adapter_module_without_the_adapter_named_is_refused(echo_module):
    """Before: CHANNEL_ADAPTER_MODULE alone loaded the module and then fell back to the
    `none` adapter, so every endpoint was answered while nothing was sent."""
    with pytest.raises(ConfigError) as raised:
        load_settings({"CHANNEL_ADAPTER_MODULE": echo_module, "CHANNEL_SECRET_ID": ECHO_SECRET})
    assert str(raised.value) == (
        "CHANNEL_ADAPTER: must name the adapter to use (echo, the one CHANNEL_ADAPTER_MODULE "
        "brings, or a built-in one) when CHANNEL_ADAPTER_MODULE is set"
    )

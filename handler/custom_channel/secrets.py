"""Provider credentials from Secrets Manager or an SSM SecureString parameter.

Fetched on first use and cached per container for CHANNEL_SECRET_TTL_SECONDS, so a rotated
secret is picked up without a redeploy and a warm container makes no call per invocation.
A JSON-object secret is exposed as a mapping of keys to strings; anything else as one string.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from . import logs

SecretValue = Mapping[str, str] | str


class SecretUnavailable(RuntimeError):
    """The secret could not be read; the reason names the AWS error code, never the value."""


class SecretStore:
    def __init__(
        self,
        secret_id: str | None,
        parameter: str | None,
        ttl_seconds: int,
        client_factory: Callable[[str], Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._secret_id = secret_id
        self._parameter = parameter
        self._ttl = ttl_seconds
        self._client_factory = client_factory or _boto3_client
        self._clock = clock
        self._lock = threading.Lock()
        self._value: SecretValue | None = None
        self._fetched_at = 0.0

    @property
    def configured(self) -> bool:
        return bool(self._secret_id or self._parameter)

    def get(self) -> SecretValue | None:
        if not self.configured:
            return None
        with self._lock:
            now = self._clock()
            if self._value is None or now - self._fetched_at >= self._ttl:
                self._value = _decode(self._fetch())
                self._fetched_at = now
            return self._value

    def _fetch(self) -> str:
        try:
            if self._secret_id:
                response = self._client_factory("secretsmanager").get_secret_value(
                    SecretId=self._secret_id
                )
                if "SecretString" not in response:
                    raise SecretUnavailable(
                        "the secret has no SecretString (binary secrets are not supported)"
                    )
                return str(response["SecretString"])
            response = self._client_factory("ssm").get_parameter(
                Name=self._parameter, WithDecryption=True
            )
            return str(response["Parameter"]["Value"])
        except SecretUnavailable:
            raise
        except Exception as error:
            raise SecretUnavailable(
                f"cannot read the provider secret: {logs.error_code(error)}"
            ) from None


def _decode(raw: str) -> SecretValue:
    try:
        parsed = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(parsed, dict):
        return {str(key): str(value) for key, value in parsed.items()}
    return raw


def _boto3_client(service: str) -> Any:
    import boto3  # imported on first use: keeps the cold start of secret-less channels short

    return boto3.client(service)  # type: ignore[call-overload]

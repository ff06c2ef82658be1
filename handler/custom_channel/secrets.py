"""Provider credentials from Secrets Manager or an SSM SecureString parameter.

Fetched on first use and cached per container for CHANNEL_SECRET_TTL_SECONDS, so a rotated
secret is picked up without a redeploy and a warm container makes no call per invocation.
A JSON-object secret is exposed as a mapping of keys to strings; anything else as one string.

Each fetch is bounded by the invocation's deadline (aws.py): at most two attempts, each made
only when it can end in time. When a refresh fails, the cached value is served for up to
STALE_GRACE_SECONDS more (one warning per failed refresh), so an AWS brown-out does not stop a
channel whose credentials have not changed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping

from . import logs
from .aws import AwsClients, CallFailed, attempt
from .deadline import Deadline

SecretValue = Mapping[str, str] | str
STALE_GRACE_SECONDS = 900.0


class SecretUnavailable(RuntimeError):
    """The secret could not be read; the reason names the AWS error code, never the value."""


class SecretStore:
    def __init__(
        self,
        secret_id: str | None,
        parameter: str | None,
        ttl_seconds: int,
        *,
        clients: AwsClients | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._secret_id = secret_id
        self._parameter = parameter
        self._ttl = ttl_seconds
        self._clients = clients or AwsClients()
        self._clock = clock
        self._lock = threading.Lock()
        self._value: SecretValue | None = None
        self._fetched_at = 0.0

    @property
    def configured(self) -> bool:
        return bool(self._secret_id or self._parameter)

    def get(self, deadline: Deadline | None = None) -> SecretValue | None:
        if not self.configured:
            return None
        with self._lock:
            now = self._clock()
            if self._value is not None and now - self._fetched_at < self._ttl:
                return self._value
            try:
                self._value = _decode(self._fetch(deadline))
            except SecretUnavailable as error:
                stale_for = now - self._fetched_at - self._ttl
                if self._value is None or stale_for > STALE_GRACE_SECONDS:
                    raise
                logs.get_logger().warning(
                    "secret refresh failed; serving the cached value",
                    extra={"problem": str(error), "stale_seconds": round(stale_for)},
                )
                return self._value
            self._fetched_at = now
            return self._value

    def cached(self) -> SecretValue | None:
        """The value last fetched, without a call (None before the first fetch)."""
        with self._lock:
            return self._value

    def _fetch(self, deadline: Deadline | None) -> str:
        service = "secretsmanager" if self._secret_id else "ssm"
        operation = "GetSecretValue" if self._secret_id else "GetParameter"
        try:
            value = attempt(deadline, service, operation, self._read, permanent=_PERMANENT)
        except CallFailed as error:
            raise SecretUnavailable(f"cannot read the provider secret: {error.code}") from None
        if value is None:
            raise SecretUnavailable(
                "the secret has no SecretString (binary secrets are not supported)"
            )
        return value

    def _read(self) -> str | None:
        if self._secret_id:
            client = self._clients.client("secretsmanager")
            secret = client.get_secret_value(SecretId=self._secret_id)
            return str(secret["SecretString"]) if "SecretString" in secret else None
        # `configured`: without a secret id, the parameter name is set.
        assert self._parameter
        parameter = self._clients.client("ssm").get_parameter(
            Name=self._parameter, WithDecryption=True
        )
        return str(parameter["Parameter"]["Value"])


# Errors a second attempt cannot fix.
_PERMANENT = frozenset(
    {
        "ResourceNotFoundException",
        "AccessDeniedException",
        "ParameterNotFound",
        "DecryptionFailure",
        "InvalidRequestException",
    }
)


def _decode(raw: str) -> SecretValue:
    try:
        parsed = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(parsed, dict):
        return {str(key): str(value) for key, value in parsed.items()}
    return raw

"""Count and report only, the behaviour of the guide's sample function: sends nothing, so
every endpoint is answered `skipped` ("not sent: adapter none made no request"), never
`delivered`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Self

from .base import AdapterBase, Answer, Message, ProviderRequest, ProviderResponse, Verdict


@dataclass(frozen=True)
class NoneAdapter(AdapterBase):
    name: ClassVar[str] = "none"

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Self:
        return cls()

    def build(self, message: Message) -> ProviderRequest | None:
        return None

    def classify(self, response: ProviderResponse) -> Answer:
        return Answer(Verdict.DELIVERED)

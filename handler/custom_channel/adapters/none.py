"""Count and report only: the behaviour of the guide's sample function."""

from __future__ import annotations

from .base import Answer, Message, ProviderRequest, Verdict


class NoneAdapter:
    name = "none"

    def build(self, message: Message) -> ProviderRequest | None:
        return None

    def classify(self, status: int, body: bytes | None) -> Answer:
        return Answer(Verdict.DELIVERED)

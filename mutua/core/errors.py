from collections.abc import Mapping

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule said no. The message is translatable and safe to show to the person who asked.

    `code` lets the API map it to a status: "invalid" → 400, "not_found" → 404, "conflict" → 409.
    `details` are more fields for the API's answer, for a client to act on (never anything the asking
    person may not see)."""

    def __init__(
        self, message: str | Promise, code: str = "invalid", details: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.details = dict(details or {})

    def __str__(self) -> str:
        return str(self.message)

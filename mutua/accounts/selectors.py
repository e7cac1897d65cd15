"""Reads of a person's own account data."""

from typing import Any

from mutua.accounts.models import ApiToken


def api_tokens_of(*, user: Any) -> list[ApiToken]:
    """The person's own personal API tokens (never their raw values: only hashes are stored)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))

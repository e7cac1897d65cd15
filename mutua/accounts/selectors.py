"""Reads of a person's own account data."""

from mutua.accounts.models import ApiToken, User


def api_tokens_of(*, user: User) -> list[ApiToken]:
    """The person's own personal API tokens (never their raw values: only hashes are stored)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))

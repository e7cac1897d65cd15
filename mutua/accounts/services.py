"""Account writes. Keyword-only, atomic; side effects (email tasks) are queued after commit."""

from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.accounts import tasks
from mutua.accounts.models import ApiToken, User, hash_token
from mutua.accounts.normalize import normalize_email
from mutua.accounts.tokens import user_for_verification_code
from mutua.care.selectors import country_choices
from mutua.core import ratelimit
from mutua.core.errors import DomainError
from mutua.core.i18n import require_timezone

# At most this many account emails (sign-up, password reset: each its own count) per address and
# window, so nobody can flood someone's inbox through us.
SIGNUP_EMAILS_PER_WINDOW = 3
LINK_NOT_VALID = _(
    "This confirmation link is not valid any more. "
    "Log in: if your address still needs confirming, we will send you a new link."
)


def send_verification(user: User) -> None:
    """Queue a confirmation email. The task builds the link when it runs (task arguments are visible
    to host staff, so the link must not be one)."""
    transaction.on_commit(partial(tasks.send_verification_email.enqueue, user.pk))


@transaction.atomic
def account_signup(
    *, email: str, password: str, display_name: str, language: str, timezone_name: str
) -> None:
    """Create an unverified account, or — when the email is taken — tell its owner by email.

    The caller sees the same outcome either way: being registered is itself sensitive."""
    email = normalize_email(email)
    existing = get_user_model().objects.filter(email=email).first()
    flooded = ratelimit.hit("signup-email", email) > SIGNUP_EMAILS_PER_WINDOW
    if existing is not None:
        # Hash anyway so both branches take the same time: timing must not reveal registration.
        make_password(password)
        if not flooded:
            transaction.on_commit(partial(tasks.send_already_registered_email.enqueue, existing.pk))
        return
    user = get_user_model().objects.create_user(
        email=email, password=password, display_name=display_name, language=language, timezone=timezone_name
    )
    if not flooded:
        send_verification(user)


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Queue a reset email for an address, whether or not it has an account.

    Both branches do the same work here (count, queue one task with the normalised address); the
    task looks the person up after the response, so neither the answer nor its timing reveals
    whether the address is registered."""
    email = normalize_email(email)
    if ratelimit.hit("reset-email", email) > SIGNUP_EMAILS_PER_WINDOW:
        return
    transaction.on_commit(partial(tasks.send_password_reset_email.enqueue, email))


@transaction.atomic
def verification_link_is_valid(*, code: str) -> bool:
    """Whether a confirmation link would work now; reading it changes nothing."""
    return user_for_verification_code(code) is not None


def account_verify(*, code: str) -> User:
    """Confirm an address with the code from a confirmation link. Works once (see tokens.py)."""
    user = user_for_verification_code(code)
    # A conditional UPDATE, so of two requests racing with the same link only one succeeds.
    if user is None or not User.objects.filter(pk=user.pk, email_verified=False).update(email_verified=True):
        raise DomainError(LINK_NOT_VALID)
    user.email_verified = True
    return user


@transaction.atomic
def profile_update(*, user: User, display_name: str, language: str, timezone_name: str, country: str) -> User:
    require_timezone(timezone_name)
    if country and country not in dict(country_choices()):
        raise DomainError(_("Unknown country."))
    user.display_name = display_name
    user.language = language
    user.timezone = timezone_name
    user.country = country
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "language", "timezone", "country"])
    return user


@transaction.atomic
def profile_set_language(*, user: User, language: str) -> None:
    """The language switcher, signed in: the choice is saved to the profile (emails follow it)."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language."))
    user.language = language
    user.save(update_fields=["language"])


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise DomainError(_("Give the token a name so you can recognise it later."))
    if user.api_tokens.count() >= 20:
        raise DomainError(_("You already have 20 tokens. Revoke one you no longer use first."))
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name[:80], prefix=raw[3:9], token_hash=hash_token(raw))
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> None:
    deleted, _rows = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise DomainError(_("That token does not exist or was already revoked."), code="not_found")


def api_token_authenticate(raw: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active or not token.user.email_verified:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user

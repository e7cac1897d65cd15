"""Account writes. Keyword-only, atomic; side effects (email) run after commit."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.accounts.models import ApiToken, User, hash_token
from mutua.care.selectors import country_choices
from mutua.core import ratelimit
from mutua.core.emails import send_templated
from mutua.core.errors import DomainError
from mutua.core.i18n import require_timezone

VERIFY_SALT = "mutua.accounts.verify-email"
SIGNUP_EMAILS_PER_WINDOW = 3
VERIFY_MAX_AGE = 60 * 60 * 24 * 3


def verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)


def send_verification(user: User) -> None:
    link = settings.SITE_URL + reverse("accounts:verify", args=[verification_token(user)])
    transaction.on_commit(
        lambda: send_templated(
            to=user.email, template="verify_email", context={"link": link}, language=user.language
        )
    )


@transaction.atomic
def account_signup(
    *, email: str, password: str, display_name: str, language: str, timezone_name: str
) -> None:
    """Create an unverified account, or — when the email is taken — tell its owner by email.

    The caller sees the same outcome either way: being registered is itself sensitive."""
    email = email.strip().lower()
    existing = get_user_model().objects.filter(email__iexact=email).first()
    # At most a few messages per address and window: nobody can flood someone's inbox through us.
    flooded = ratelimit.hit("signup-email", email) > SIGNUP_EMAILS_PER_WINDOW
    if existing is not None:
        # Hash anyway so both branches take the same time: timing must not reveal registration.
        make_password(password)
        if flooded:
            return
        login = settings.SITE_URL + reverse("accounts:login")
        reset = settings.SITE_URL + reverse("accounts:password_reset")
        transaction.on_commit(
            lambda: send_templated(
                to=existing.email,
                template="already_registered",
                context={"login": login, "reset": reset},
                language=existing.language,
            )
        )
        return
    user = get_user_model().objects.create_user(
        email=email, password=password, display_name=display_name, language=language, timezone=timezone_name
    )
    if not flooded:
        send_verification(user)


def account_verify(*, token: str) -> User:
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise DomainError(_("This confirmation link has expired. Log in to receive a new one.")) from exc
    except signing.BadSignature as exc:
        raise DomainError(_("This confirmation link is not valid.")) from exc
    user = get_user_model().objects.filter(pk=data.get("u"), email=data.get("e"), is_active=True).first()
    if user is None:
        raise DomainError(_("This confirmation link is not valid."))
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
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

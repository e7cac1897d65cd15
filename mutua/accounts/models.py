import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from mutua.accounts.normalize import check_email, normalize_email


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return normalize_email(email or "")

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=check_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        # Exact equality on the one normal form, never `iexact` (see mutua/accounts/normalize.py).
        return self.get(email=normalize_email(username or ""))

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_verified", True)
        return self.create_user(email, password, **extra)


def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in by email; the email is never shown to other members (P7)."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    language = models.CharField(_("interface language"), max_length=8, blank=True, choices=language_choices)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Madrid")
    country = models.CharField(_("country"), max_length=2, blank=True)
    email_verified = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=dj_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name or f"person #{self.pk}"

    @classmethod
    def normalize_username(cls, username: str) -> str:
        # Called by AbstractBaseUser.clean(), so model forms (the admin's "add person") store the
        # normal form and check uniqueness on it.
        return normalize_email(username) if isinstance(username, str) else username

    def clean(self) -> None:
        super().clean()
        try:
            check_email(self.email)
        except ValidationError as exc:
            raise ValidationError({"email": exc}) from exc

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whatever path set the address, only the normal form is stored.
        self.email = normalize_email(self.email or "")
        # set_password() leaves the new password pending in `_password` until the row is saved; Django
        # itself uses it to notify password validators. Every path that changes a password (reset
        # link, the admin's password form, `manage.py changepassword`) ends here, so this is the one
        # place that revokes the person's API tokens and calendar address: neither may outlive the
        # password that protected the account when it was created.
        password_changed = getattr(self, "_password", None) is not None and not self._state.adding
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if password_changed:
                ApiToken.objects.filter(user=self).delete()
                # The calendar feed's secret address too (through the relation: no import upward).
                self.calendar_feeds.filter(revoked_at__isnull=True).update(revoked_at=dj_timezone.now())


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return "mt_" + secrets.token_urlsafe(32)

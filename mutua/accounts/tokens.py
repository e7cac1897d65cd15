"""Links sent by email: confirming an address. (Password reset links use Django's own generator.)

A confirmation link is `<uidb64>.<token>`, where the token is an HMAC over state that changes when the
link is used or the password changes, like Django's PasswordResetTokenGenerator: the person's id, the
password hash, whether the address is confirmed, the last login and the address itself. Confirming
flips `email_verified` (and logs a non-staff person in, which moves `last_login`), so a second use of the
same link fails; changing the password changes the hash, so older links fail too. Nothing is stored.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from mutua.accounts.models import User


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    # A different salt keeps a confirmation token from ever being accepted as a reset token, and back.
    key_salt = "mutua.accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        login_timestamp = (
            "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        )
        return f"{user.pk}{user.password}{user.email_verified}{login_timestamp}{timestamp}{user.email}"


email_verification_token = EmailVerificationTokenGenerator()


def verification_code(user: User) -> str:
    """The single path segment of a confirmation link."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{uid}.{email_verification_token.make_token(user)}"


def user_for_verification_code(code: str) -> User | None:
    """The person a confirmation link is valid for right now, or None (tampered, used, expired)."""
    uidb64, _dot, token = code.partition(".")
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not email_verification_token.check_token(user, token):
        return None
    return user

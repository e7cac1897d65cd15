"""Account emails, sent by background tasks after the response (see mutua/core/emails.py).

Task arguments are stored in the task table and visible to host staff, so they carry only a person's
id or a normalised address. Each task reads the person again and builds its link when it runs, so a
link is never stored, and a person who changed in between (confirmed, deactivated) gets no stale mail.
"""

from django.contrib.auth.tokens import default_token_generator
from django.tasks import task
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from mutua.accounts.models import User
from mutua.accounts.tokens import verification_code
from mutua.core.emails import absolute_url, send_templated


@task
def send_verification_email(user_id: int) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True, email_verified=False).first()
    if user is None:
        return False
    link = absolute_url(reverse("accounts:verify", args=[verification_code(user)]))
    return send_templated(
        to=user.email, template="verify_email", context={"link": link}, language=user.language
    )


@task
def send_already_registered_email(user_id: int) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    context: dict[str, object] = {
        "login": absolute_url(reverse("accounts:login")),
        "reset": absolute_url(reverse("accounts:password_reset")),
    }
    return send_templated(
        to=user.email, template="already_registered", context=context, language=user.language
    )


@task
def send_password_reset_email(email: str) -> bool:
    """Queued for every reset request, whether or not the address has an account: the request does
    the same work either way, and only this task, after the response, learns which it was."""
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)},
    )
    return send_templated(
        to=user.email, template="password_reset", context={"link": absolute_url(path)}, language=user.language
    )

"""Outgoing email. Messages are rendered in the recipient's language and never mention a group's
topic or content (P7). A failure to send is logged (without content) and never breaks a request.

Mail is sent from background tasks (Django's tasks framework), after the response: a slow mail server
must not make a page slower for one kind of person than for another (that would reveal, for example,
whether an address has an account). Task arguments are stored in the task table, which host staff can
read in the admin, so a task receives only an id or an address and builds any link itself when it runs
(`absolute_url`); a link or a token must never be a task argument.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """A link for an email: this instance's public address (SITE_URL) and a path from reverse()."""
    return settings.SITE_URL + path


def send_templated(*, to: str, template: str, context: dict[str, object], language: str = "") -> bool:
    lang = language or settings.LANGUAGE_CODE
    with translation.override(lang):
        ctx = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", ctx).split())
        body = render_to_string(f"emails/{template}.txt", ctx)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:
        logger.exception("email %s could not be sent", template)
        return False
    return True

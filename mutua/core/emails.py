"""Outgoing email. Messages are rendered in the recipient's language and never mention a group's
topic or content (P7). A failure to send is logged (without content) and never breaks a request."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


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

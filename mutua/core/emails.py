"""Outgoing email. Messages are rendered in the recipient's language and never mention a group's
topic or content (P7). A failure to send is logged (without content) and never breaks a request.

Mail is sent from background tasks (Django's tasks framework), after the response: a slow mail server
must not make a page slower for one kind of person than for another (that would reveal, for example,
whether an address has an account). Task arguments are stored in the task table, which host staff can
read in the admin, so a task receives only an id or an address and builds any link itself when it runs
(`absolute_url`); a link or a token must never be a task argument.
"""

import email.policy
import logging
from email.message import EmailMessage as MIMEMessage
from email.policy import Policy

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

# RFC 5322's hard limit for a line; 78 is only a recommendation.
MAX_LINE_OCTETS = 998


class ReadableEmailMessage(EmailMessage):
    """Plain text sent as UTF-8 in 8bit (7bit when ASCII), not quoted-printable: the standard library
    would encode any body with a line over 78 characters, breaking a long link across lines with `=`
    in the development console and in any client that shows the raw text."""

    def message(self, *, policy: Policy | None = email.policy.default) -> MIMEMessage:
        msg = super().message(policy=policy)
        if msg.is_multipart() or msg.get_content_type() != "text/plain":
            return msg
        if msg["Content-Transfer-Encoding"] not in ("quoted-printable", "base64"):
            return msg
        body = msg.get_content()
        if any(len(line.encode()) > MAX_LINE_OCTETS for line in body.splitlines()):
            return msg
        del msg["Content-Type"]
        del msg["Content-Transfer-Encoding"]
        msg.set_content(body, charset="utf-8", cte="7bit" if body.isascii() else "8bit")
        return msg


def absolute_url(path: str) -> str:
    """A link for an email: this instance's public address (SITE_URL) and a path from reverse()."""
    return settings.SITE_URL + path


def send_templated(
    *,
    to: str,
    template: str,
    context: dict[str, object],
    language: str = "",
    headers: dict[str, str] | None = None,
) -> bool:
    lang = language or settings.LANGUAGE_CODE
    with translation.override(lang):
        ctx = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", ctx).split())
        body = render_to_string(f"emails/{template}.txt", ctx)
    try:
        ReadableEmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers).send()
    except Exception:
        logger.exception("email %s could not be sent", template)
        return False
    return True

"""The notification email, sent by a background task after the response (see mutua/core/emails.py),
and the periodic retry of emails that did not go.

The task receives only the notification's id (task arguments are visible to host staff). It claims
the email first (services.email_claim: of any number of tasks for the same notification, one sends),
reads the person when it runs, writes in their language and time zone, and links to the notification
(which, after logging in, opens its page): the text is the kind's neutral text (P7). A failure is
retried with growing pauses (EMAIL_BACKOFF)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from mutua.core.emails import absolute_url, send_templated
from mutua.core.i18n import zone_of
from mutua.core.periodic import periodic
from mutua.notifications import services
from mutua.notifications.models import Notification
from mutua.notifications.texts import text_for


def message_id(notification: Notification) -> str:
    """The same Message-ID for every attempt at one notification's email, so that the one duplicate
    a worker dying at the wrong moment can cause is folded by mail clients that look at it."""
    return f"<notification.{notification.code}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"


@task
def send_notification_email(notification_id: int) -> bool:
    notification = services.email_claim(notification_id=notification_id)
    if notification is None:
        return False  # sent already, another worker has it, not due yet, or not to be sent
    user = notification.user
    text = text_for(notification.kind)
    with timezone.override(zone_of(user.timezone or settings.TIME_ZONE)):
        sent = send_templated(
            to=user.email,
            template="notification",
            context={
                "title": text.title,
                "body": text.body,
                # A meeting's start stays out of the email: with the public directory's day and time
                # filters, a time could point to the group. The meeting page shows it.
                "due": None if text.due_is_start else notification.due_at,
                # The notification's own link (its random code, behind login), never the page's: a
                # group's code in an email would lead anyone reading it to the group's public page.
                "link": absolute_url(reverse("notifications:open", args=[notification.code])),
                "settings_link": absolute_url(reverse("notifications:preferences")),
            },
            language=user.language,
            headers={"Message-ID": message_id(notification)},
        )
    if sent:
        services.email_sent(notification=notification)
    else:
        services.email_failed(notification=notification)
    return sent


@periodic("*/15 * * * *")
@task
def emails_retry() -> int:
    """Every 15 minutes: queue again the emails that should have gone and did not."""
    return services.emails_retry()

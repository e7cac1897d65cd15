"""The notification email, sent by a background task after the response (see mutua/core/emails.py).

The task receives only the notification's id (task arguments are visible to host staff). It reads the
row and the person when it runs, writes in the person's language and time zone, and links only to the
inbox: the text is the kind's neutral text (P7)."""

import zoneinfo

from django.conf import settings
from django.db.models import F
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from mutua.core.emails import absolute_url, send_templated
from mutua.notifications.models import EmailState, Notification
from mutua.notifications.services import email_state_set
from mutua.notifications.texts import text_for


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@task
def send_notification_email(notification_id: int) -> bool:
    notification = (
        Notification.objects.select_related("user")
        .filter(pk=notification_id, user__is_active=True, user__email_verified=True)
        .first()
    )
    if notification is None:
        return False
    Notification.objects.filter(pk=notification.pk).update(email_attempts=F("email_attempts") + 1)
    user = notification.user
    text = text_for(notification.kind)
    with timezone.override(_zone(user.timezone)):
        sent = send_templated(
            to=user.email,
            template="notification",
            context={
                "title": text.title,
                "body": text.body,
                "due": notification.due_at,
                "link": absolute_url(reverse("notifications:inbox")),
                "settings_link": absolute_url(reverse("notifications:preferences")),
            },
            language=user.language,
        )
    email_state_set(notification_id=notification.pk, state=EmailState.SENT if sent else EmailState.FAILED)
    return sent

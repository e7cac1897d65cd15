"""The one way to tell a person something: `notify()` records it in their inbox and, if they chose
(or the kind's default says) "also email", queues an email after the surrounding transaction commits.

Reliability (DESIGN §4): the inbox row is written first, in the caller's transaction; the email is a
side effect queued on commit. A task queue that refuses the job, or a mail server that is down, is
logged (without content) and marked on the row; it never loses the notification and never reaches the
request that caused it.
"""

import functools
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.core.errors import DomainError
from mutua.notifications import selectors
from mutua.notifications.models import EmailState, Kind, Notification, Preference

if TYPE_CHECKING:
    from mutua.accounts.models import User

logger = logging.getLogger(__name__)


def _user_id(user: "User | int") -> int:
    return int(user if isinstance(user, int) else user.pk)


def notify(
    user: "User | int", kind: str, *, url: str, due_at: datetime | None = None, once_key: str = ""
) -> Notification | None:
    """Record a notification for `user` (a person or their id) and queue its email if wanted.

    `url` is a path inside the site made with reverse(): a page behind login (and, for a group, the
    gate), never text about a group. With `once_key`, a second call with the same key for the same
    person does nothing and returns None (reminders are sent once however often the scheduler runs)."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError("a notification links to a path inside the site")
    uid = _user_id(user)
    if once_key and Notification.objects.filter(user_id=uid, once_key=once_key).exists():
        return None
    email = selectors.email_wanted(user_id=uid, kind=kind)
    try:
        # A savepoint: a concurrent duplicate of a once-only notification must not break the caller.
        with transaction.atomic():
            notification = Notification.objects.create(
                user_id=uid,
                kind=kind,
                url=url,
                due_at=due_at,
                once_key=once_key,
                email_state=EmailState.QUEUED if email else EmailState.NONE,
            )
    except IntegrityError:
        if once_key:
            return None
        raise
    if email:
        pk = notification.pk
        transaction.on_commit(lambda: _enqueue_email(pk), robust=True)
    return notification


def _enqueue_email(notification_id: int) -> None:
    # Imported here: the task module imports this one (it marks the outcome on the row).
    from mutua.notifications.tasks import send_notification_email

    try:
        send_notification_email.enqueue(notification_id)
    except Exception:
        logger.exception("notification email %s could not be queued", notification_id)
        email_state_set(notification_id=notification_id, state=EmailState.FAILED)


def email_state_set(*, notification_id: int, state: str) -> None:
    try:
        Notification.objects.filter(pk=notification_id).update(email_state=state)
    except Exception:
        logger.exception("notification %s: email state not recorded", notification_id)


# A failed email is tried again at the scheduler's next turns, up to this many attempts in all, while
# the notification is recent enough for an email to still help.
EMAIL_MAX_ATTEMPTS = 3
EMAIL_RETRY_WITHIN = timedelta(hours=24)


def emails_retry() -> int:
    """Scheduler job: queue again the emails that failed (mail server or task queue down), a few times
    and only for recent notifications whose kind the person still wants by email."""
    since = timezone.now() - EMAIL_RETRY_WITHIN
    retried = 0
    failed = Notification.objects.filter(
        email_state=EmailState.FAILED, email_attempts__lt=EMAIL_MAX_ATTEMPTS, created_at__gte=since
    ).values_list("pk", "user_id", "kind")
    for pk, user_id, kind in failed:
        if not selectors.email_wanted(user_id=user_id, kind=kind):
            continue
        with transaction.atomic():
            # Claimed first, so a second scheduler turn running at once does not queue it twice.
            if Notification.objects.filter(pk=pk, email_state=EmailState.FAILED).update(
                email_state=EmailState.QUEUED
            ):
                transaction.on_commit(functools.partial(_enqueue_email, pk), robust=True)
                retried += 1
    return retried


@transaction.atomic
def notification_mark_read(*, user: "User", code: str) -> Notification:
    """Mark one of one's own notifications as read. Another person's is "not found" (the same as one
    that does not exist)."""
    notification = Notification.objects.filter(user_id=_user_id(user), code=code).first()
    if notification is None:
        raise DomainError(_("This notification does not exist."), "not_found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: "User") -> int:
    return Notification.objects.filter(user_id=_user_id(user), read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preferences_set(*, user: "User", email: dict[str, bool]) -> dict[str, bool]:
    """Save the person's choice per kind: True for "inbox and email", False for "inbox only"."""
    unknown = set(email) - set(Kind.values)
    if unknown:
        raise DomainError(_("Unknown kind of notification."))
    uid = _user_id(user)
    for kind, wanted in email.items():
        Preference.objects.update_or_create(user_id=uid, kind=kind, defaults={"email": bool(wanted)})
    return selectors.preferences_for(viewer=user)

"""The one way to tell a person something: `notify()` records it in their inbox and, if they chose
(or the kind's default says) "also email", queues an email after the surrounding transaction commits.

Reliability (DESIGN §4, decision 17): the inbox row is written first, in the caller's transaction; the
email is a side effect queued on commit and sent by a worker, at most once per claim (see "email"
below). A task queue that refuses the job, or a mail server that is down, is logged (without content),
marked on the row and tried again later; it never loses the notification and never reaches the
request that caused it.
"""

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.core.errors import DomainError
from mutua.notifications import selectors
from mutua.notifications.models import EmailState, Kind, Notification, Preference
from mutua.notifications.texts import text_for

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
    gate), never text about a group. With `once_key` (at most 80 characters), a second call with the
    same key for the same person does nothing and returns None, even from another process at the same
    moment: reminders are created, and emailed, once however often a periodic job runs. A reminder
    job calls it, for example, as

        notify(member.user_id, Kind.X_REMINDER, url=reverse(...), due_at=starts_at,
               once_key=f"meeting:{meeting_key}:{member_id}:{which}")

    inside its own transaction per person; the email is queued when that commits (decision 17)."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError("a notification links to a path inside the site")
    uid = _user_id(user)
    if once_key and _already_notified(user_id=uid, once_key=once_key):
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
        # Only queued, after the commit: the request never waits for a mail server.
        pk = notification.pk
        transaction.on_commit(lambda: _enqueue_email(pk), robust=True)
    return notification


def _already_notified(*, user_id: int, once_key: str) -> bool:
    """A cheap read that spares the usual repeat (a reminder job's next turn) a failed insert. It is not
    what makes a once-only notification exact: two processes may both read "not yet" at the same
    moment, and then the unique constraint `notification_once` lets only one insert win."""
    return Notification.objects.filter(user_id=user_id, once_key=once_key).exists()


# ---------------------------------------------------------------------------------------- email
#
# Exactly once, as far as SMTP allows. The email of a notification is sent by the task
# `send_notification_email`, which first *claims* it with one conditional UPDATE (queued or due →
# sending, with the claim's time): of two workers holding a task for the same notification, or of a
# worker and the retry job, only the one whose UPDATE changed the row sends. The claim is then settled
# as sent, or failed with the time of the next attempt (EMAIL_BACKOFF). A claim older than
# MUTUA_EMAIL_CLAIM_TIMEOUT_SECONDS belongs to a worker that died (killed, machine lost) and may be
# taken again, so no email is ever lost. The one window left: a worker that dies after the mail server
# accepted the message and before it wrote "sent" leaves a claim that is taken again, and the person
# gets the email twice. Both copies carry the same Message-ID, which mail clients use to fold copies.


def email_backoff() -> list[timedelta]:
    """How long to wait after the 1st, 2nd, … failed attempt (MUTUA_EMAIL_BACKOFF_SECONDS); after the
    last one the email is given up and the notification stays in the inbox only."""
    return [timedelta(seconds=s) for s in settings.MUTUA_EMAIL_BACKOFF_SECONDS]


def email_max_attempts() -> int:
    return len(settings.MUTUA_EMAIL_BACKOFF_SECONDS) + 1


def _claim_timeout() -> timedelta:
    return timedelta(seconds=settings.MUTUA_EMAIL_CLAIM_TIMEOUT_SECONDS)


# A failed email is retried only while the notification is recent enough for an email to still help.
EMAIL_RETRY_WITHIN = timedelta(hours=24)


def _claimable(now: datetime) -> Q:
    """Emails a worker may take now: never tried, failed and due again, or claimed by a worker so long
    ago that it must have died."""
    return (
        Q(email_state=EmailState.QUEUED)
        | Q(email_state=EmailState.FAILED, email_next_at__lte=now)
        | Q(email_state=EmailState.SENDING, email_claimed_at__lt=now - _claim_timeout())
    )


def email_claim(*, notification_id: int) -> Notification | None:
    """Take the email of one notification for sending, for this worker alone. None when there is
    nothing to send now: sent already, being sent by another worker, not due yet, no attempt left, or
    the person cannot receive email (an inactive account or an unconfirmed address) or it comes too
    late (a meeting reminder whose meeting has started, after retries): then the email is dropped and
    the notification stays in the inbox."""
    now = timezone.now()
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None:
        return None
    user = notification.user
    due = notification.due_at
    started = text_for(notification.kind).due_is_start and due is not None and due <= now
    if started or not (user.is_active and user.email_verified):
        Notification.objects.filter(_claimable(now), pk=notification.pk).update(
            email_state=EmailState.NONE, email_next_at=None
        )
        return None
    # The row's own columns only, in one UPDATE: the database serialises two of them on the same row
    # (a row lock on PostgreSQL, one writer at a time on SQLite) and the second finds it taken.
    claimed = Notification.objects.filter(
        _claimable(now), pk=notification.pk, email_attempts__lt=email_max_attempts()
    ).update(
        email_state=EmailState.SENDING,
        email_claimed_at=now,
        email_next_at=None,
        email_attempts=F("email_attempts") + 1,
    )
    if not claimed:
        return None
    notification.refresh_from_db(fields=["email_state", "email_claimed_at", "email_attempts"])
    return notification


def email_sent(*, notification: Notification) -> None:
    _settle(notification, state=EmailState.SENT, next_at=None)


def email_failed(*, notification: Notification) -> datetime | None:
    """Record a failed attempt and queue the next one after its pause; return when it is due (None:
    no attempt left, the notification stays in the inbox only)."""
    backoff = email_backoff()
    attempt = notification.email_attempts
    next_at = timezone.now() + backoff[attempt - 1] if 0 < attempt <= len(backoff) else None
    _settle(notification, state=EmailState.FAILED, next_at=next_at)
    if next_at is not None:
        _enqueue_email(notification.pk, run_after=next_at)
    return next_at


def _settle(notification: Notification, *, state: str, next_at: datetime | None) -> None:
    # Only our own claim: if it was taken over (we were presumed dead), the new owner settles it.
    try:
        Notification.objects.filter(
            pk=notification.pk, email_state=EmailState.SENDING, email_claimed_at=notification.email_claimed_at
        ).update(email_state=state, email_next_at=next_at)
    except Exception:
        # The claim then goes stale and the email is tried again: a possible duplicate, never a loss.
        logger.exception("notification %s: email state not recorded", notification.pk)


def _enqueue_email(notification_id: int, *, run_after: datetime | None = None) -> None:
    # Imported here: the task module imports this one (it claims and settles the email through it).
    from mutua.notifications.tasks import send_notification_email

    job = send_notification_email
    if run_after is not None:
        if not job.get_backend().supports_defer:
            return  # a backend that runs tasks at once cannot wait: the retry job queues it when due
        job = job.using(run_after=run_after)
    try:
        job.enqueue(notification_id)
    except Exception:
        logger.exception("notification email %s could not be queued", notification_id)
        # Failed and due now: the retry job queues it again at its next turn.
        Notification.objects.filter(pk=notification_id, email_state=EmailState.QUEUED).update(
            email_state=EmailState.FAILED, email_next_at=timezone.now()
        )


def emails_retry() -> int:
    """Periodic job (`tasks.emails_retry`), the safety net behind each email's own retry: queue again
    every recent email that should have gone and has not — failed and due again (its deferred task was
    lost, or the backend cannot defer), claimed by a worker that died, or queued long ago with no
    worker taking it (the queue refused it, or the process died before queueing it). Queueing one
    twice is harmless: the claim lets only one task send it. Emails the person no longer wants, or
    with no attempt left, are settled as failed instead."""
    now = timezone.now()
    stale = now - _claim_timeout()
    due = Notification.objects.filter(created_at__gte=now - EMAIL_RETRY_WITHIN).filter(
        Q(email_state=EmailState.FAILED, email_next_at__lte=now)
        | Q(email_state=EmailState.SENDING, email_claimed_at__lt=stale)
        | Q(email_state=EmailState.QUEUED, created_at__lt=stale)
    )
    retried = 0
    for pk, user_id, kind, attempts in due.values_list("pk", "user_id", "kind", "email_attempts"):
        if attempts >= email_max_attempts() or not selectors.email_wanted(user_id=user_id, kind=kind):
            Notification.objects.filter(_claimable(now), pk=pk).update(
                email_state=EmailState.FAILED, email_next_at=None
            )
            continue
        _enqueue_email(pk)
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

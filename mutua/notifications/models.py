"""In-app notifications and each person's choice of which kinds also arrive by email.

A notification stores no words: only its kind, a link inside the site (random codes, never a topic)
and, for kinds with a deadline, the deadline. The text is written when it is shown, in the reader's
language, and is the same neutral text for everybody (P7: no group name, topic, pseudonym or content).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutua.core.codes import new_code


class Kind(models.TextChoices):
    SEAT_OFFERED = "seat_offered", _("A seat is offered to you")
    SEAT_OFFER_EXPIRING = "seat_offer_expiring", _("Reminder: your seat offer ends soon")
    PROPOSAL_RECEIVED = "proposal_received", _("A group is proposed to you")
    PROPOSAL_DEADLINE = "proposal_deadline", _("Reminder: your proposal closes soon")
    GROUP_FORMED = "group_formed", _("Your new group has formed")
    JOIN_CONFIRMED = "join_confirmed", _("You have joined a group")
    OFFER_LAPSED = "offer_lapsed", _("An offer or proposal has closed")
    MEETING_REMINDER = "meeting_reminder", _("Reminder: a meeting is coming")
    MEETING_CHANGED = "meeting_changed", _("A meeting has changed")
    PROPOSAL_OPENED = "proposal_opened", _("A group decision is open")
    PROPOSAL_CLOSING = "proposal_closing", _("Reminder: a group decision closes soon")
    PROPOSAL_CLOSED = "proposal_closed", _("A group decision has closed")
    PROPOSAL_ABOUT_YOU = "proposal_about_you", _("A group decision concerns you")
    REVIEW_DUE = "review_due", _("A group decision is due for review")
    JOIN_REQUEST = "join_request", _("Someone asks to join a group")
    JOIN_REQUEST_CLOSED = "join_request_closed", _("Your request to join has closed")
    ROLE_OFFERED = "role_offered", _("A role at a meeting is offered to you")
    MEMBERSHIP_ENDED = "membership_ended", _("Your membership has ended")


# Time-critical kinds arrive by email too unless the person says otherwise; the rest stay in the inbox.
EMAIL_BY_DEFAULT = frozenset(
    {
        Kind.SEAT_OFFERED,
        Kind.SEAT_OFFER_EXPIRING,
        Kind.PROPOSAL_RECEIVED,
        Kind.PROPOSAL_DEADLINE,
        Kind.GROUP_FORMED,
        Kind.MEETING_REMINDER,
        Kind.MEETING_CHANGED,
        Kind.PROPOSAL_OPENED,
        Kind.PROPOSAL_CLOSING,
        Kind.PROPOSAL_ABOUT_YOU,
        Kind.JOIN_REQUEST,
        Kind.JOIN_REQUEST_CLOSED,
        Kind.MEMBERSHIP_ENDED,
    }
)


class EmailState(models.TextChoices):
    """Where a notification's email stands. queued → sending (claimed by one worker) → sent, or
    → failed (tried again at `email_next_at` while attempts remain; never when that is empty)."""

    NONE = "", _("In the inbox only")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class Notification(models.Model):
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # A path inside the site (reverse() of a page behind login and, for a group, its gate).
    url = models.CharField(max_length=200)
    # The deadline the notification is about (seat offer, proposal), shown in the reader's time zone.
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=8, choices=EmailState.choices, blank=True, default="")
    # How many times the email was tried (claimed for sending); a failed one is tried again a few
    # times, further and further apart (services.EMAIL_BACKOFF).
    email_attempts = models.PositiveSmallIntegerField(default=0)
    # When a worker claimed the email for sending: only that worker sends it, unless the claim is so
    # old that the worker must have died (services.email_claim).
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    # When a failed email may be tried again; empty once no attempt is left.
    email_next_at = models.DateTimeField(null=True, blank=True)
    # Makes a notification happen once (reminders): a second notify() with the same key does nothing.
    once_key = models.CharField(max_length=80, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["user", "-created_at"]),
            # The retry job's scan: only the few emails not yet settled (sent or inbox only).
            models.Index(
                fields=["email_state", "created_at"],
                condition=Q(email_state__in=["queued", "sending", "failed"]),
                name="notification_email_open",
            ),
        ]
        constraints = [
            # Exactly once: two processes reminding the same person of the same thing at the same
            # moment cannot both insert; notify() turns the loser's IntegrityError into "already done".
            models.UniqueConstraint(
                fields=["user", "once_key"], condition=~Q(once_key=""), name="notification_once"
            )
        ]

    def __str__(self) -> str:
        return f"notification {self.code}"

    @property
    def unread(self) -> bool:
        return self.read_at is None


class Preference(models.Model):
    """A person's choice for one kind. No row means the default (`EMAIL_BY_DEFAULT`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    email = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"preference {self.kind}"

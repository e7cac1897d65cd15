"""A group's meeting life beyond its rhythm (which lives on `Circle`, expanded by `meetings.schedule`).

Only occurrences that carry data are stored (`Meeting`: an exception, or the anchor of an RSVP or a
check-in); every other occurrence exists only when expanded. Everything here is members-only (P7):
the public page shows the area and the rhythm, never an address, a room or who comes.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mutua.circles.models import Circle, Membership


def new_room_name() -> str:
    """An unguessable room name: 160 random bits, unrelated to the group's code (P7)."""
    return "mutua-" + secrets.token_urlsafe(20)


class Meeting(models.Model):
    """One occurrence of a group's rhythm that carries data, named by its key (the UTC start the rhythm
    generates for it, before any move): cancelled, moved, or anchoring RSVPs and check-ins."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="meetings")
    key = models.DateTimeField()
    cancelled = models.BooleanField(default=False)
    new_start = models.DateTimeField(null=True, blank=True)
    new_duration = models.PositiveSmallIntegerField(null=True, blank=True)
    # Where a moved meeting happens this time, if not the usual place (members only).
    place_note = models.CharField(_("where, this time"), max_length=300, blank=True, default="")
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["circle", "key"], name="meeting_circle_key_unique")]

    def __str__(self) -> str:
        return f"{self.circle_id}@{self.key:%Y%m%dT%H%MZ}"

    @property
    def is_exception(self) -> bool:
        return self.cancelled or self.new_start is not None or self.new_duration is not None


class MeetingPlace(models.Model):
    """Where and how a group meets, for its members only; one per group, made when first written."""

    circle = models.OneToOneField(Circle, on_delete=models.CASCADE, related_name="meeting_place")
    address = models.TextField(_("address"), max_length=500, blank=True, default="")
    access_notes = models.TextField(_("how to get in"), max_length=1000, blank=True, default="")
    dial_in = models.TextField(_("joining by phone"), max_length=500, blank=True, default="")
    # Meeting Guide feed (`/meeting-guide.json`): the group chose to be listed there, and whether its
    # exact address and room link are published too (they never are by default).
    in_meeting_guide = models.BooleanField(_("list the group in the Meeting Guide feed"), default=False)
    publish_address = models.BooleanField(_("publish the exact address in that feed"), default=False)
    publish_room = models.BooleanField(_("publish the room link in that feed"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"place of {self.circle_id}"


class RoomQuerySet(models.QuerySet["Room"]):
    def current(self) -> "RoomQuerySet":
        return self.filter(retired_at__isnull=True)


class Room(models.Model):
    """An online room on the configured video service (`settings.MUTUA_VIDEO_BASE_URL`). A group has at
    most one current room; regenerating retires it (a retired room is never shown again)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=64, unique=True, default=new_room_name)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = RoomQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["circle"], condition=models.Q(retired_at__isnull=True), name="room_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"room of {self.circle_id}"

    @property
    def url(self) -> str:
        return str(settings.MUTUA_VIDEO_BASE_URL).rstrip("/") + "/" + self.name


class Answer(models.TextChoices):
    COMING = "coming", _("Coming")
    NOT_COMING = "not_coming", _("Can't come")


class Rsvp(models.Model):
    """A member's own answer for one meeting, with an optional short note to the group (an absence
    notice); changeable until the meeting starts."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="rsvps")
    answer = models.CharField(max_length=16, choices=Answer.choices)
    note = models.CharField(_("note to the group"), max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="rsvp_unique")]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.answer}"


class CheckIn(models.Model):
    """A member checked themself in during the meeting window. Nobody marks another person (P2)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="checkins")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="checkins")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="checkin_unique")]

    def __str__(self) -> str:
        return f"{self.membership_id} at {self.meeting_id}"


class Reminder(models.TextChoices):
    NONE = "none", _("No reminder")
    DAY_BEFORE = "day_before", _("The day before")
    TWO_HOURS = "two_hours", _("Two hours before")


class MeetingPreference(models.Model):
    """One member's choices for one group's meetings."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="meeting_preference")
    reminder = models.CharField(
        _("reminder"), max_length=16, choices=Reminder.choices, default=Reminder.DAY_BEFORE
    )

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.reminder}"


class CalendarFeed(models.Model):
    """A person's calendar feed, behind a secret token (only its hash is stored). Revoking it makes
    the old address answer 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # Titles are neutral ("Group meeting") unless the person opts into the group's name.
    show_names = models.BooleanField(_("show each group's name in my calendar"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # One working address per person: creating a new one revokes the old (even under a race).
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="calendar_feed_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"

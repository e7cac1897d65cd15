"""The only writers of a group's meeting life. Each takes the acting member as `user` and only ever
writes that person's own answer or check-in (P2): there is no parameter for another person.

Changes every member should know about (a cancelled or moved meeting, a new room) notify the other
members through the one notification service, with neutral words (P7)."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.circles.models import Circle, Membership, MembershipStatus, Mode
from mutua.core.errors import DomainError
from mutua.core.models import audit
from mutua.meetings import selectors
from mutua.meetings.models import (
    Answer,
    CheckIn,
    Meeting,
    MeetingPlace,
    MeetingPreference,
    Reminder,
    Room,
    Rsvp,
)
from mutua.meetings.schedule import Occurrence
from mutua.notifications.models import Kind
from mutua.notifications.services import notify

if TYPE_CHECKING:
    from mutua.accounts.models import User

NOTE_MAX = 200
PLACE_NOTE_MAX = 300
# How far a meeting may move from its usual time: further is a new schedule, not a move (and keeps
# the expansion around a moved meeting small).
MOVE_MAX = timedelta(days=366)


def _member(*, circle: Circle, user: "User") -> Membership:
    """The acting person's own membership; services check again what the gate checked."""
    membership = Membership.objects.filter(circle=circle, user=user, status=MembershipStatus.MEMBER).first()
    if membership is None:
        raise DomainError(_("Only members of the group can do this."))
    return membership


def _occurrence(*, circle: Circle, key: datetime) -> Occurrence:
    occ = selectors.occurrence(circle=circle, key=key)
    if occ is None:
        raise DomainError(_("This meeting is not in the group's schedule."))
    return occ


def _meeting_row(*, circle: Circle, key: datetime) -> Meeting:
    row, _created = Meeting.objects.get_or_create(circle=circle, key=key)
    return row


def _tell_others(*, circle: Circle, user: "User", key: datetime | None) -> None:
    if key is None:
        url = reverse("meetings:list", args=[circle.code])
    else:
        url = reverse("meetings:detail", args=[circle.code, selectors.key_slug(key)])
    others = (
        Membership.objects.filter(circle=circle, status=MembershipStatus.MEMBER)
        .exclude(user=user)
        .values_list("user_id", flat=True)
    )
    for uid in others:
        notify(uid, Kind.MEETING_CHANGED, url=url)


@transaction.atomic
def meeting_cancel(*, circle: Circle, user: "User", key: datetime) -> Meeting:
    """Cancel one meeting (any member, P5). The others are told."""
    _member(circle=circle, user=user)
    occ = _occurrence(circle=circle, key=key)
    if occ.end <= timezone.now():
        raise DomainError(_("This meeting is already over."))
    row = _meeting_row(circle=circle, key=key)
    if row.cancelled:
        return row
    row.cancelled = True
    row.changed_at = timezone.now()
    row.save(update_fields=["cancelled", "changed_at"])
    audit("meetings.cancelled", actor=user, circle=circle)
    _tell_others(circle=circle, user=user, key=key)
    return row


@transaction.atomic
def meeting_move(
    *,
    circle: Circle,
    user: "User",
    key: datetime,
    new_start: datetime,
    new_duration: int | None = None,
    place_note: str = "",
) -> Meeting:
    """Move one meeting to another time and/or place (any member, P5). The others are told."""
    _member(circle=circle, user=user)
    occ = _occurrence(circle=circle, key=key)
    now = timezone.now()
    if occ.end <= now:
        raise DomainError(_("This meeting is already over."))
    if new_start <= now:
        raise DomainError(_("Choose a time in the future."))
    if abs(new_start - key) > MOVE_MAX:
        raise DomainError(_("A meeting can move by up to a year."))
    if new_duration is not None and not 15 <= new_duration <= 480:
        raise DomainError(_("A meeting lasts between 15 minutes and 8 hours."))
    place_note = " ".join(place_note.split())
    if len(place_note) > PLACE_NOTE_MAX:
        raise DomainError(_("Keep the place to %(n)s characters.") % {"n": PLACE_NOTE_MAX})
    row = _meeting_row(circle=circle, key=key)
    row.cancelled = False
    row.new_start = new_start if new_start != key else None
    row.new_duration = new_duration
    row.place_note = place_note
    row.changed_at = now
    row.save(update_fields=["cancelled", "new_start", "new_duration", "place_note", "changed_at"])
    audit("meetings.moved", actor=user, circle=circle)
    _tell_others(circle=circle, user=user, key=key)
    return row


@transaction.atomic
def meeting_restore(*, circle: Circle, user: "User", key: datetime) -> Meeting:
    """Undo a cancellation or a move: the meeting happens as the rhythm says. The others are told."""
    _member(circle=circle, user=user)
    occ = _occurrence(circle=circle, key=key)
    if occ.end <= timezone.now():
        raise DomainError(_("This meeting is already over."))
    row = _meeting_row(circle=circle, key=key)
    if not row.is_exception and not row.place_note:
        return row
    row.cancelled, row.new_start, row.new_duration, row.place_note = False, None, None, ""
    row.changed_at = timezone.now()
    row.save(update_fields=["cancelled", "new_start", "new_duration", "place_note", "changed_at"])
    audit("meetings.restored", actor=user, circle=circle)
    _tell_others(circle=circle, user=user, key=key)
    return row


@transaction.atomic
def rsvp_set(*, circle: Circle, user: "User", key: datetime, answer: str, note: str = "") -> Rsvp:
    """The person's own answer for one meeting, with an optional short note to the group; it can be
    changed until the meeting starts."""
    membership = _member(circle=circle, user=user)
    if answer not in Answer.values:
        raise DomainError(_("Say whether you are coming."))
    note = " ".join(note.split())
    if len(note) > NOTE_MAX:
        raise DomainError(_("Keep the note to %(n)s characters.") % {"n": NOTE_MAX})
    occ = _occurrence(circle=circle, key=key)
    if occ.cancelled:
        raise DomainError(_("This meeting is cancelled."))
    if not selectors.rsvp_open(occ):
        raise DomainError(_("This meeting has started; answers can no longer change."))
    row = _meeting_row(circle=circle, key=key)
    rsvp, _created = Rsvp.objects.update_or_create(
        meeting=row, membership=membership, defaults={"answer": answer, "note": note}
    )
    return rsvp


@transaction.atomic
def checkin_self(*, circle: Circle, user: "User", key: datetime, now: datetime | None = None) -> CheckIn:
    """The person checks themself in, from 30 minutes before the start until the end. Nobody marks
    another person (P2): there is no way to name one."""
    membership = _member(circle=circle, user=user)
    occ = _occurrence(circle=circle, key=key)
    now = now or timezone.now()
    if occ.cancelled:
        raise DomainError(_("This meeting is cancelled."))
    if not selectors.checkin_open(occ, now):
        opens, _closes = selectors.checkin_window(occ)
        if now < opens:
            raise DomainError(_("Check-in opens 30 minutes before the meeting starts."))
        raise DomainError(_("This meeting is over; check-in has closed."))
    row = _meeting_row(circle=circle, key=key)
    checkin, _created = CheckIn.objects.get_or_create(
        meeting=row, membership=membership, defaults={"at": now}
    )
    return checkin


@transaction.atomic
def room_regenerate(*, circle: Circle, user: "User") -> Room:
    """A new online room for the group (e.g. after the link leaked): the old one is retired and never
    shown again; every member sees the new one. Any member may do it; the others are told."""
    _member(circle=circle, user=user)
    if circle.mode == Mode.IN_PERSON:
        raise DomainError(_("This group meets in person only; it has no online room."))
    locked = Circle.objects.select_for_update().get(pk=circle.pk)
    had = Room.objects.current().filter(circle=locked).update(retired_at=timezone.now())
    room = Room.objects.create(circle=locked)
    audit("meetings.room_regenerated", actor=user, circle=circle)
    if had:
        _tell_others(circle=circle, user=user, key=None)
    return room


def room_ensure(*, circle: Circle) -> Room | None:
    """The group's current room, made when an online or hybrid group has none (group creation)."""
    if circle.mode == Mode.IN_PERSON:
        return None
    room = Room.objects.current().filter(circle=circle).first()
    return room or Room.objects.create(circle=circle)


@transaction.atomic
def place_set(
    *,
    circle: Circle,
    user: "User",
    address: str,
    access_notes: str,
    dial_in: str,
    in_meeting_guide: bool = False,
    publish_address: bool = False,
    publish_room: bool = False,
) -> MeetingPlace:
    """Where and how the group meets, for members only (any member, P5)."""
    _member(circle=circle, user=user)
    place, _created = MeetingPlace.objects.get_or_create(circle=circle)
    place.address = address.strip()[:500]
    place.access_notes = access_notes.strip()[:1000]
    place.dial_in = dial_in.strip()[:500]
    place.in_meeting_guide = in_meeting_guide
    place.publish_address = publish_address and in_meeting_guide
    place.publish_room = publish_room and in_meeting_guide
    place.save()
    audit("meetings.place_set", actor=user, circle=circle)
    return place


@transaction.atomic
def reminder_set(*, circle: Circle, user: "User", reminder: str) -> MeetingPreference:
    """The person's own reminder choice for this group's meetings."""
    membership = _member(circle=circle, user=user)
    if reminder not in Reminder.values:
        raise DomainError(_("Choose when to be reminded."))
    pref, _created = MeetingPreference.objects.update_or_create(
        membership=membership, defaults={"reminder": reminder}
    )
    return pref

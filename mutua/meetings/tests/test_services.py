"""The meeting services' rules: answers until the start, check-in in its window and only for oneself
(P2), changes told to the others in neutral words (P7), rooms that cannot be guessed, members only,
and a group that becomes active only with a schedule (P3, decision 0004)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import join
from mutua.circles import services as circle_services
from mutua.circles.models import CircleStatus, Membership, MembershipStatus
from mutua.core.errors import DomainError
from mutua.meetings import selectors, services
from mutua.meetings.models import Answer, CheckIn, MeetingPreference, Reminder, Room, Rsvp
from mutua.meetings.tests.conftest import soon, weekly_at
from mutua.notifications.models import Kind, Notification
from mutua.notifications.texts import text_for

REPO = Path(__file__).resolve().parents[3]


def later(monkeypatch, moment):
    """Make `timezone.now()` answer `moment` for services and selectors alike."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


# --------------------------------------------------------------------------- RSVP


def test_rsvp_can_change_until_the_start_and_not_after(group_at, monkeypatch):
    g = group_at(10)
    services.rsvp_set(circle=g.circle, user=g.ana, key=g.key, answer=Answer.COMING)
    services.rsvp_set(circle=g.circle, user=g.ana, key=g.key, answer=Answer.NOT_COMING, note="Ill, sorry")
    row = Rsvp.objects.get()
    assert (row.answer, row.note) == (Answer.NOT_COMING, "Ill, sorry")
    later(monkeypatch, g.key - timedelta(seconds=1))
    services.rsvp_set(circle=g.circle, user=g.ana, key=g.key, answer=Answer.COMING)
    later(monkeypatch, g.key)
    with pytest.raises(DomainError, match="has started"):
        services.rsvp_set(circle=g.circle, user=g.ana, key=g.key, answer=Answer.NOT_COMING)
    assert Rsvp.objects.get().answer == Answer.COMING


def test_rsvp_note_is_at_most_200_characters(group_at):
    g = group_at(60)
    services.rsvp_set(circle=g.circle, user=g.ana, key=g.key, answer=Answer.NOT_COMING, note="x" * 200)
    with pytest.raises(DomainError, match="200"):
        services.rsvp_set(circle=g.circle, user=g.ana, key=g.key, answer=Answer.NOT_COMING, note="y" * 201)
    assert Rsvp.objects.get().note == "x" * 200


def test_rsvp_refused_for_a_cancelled_meeting_and_a_made_up_key(group_at):
    g = group_at(60)
    services.meeting_cancel(circle=g.circle, user=g.ben, key=g.key)
    with pytest.raises(DomainError, match="cancelled"):
        services.rsvp_set(circle=g.circle, user=g.ana, key=g.key, answer=Answer.COMING)
    with pytest.raises(DomainError, match="not in the group's schedule"):
        services.rsvp_set(circle=g.circle, user=g.ana, key=g.key + timedelta(minutes=7), answer="coming")
    assert not Rsvp.objects.exists()


# --------------------------------------------------------------------------- check-in


def test_checkin_window_opens_exactly_30_minutes_before_and_closes_at_the_end(group_at):
    g = group_at(120, duration=90)
    with pytest.raises(DomainError, match="opens 30 minutes"):
        services.checkin_self(
            circle=g.circle, user=g.ana, key=g.key, now=g.key - timedelta(minutes=30, seconds=1)
        )
    assert not CheckIn.objects.exists()
    services.checkin_self(circle=g.circle, user=g.ana, key=g.key, now=g.key - timedelta(minutes=30))
    assert CheckIn.objects.get().membership.user == g.ana
    with pytest.raises(DomainError, match="over"):
        services.checkin_self(circle=g.circle, user=g.ben, key=g.key, now=g.key + timedelta(minutes=90))
    services.checkin_self(
        circle=g.circle, user=g.ben, key=g.key, now=g.key + timedelta(minutes=90) - timedelta(seconds=1)
    )
    assert CheckIn.objects.count() == 2


def test_checkin_twice_keeps_one_row(group_at):
    g = group_at(5)
    services.checkin_self(circle=g.circle, user=g.ana, key=g.key)
    services.checkin_self(circle=g.circle, user=g.ana, key=g.key)
    assert CheckIn.objects.count() == 1


def test_checkin_takes_no_other_person(group_at):
    """P2: the service has no parameter that could name someone else."""
    import inspect

    params = set(inspect.signature(services.checkin_self).parameters)
    assert params == {"circle", "user", "key", "now"}
    params = set(inspect.signature(services.rsvp_set).parameters)
    assert params == {"circle", "user", "key", "answer", "note"}


# --------------------------------------------------------------------------- changes are told


def _changed(user):
    return list(Notification.objects.filter(user=user, kind=Kind.MEETING_CHANGED))


@pytest.mark.parametrize("change", ["cancel", "move", "restore"])
def test_changes_tell_the_other_members_not_the_actor_in_neutral_words(group_at, change):
    g = group_at(24 * 60)
    if change == "restore":
        services.meeting_cancel(circle=g.circle, user=g.founder, key=g.key)
        Notification.objects.all().delete()
    if change == "cancel":
        services.meeting_cancel(circle=g.circle, user=g.ana, key=g.key)
    elif change == "move":
        services.meeting_move(
            circle=g.circle, user=g.ana, key=g.key, new_start=g.key + timedelta(hours=2), place_note="Room 2"
        )
    else:
        services.meeting_restore(circle=g.circle, user=g.ana, key=g.key)
    assert _changed(g.ana) == []
    told = _changed(g.ben) + _changed(g.founder)
    assert len(told) == 2
    path = f"/groups/{g.circle.code}/meetings/{selectors.key_slug(g.key)}/"
    for n in told:
        # The link is the bare path behind the gate: nothing about the group besides its code in it.
        assert n.url == path
        text = text_for(n.kind)
        words = f"{text.title} {text.body}"
        assert g.circle.name not in words and g.circle.code not in words
        assert g.circle.experience.name not in words


def test_move_and_restore_change_the_occurrence(group_at):
    g = group_at(24 * 60)
    new = g.key + timedelta(days=1, hours=1)
    services.meeting_move(circle=g.circle, user=g.ana, key=g.key, new_start=new, new_duration=60)
    occ = selectors.occurrence(circle=g.circle, key=g.key)
    assert occ is not None and occ.moved and occ.start == new and occ.end == new + timedelta(minutes=60)
    services.meeting_restore(circle=g.circle, user=g.ben, key=g.key)
    occ = selectors.occurrence(circle=g.circle, key=g.key)
    assert occ is not None and not occ.moved and occ.start == g.key


def test_move_refuses_the_past_and_a_move_of_more_than_a_year(group_at):
    g = group_at(24 * 60)
    with pytest.raises(DomainError, match="future"):
        services.meeting_move(circle=g.circle, user=g.ana, key=g.key, new_start=soon(-5))
    with pytest.raises(DomainError, match="a year"):
        services.meeting_move(circle=g.circle, user=g.ana, key=g.key, new_start=g.key + timedelta(days=400))
    assert not selectors.changes_of(circle=g.circle)


# --------------------------------------------------------------------------- rooms


def test_room_regenerate_retires_the_old_one_for_good(group_at):
    g = group_at(60)
    old = selectors.current_room(circle=g.circle)
    assert old is not None
    new = services.room_regenerate(circle=g.circle, user=g.ana)
    assert selectors.current_room(circle=g.circle) == new != old
    old.refresh_from_db()
    assert old.retired_at is not None
    newer = services.room_regenerate(circle=g.circle, user=g.ben)
    assert selectors.current_room(circle=g.circle) == newer
    assert Room.objects.filter(circle=g.circle).current().count() == 1
    # The others are told (neutral link to the meetings page), the actor is not.
    # Each regeneration tells the others (a neutral link to the meetings page), never the actor.
    meetings_page = f"/groups/{g.circle.code}/meetings/"
    assert [n.url for n in _changed(g.founder)] == [meetings_page] * 2
    assert [n.url for n in _changed(g.ana)] == [meetings_page]  # Ben's, not her own
    assert [n.url for n in _changed(g.ben)] == [meetings_page]  # Ana's, not his own


def test_room_names_are_unguessable_unrelated_to_the_group_and_unique(group_at):
    g = group_at(60)
    names = {services.room_regenerate(circle=g.circle, user=g.ana).name for _ in range(30)}
    assert len(names) == 30
    for name in names:
        token = name.removeprefix("mutua-")
        # URL-safe base64: 6 bits a character; at least 128 random bits.
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token) and len(token) * 6 >= 128
        assert g.circle.code.lower() not in name.lower()
    assert Room.objects.values("name").distinct().count() == Room.objects.count()


def test_an_in_person_group_has_no_room(group_at):
    g = group_at(60, mode="in_person")
    assert selectors.current_room(circle=g.circle) is None
    with pytest.raises(DomainError, match="in person"):
        services.room_regenerate(circle=g.circle, user=g.ana)


# --------------------------------------------------------------------------- members only


def test_place_only_for_members(group_at, make_user):
    g = group_at(60)
    services.place_set(circle=g.circle, user=g.ana, address="Carrer 1", access_notes="Bell 3", dial_in="")
    with pytest.raises(DomainError):
        services.place_set(circle=g.circle, user=make_user(), address="X", access_notes="", dial_in="")
    assert selectors.meeting_place(circle=g.circle).address == "Carrer 1"


def test_publishing_needs_the_feed_first(group_at):
    g = group_at(60)
    place = services.place_set(
        circle=g.circle, user=g.ana, address="A", access_notes="", dial_in="", publish_address=True
    )
    assert not place.publish_address


@pytest.fixture
def waiting_person(group_at, make_user):
    g = group_at(10, max_members=5)
    for _ in range(2):
        join(g.circle, make_user())
    person = make_user()
    assert join(g.circle, person).status == MembershipStatus.WAITING
    return g, person


def test_a_person_on_the_waiting_list_is_refused_by_every_service(waiting_person):
    g, person = waiting_person
    c, key = g.circle, g.key
    calls = [
        lambda: services.rsvp_set(circle=c, user=person, key=key, answer=Answer.COMING),
        lambda: services.checkin_self(circle=c, user=person, key=key),
        lambda: services.meeting_cancel(circle=c, user=person, key=key),
        lambda: services.meeting_move(circle=c, user=person, key=key, new_start=key + timedelta(hours=1)),
        lambda: services.meeting_restore(circle=c, user=person, key=key),
        lambda: services.room_regenerate(circle=c, user=person),
        lambda: services.place_set(circle=c, user=person, address="x", access_notes="", dial_in=""),
        lambda: services.reminder_set(circle=c, user=person, reminder=Reminder.NONE),
        lambda: circle_services.circle_schedule_set(circle=c, rhythm=weekly_at(soon(60)), user=person),
    ]
    for call in calls:
        with pytest.raises(DomainError, match="[Oo]nly members"):
            call()
    assert not Rsvp.objects.exists() and not CheckIn.objects.exists()
    assert not MeetingPreference.objects.exists()
    assert not selectors.changes_of(circle=c)


def test_reminder_is_the_persons_own_choice(group_at):
    g = group_at(60)
    services.reminder_set(circle=g.circle, user=g.ana, reminder=Reminder.TWO_HOURS)
    ana = Membership.objects.get(circle=g.circle, user=g.ana)
    ben = Membership.objects.get(circle=g.circle, user=g.ben)
    assert selectors.reminder_of(membership=ana) == Reminder.TWO_HOURS
    assert selectors.reminder_of(membership=ben) == Reminder.DAY_BEFORE
    with pytest.raises(DomainError):
        services.reminder_set(circle=g.circle, user=g.ana, reminder="hourly")


# --------------------------------------------------------------------------- activation (P3)


def test_a_group_with_its_minimum_becomes_active_only_with_a_schedule(make_circle, make_user):
    founder = make_user()
    circle = make_circle(founder=founder)
    for _ in range(circle.min_members - 1):
        join(circle, make_user())
    circle.refresh_from_db()
    assert circle.member_count == circle.min_members
    assert circle.status == CircleStatus.FORMING and not circle.has_schedule
    circle_services.circle_schedule_set(circle=circle, rhythm=weekly_at(soon(60)), user=founder)
    circle.refresh_from_db()
    assert circle.status == CircleStatus.ACTIVE and circle.agreements_adopted_at is not None


def test_a_schedule_alone_does_not_make_a_small_group_active(make_circle, make_user):
    founder = make_user()
    circle = make_circle(founder=founder)
    circle_services.circle_schedule_set(circle=circle, rhythm=weekly_at(soon(60)), user=founder)
    circle.refresh_from_db()
    assert circle.status == CircleStatus.FORMING
    for _ in range(circle.min_members - 1):
        join(circle, make_user())
    circle.refresh_from_db()
    assert circle.status == CircleStatus.ACTIVE


def test_decision_0004_says_what_the_code_does():
    text = (REPO / "docs" / "decisions" / "0004-forming-to-active.md").read_text(encoding="utf-8")
    assert "revisited (2026-12-01)" in text
    assert "circle_schedule_set" in text and "schedule" in text

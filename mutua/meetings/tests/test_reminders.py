"""Meeting reminders: who is reminded, when, and exactly once (mutua/meetings/reminders.py).

"The day before" is 24 real hours before the start and "two hours before" 2 real hours; a reminder is
due from that moment until the meeting starts. Only members (status member) are reminded, as each
chose for that group; cancelled meetings never; a moved meeting at its new time."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import join
from mutua.circles import services as circle_services
from mutua.circles.models import Circle, Membership, MembershipStatus
from mutua.meetings import reminders, services
from mutua.meetings.models import Reminder
from mutua.meetings.reminders import reminders_due, reminders_send
from mutua.meetings.schedule import Kind as RhythmKind
from mutua.meetings.schedule import Occurrence, Rhythm
from mutua.meetings.selectors import key_slug
from mutua.meetings.tests.conftest import weekly_at
from mutua.notifications import services as notification_services
from mutua.notifications.models import Kind, Notification

DAY, TWO_HOURS, MINUTE = timedelta(hours=24), timedelta(hours=2), timedelta(minutes=1)


def later(monkeypatch, moment):
    """Make `timezone.now()` answer `moment` for the services (a move checks the time)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def who(due):
    return sorted((d.user_id, d.which) for d in due)


def test_the_day_before_is_due_from_exactly_24_hours_before_until_the_start(group_at):
    g = group_at(60 * 30)
    everyone = sorted((u.pk, Reminder.DAY_BEFORE) for u in (g.founder, g.ana, g.ben))
    assert reminders_due(now=g.key - DAY - MINUTE) == []
    assert who(reminders_due(now=g.key - DAY)) == everyone  # exactly 24 hours before
    assert who(reminders_due(now=g.key - MINUTE)) == everyone  # a late tick still sends it
    assert reminders_due(now=g.key) == []  # started: too late
    assert reminders_due(now=g.key + 10 * MINUTE) == []
    due = reminders_due(now=g.key - DAY)[0]
    assert due.start == due.key == g.key
    assert due.url == f"/groups/{g.circle.code}/meetings/{key_slug(g.key)}/"


def test_two_hours_before_is_due_from_exactly_2_hours_before(group_at):
    g = group_at(60 * 30)
    services.reminder_set(circle=g.circle, user=g.ana, reminder=Reminder.TWO_HOURS)
    assert (g.ana.pk, Reminder.TWO_HOURS) not in who(reminders_due(now=g.key - TWO_HOURS - MINUTE))
    assert (g.ana.pk, Reminder.DAY_BEFORE) not in who(reminders_due(now=g.key - DAY))
    assert (g.ana.pk, Reminder.TWO_HOURS) in who(reminders_due(now=g.key - TWO_HOURS))
    assert (g.ana.pk, Reminder.TWO_HOURS) in who(reminders_due(now=g.key - MINUTE))
    assert reminders_due(now=g.key) == []


def test_no_reminder_for_a_member_who_chose_none(group_at):
    g = group_at(60 * 30)
    services.reminder_set(circle=g.circle, user=g.ben, reminder=Reminder.NONE)
    users = {d.user_id for d in reminders_due(now=g.key - MINUTE)}
    assert users == {g.founder.pk, g.ana.pk}


def test_each_group_follows_the_members_choice_for_that_group(group_at):
    first, second = group_at(60 * 30), group_at(60 * 30 + 30)
    join(second.circle, first.ana, "Ana Two")
    services.reminder_set(circle=first.circle, user=first.ana, reminder=Reminder.NONE)
    services.reminder_set(circle=second.circle, user=first.ana, reminder=Reminder.TWO_HOURS)
    mine = [d for d in reminders_due(now=second.key - MINUTE) if d.user_id == first.ana.pk]
    assert [(d.circle_id, d.which) for d in mine] == [(second.circle.pk, Reminder.TWO_HOURS)]
    mine = [d for d in reminders_due(now=second.key - DAY) if d.user_id == first.ana.pk]
    assert mine == []  # none in the first group, two hours in the second: nothing a day before


def test_waiting_offered_and_former_members_are_never_reminded(group_at, make_user):
    g = group_at(60 * 30, max_members=5)
    fourth, fifth = make_user(), make_user()
    join(g.circle, fourth, "Dee")
    join(g.circle, fifth, "Eve")
    waiting, later_waiting = make_user(), make_user()
    join(g.circle, waiting, "Wren")
    join(g.circle, later_waiting, "Yew")
    circle_services.membership_leave(circle=g.circle, user=g.ben)  # the seat is offered to Wren
    statuses = dict(Membership.objects.filter(circle=g.circle).values_list("user_id", "status"))
    assert statuses[waiting.pk] == MembershipStatus.OFFERED
    assert statuses[later_waiting.pk] == MembershipStatus.WAITING
    assert statuses[g.ben.pk] == MembershipStatus.LEFT
    users = {d.user_id for d in reminders_due(now=g.key - MINUTE)}
    assert users == {g.founder.pk, g.ana.pk, fourth.pk, fifth.pk}


def test_an_inactive_account_is_not_reminded(group_at):
    g = group_at(60 * 30)
    type(g.ben).objects.filter(pk=g.ben.pk).update(is_active=False)
    assert {d.user_id for d in reminders_due(now=g.key - MINUTE)} == {g.founder.pk, g.ana.pk}


def test_a_cancelled_meeting_is_not_reminded(group_at):
    g = group_at(60 * 30)
    services.meeting_cancel(circle=g.circle, user=g.founder, key=g.key)
    assert reminders_due(now=g.key - DAY) == []
    assert reminders_due(now=g.key - MINUTE) == []
    services.meeting_restore(circle=g.circle, user=g.founder, key=g.key)
    assert len(reminders_due(now=g.key - DAY + 10 * MINUTE)) == 3  # restored before its time: reminded


def test_a_moved_meeting_is_reminded_at_its_new_time(group_at):
    g = group_at(60 * 30)
    new_start = g.key + timedelta(days=2, hours=1)
    services.meeting_move(circle=g.circle, user=g.founder, key=g.key, new_start=new_start)
    assert reminders_due(now=g.key - DAY) == []  # nothing at the old time
    assert reminders_due(now=g.key - MINUTE) == []
    assert reminders_due(now=new_start - DAY - MINUTE) == []
    due = reminders_due(now=new_start - DAY)
    assert len(due) == 3
    assert {(d.key, d.start) for d in due} == {(g.key, new_start)}
    # The page is still named by the meeting's key; the once_key names its new start.
    assert due[0].url.endswith(f"/meetings/{key_slug(g.key)}/")
    assert key_slug(new_start) in due[0].once_key


def test_a_meeting_moved_after_its_reminder_is_reminded_again_only_for_a_later_moment(group_at, monkeypatch):
    g = group_at(60 * 30)
    assert reminders_send(now=g.key - DAY) == 3
    # An hour after the reminder went out, the meeting moves half an hour earlier: the day-before moment
    # of the new time has passed already, and the move told the others ("a meeting has changed").
    later(monkeypatch, g.key - DAY + timedelta(hours=1))
    earlier = g.key - timedelta(minutes=30)
    services.meeting_move(circle=g.circle, user=g.founder, key=g.key, new_start=earlier)
    assert reminders_due(now=g.key - DAY + timedelta(hours=1, minutes=5)) == []
    changed = Notification.objects.filter(kind=Kind.MEETING_CHANGED)
    assert sorted(changed.values_list("user_id", flat=True)) == sorted([g.ana.pk, g.ben.pk])
    # Moved again, two days later: a new day-before moment after the move, so a new reminder then.
    later(monkeypatch, g.key - DAY + timedelta(hours=2))
    further = g.key + timedelta(days=2)
    services.meeting_move(circle=g.circle, user=g.founder, key=g.key, new_start=further)
    assert reminders_send(now=further - DAY) == 3
    keys = Notification.objects.filter(kind=Kind.MEETING_REMINDER).values_list("once_key", flat=True)
    assert len(set(keys)) == 6


def test_a_two_hours_reminder_of_a_meeting_moved_long_before_is_sent(group_at, monkeypatch):
    g = group_at(60 * 30)
    services.reminder_set(circle=g.circle, user=g.ana, reminder=Reminder.TWO_HOURS)
    later(monkeypatch, g.key - DAY - timedelta(hours=1))  # moved before any reminder was due
    new_start = g.key + timedelta(hours=3)
    services.meeting_move(circle=g.circle, user=g.founder, key=g.key, new_start=new_start)
    assert {d.user_id for d in reminders_due(now=new_start - DAY)} == {g.founder.pk, g.ben.pk}
    assert {d.user_id for d in reminders_due(now=new_start - TWO_HOURS)} == {g.founder.pk, g.ben.pk, g.ana.pk}


def test_a_member_who_must_accept_new_agreements_is_still_reminded(group_at):
    g = group_at(60 * 30)
    Circle.objects.filter(pk=g.circle.pk).update(agreements_version=2)  # nobody has accepted version 2
    assert len(reminders_due(now=g.key - MINUTE)) == 3


def test_running_the_tick_twice_reminds_once(group_at):
    g = group_at(60 * 30)
    now = g.key - DAY + 3 * MINUTE
    assert reminders_send(now=now) == 3
    assert reminders_send(now=now) == 0
    assert reminders_send(now=now + 5 * MINUTE) == 0  # the next tick
    rows = Notification.objects.filter(kind=Kind.MEETING_REMINDER)
    assert sorted(rows.values_list("user_id", flat=True)) == sorted([g.founder.pk, g.ana.pk, g.ben.pk])
    assert {r.due_at for r in rows} == {g.key}
    assert {r.url for r in rows} == {f"/groups/{g.circle.code}/meetings/{key_slug(g.key)}/"}
    # The two hours reminder is another reminder (a member who changed their mind gets it too).
    services.reminder_set(circle=g.circle, user=g.ana, reminder=Reminder.TWO_HOURS)
    assert reminders_send(now=g.key - TWO_HOURS) == 1
    assert reminders_send(now=g.key - TWO_HOURS) == 0


def test_two_ticks_racing_past_the_reads_still_remind_once(group_at, monkeypatch):
    """Both ticks read "not sent yet" before either inserts: the unique (person, once_key) decides."""
    g = group_at(60 * 30)
    now = g.key - MINUTE
    assert reminders_send(now=now) == 3
    monkeypatch.setattr(reminders, "_already_sent", lambda due: set())
    monkeypatch.setattr(notification_services, "_already_notified", lambda **kw: False)
    assert reminders_send(now=now) == 0
    assert Notification.objects.filter(kind=Kind.MEETING_REMINDER).count() == 3


def test_each_member_of_a_group_gets_their_own_reminder(group_at):
    """The once_key names the membership: one person's reminder never stands in for another's."""
    g = group_at(60 * 30)
    keys = [d.once_key for d in reminders_due(now=g.key - MINUTE)]
    assert len(set(keys)) == 3
    memberships = Membership.objects.filter(circle=g.circle).values_list("pk", flat=True)
    assert {k.split(":")[4] for k in keys} == {str(pk) for pk in memberships}


def test_the_once_key_fits_its_column_with_the_largest_ids():
    key = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)
    occ = Occurrence(key=key, start=key + DAY, end=key + DAY + timedelta(minutes=90), moved=True)
    longest = reminders.once_key(
        circle_id=9_999_999_999, occ=occ, membership_id=9_999_999_999, which="day_before"
    )
    assert len(longest) <= reminders.ONCE_KEY_MAX
    assert longest == "meeting:9999999999:20261208T1800Z:20261209T1800Z:9999999999:day_before"


# --------------------------------------------------------------------------- daylight saving time


def madrid_sunday_group(make_circle, make_user, day: date):
    founder = make_user(timezone="Europe/Madrid")
    circle = make_circle(founder=founder)
    rhythm = Rhythm(
        kind=RhythmKind.WEEKLY,
        start_date=day - timedelta(weeks=8),
        start_time=time(19, 0),
        duration_minutes=90,
        tz="Europe/Madrid",
        weekday=6,
    )
    circle_services.circle_schedule_set(circle=circle, rhythm=rhythm, user=founder)
    return circle


def test_the_day_before_a_meeting_after_the_clocks_go_forward_is_24_real_hours(make_circle, make_user):
    """Madrid, Sunday 29 March 2026: the clocks go from 02:00 to 03:00. The 19:00 meeting that evening
    (17:00 UTC) is reminded at 17:00 UTC on Saturday, which is 18:00 on Madrid's clock then: "the day
    before" means 24 real hours, not the same time on the clock the day before."""
    madrid_sunday_group(make_circle, make_user, date(2026, 3, 29))
    start = datetime(2026, 3, 29, 17, 0, tzinfo=UTC)
    assert reminders_due(now=datetime(2026, 3, 28, 16, 59, tzinfo=UTC)) == []
    due = reminders_due(now=datetime(2026, 3, 28, 17, 0, tzinfo=UTC))  # Saturday 18:00 in Madrid
    assert [d.start for d in due] == [start]


def test_the_day_before_a_meeting_after_the_clocks_go_back_is_24_real_hours(make_circle, make_user):
    """Madrid, Sunday 25 October 2026: 03:00 becomes 02:00 again. The 19:00 meeting (18:00 UTC) is
    reminded at 18:00 UTC on Saturday, 20:00 on Madrid's summer clock."""
    madrid_sunday_group(make_circle, make_user, date(2026, 10, 25))
    start = datetime(2026, 10, 25, 18, 0, tzinfo=UTC)
    assert reminders_due(now=datetime(2026, 10, 24, 17, 59, tzinfo=UTC)) == []
    assert [d.start for d in reminders_due(now=datetime(2026, 10, 24, 18, 0, tzinfo=UTC))] == [start]


# --------------------------------------------------------------------------- cost


def test_groups_that_cannot_meet_in_the_window_are_not_expanded(group_at, make_circle, monkeypatch):
    g = group_at(60 * 30)
    now = g.key - MINUTE
    founder = g.founder
    three_days_on = make_circle(founder=founder)  # a weekday outside the window on every clock
    circle_services.circle_schedule_set(
        circle=three_days_on, rhythm=weekly_at(g.key + timedelta(days=3)), user=founder
    )
    make_circle(founder=founder)  # no schedule
    ended = make_circle(founder=founder)
    rhythm = weekly_at(g.key)
    circle_services.circle_schedule_set(
        circle=ended,
        rhythm=Rhythm(**{**rhythm.__dict__, "end_date": (g.key - timedelta(days=3)).date()}),
        user=founder,
    )
    expanded: list[int] = []
    real = reminders.occurrences

    def counting(rhythm, *args, **kwargs):
        expanded.append(1)
        return real(rhythm, *args, **kwargs)

    monkeypatch.setattr(reminders, "occurrences", counting)
    assert len(reminders_due(now=now)) == 3
    assert len(expanded) == 1  # only the group that meets tomorrow


def test_a_meeting_moved_onto_another_weekday_is_still_found(group_at):
    """The weekday filter must not hide a meeting moved into the window from another day."""
    g = group_at(60 * 24 * 4)  # four days ahead: its weekday is outside tomorrow's window
    moved_to = g.key - timedelta(days=3) + timedelta(hours=1)  # tomorrow, an hour later than now
    services.meeting_move(circle=g.circle, user=g.founder, key=g.key, new_start=moved_to)
    assert [d.start for d in reminders_due(now=moved_to - DAY)] == [moved_to] * 3


def test_the_number_of_queries_does_not_grow_with_groups_or_members(group_at, make_user):
    def count(now):
        with CaptureQueriesContext(connection) as queries:
            due = reminders_due(now=now)
        return len(queries), len(due)

    first = group_at(60 * 30)
    small = count(first.key - MINUTE)
    for _ in range(3):
        more = group_at(60 * 30)
        for _ in range(3):
            join(more.circle, make_user())
    large = count(first.key - MINUTE)
    assert small[1] == 3 and large[1] == 3 + 3 * 6
    assert large[0] == small[0] <= 4


def test_the_periodic_task_sends_the_due_reminders(group_at, monkeypatch):
    from mutua.meetings import tasks

    group_at(60 * 20)  # the day-before moment has come
    assert tasks.meeting_reminders.call() == 3
    assert tasks.meeting_reminders.call() == 0
    assert Notification.objects.filter(kind=Kind.MEETING_REMINDER).count() == 3


@pytest.mark.parametrize("kind", ["monthly_day", "rrule", "monthly_nth", "fortnightly"])
def test_every_kind_of_rhythm_is_reminded(kind, make_circle, make_user):
    founder = make_user()
    circle = make_circle(founder=founder)
    start = datetime(2027, 1, 31, 18, 0, tzinfo=UTC)  # Sunday 31 January 2027, 19:00 in Madrid
    fields = {
        "monthly_day": {"monthday": 31},
        "rrule": {"rrule": "FREQ=MONTHLY;BYMONTHDAY=-1"},
        "monthly_nth": {"weekday": 6, "nth": -1},
        "fortnightly": {"weekday": 6},
    }[kind]
    rhythm = Rhythm(
        kind=RhythmKind(kind),
        start_date=date(2027, 1, 3),
        start_time=time(19, 0),
        duration_minutes=90,
        tz="Europe/Madrid",
        **fields,
    )
    circle_services.circle_schedule_set(circle=circle, rhythm=rhythm, user=founder)
    assert [d.start for d in reminders_due(now=start - DAY)] == [start]
    assert reminders_due(now=start - DAY - MINUTE) == []

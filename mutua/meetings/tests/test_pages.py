"""The meetings pages: what a member sees and does, through the same services as the API; only
members reach them (P7), nobody acts for another person (P2), and a GET never writes."""

import html as html_lib
import re
from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from conftest import client_for, join
from mutua.circles import services as circle_services
from mutua.circles.models import Membership, MembershipStatus
from mutua.meetings import display, selectors, services
from mutua.meetings.describe import format_time
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
from mutua.meetings.schedule import Kind, Rhythm
from mutua.meetings.selectors import key_slug
from mutua.meetings.tests.conftest import soon, weekly_at
from mutua.notifications.models import Kind as NotificationKind
from mutua.notifications.models import Notification


def base(g):
    return f"/groups/{g.circle.code}/meetings/"


def at(g, suffix=""):
    return f"{base(g)}{key_slug(g.key)}/{suffix}"


def text(response):
    """The page's main content as plain text (tags dropped, spaces collapsed)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", main)).split())


# --------------------------------------------------------------------------- the meetings page


def test_the_next_meeting_in_the_members_zone_and_the_groups(group_at, make_user):
    g = group_at(24 * 60)
    g.ana.timezone = "America/New_York"
    g.ana.save(update_fields=["timezone"])
    page = text(client_for(g.ana).get(base(g)))
    madrid = display.span(g.key, g.key + timedelta(minutes=90), "Europe/Madrid")
    new_york = display.span(g.key, g.key + timedelta(minutes=90), "America/New_York")
    assert madrid != new_york
    assert f"{madrid} (Madrid time, the group's time)" in page
    assert f"{new_york} (New York time, your time)" in page
    # Same zone: the time once.
    page = text(client_for(g.ben).get(base(g)))
    assert madrid in page and "your time" not in page


def test_a_member_without_a_zone_reads_the_groups(group_at):
    g = group_at(24 * 60)
    g.ana.timezone = ""
    g.ana.save(update_fields=["timezone"])
    page = text(client_for(g.ana).get(base(g)))
    assert display.span(g.key, g.key + timedelta(minutes=90), "Europe/Madrid") in page
    assert "your time" not in page


def test_the_rhythm_in_words_and_the_next_eight_meetings(group_at):
    g = group_at(24 * 60)
    local = g.key.astimezone(display.zone("Europe/Madrid"))
    page = text(client_for(g.ana).get(base(g)))
    weekday = local.strftime("%A")
    assert f"Every week on {weekday} at {format_time(local)} (Madrid time)" in page
    html = client_for(g.ana).get(base(g)).content.decode()
    listed = re.findall(r'<ul class="meeting-list".*?</ul>', html, re.S)[0]
    assert len(re.findall(r"<li>", listed)) == 8
    assert key_slug(g.key) in listed and key_slug(g.key + timedelta(weeks=7)) in listed


@pytest.mark.parametrize(
    "rhythm,words",
    [
        (
            Rhythm(Kind.WEEKLY, date(2026, 1, 6), time(19), 90, "Europe/Madrid", weekday=1),
            "Every week on Tuesday at 19:00 (Madrid time)",
        ),
        (
            Rhythm(Kind.FORTNIGHTLY, date(2026, 1, 6), time(18, 30), 90, "Europe/Rome", weekday=0),
            "Every two weeks on Monday at 18:30 (Rome time)",
        ),
        (
            Rhythm(Kind.MONTHLY_NTH, date(2026, 1, 1), time(20), 90, "Europe/Madrid", weekday=4, nth=-1),
            "On the last Friday of every month at 20:00 (Madrid time)",
        ),
        (
            Rhythm(Kind.MONTHLY_NTH, date(2026, 1, 1), time(20), 90, "Europe/Madrid", weekday=1, nth=2),
            "On the second Tuesday of every month at 20:00 (Madrid time)",
        ),
        (
            Rhythm(Kind.MONTHLY_DAY, date(2026, 1, 1), time(10), 60, "America/New_York", monthday=15),
            "On day 15 of every month at 10:00 (New York time)",
        ),
        (
            Rhythm(
                Kind.RRULE, date(2026, 1, 1), time(19), 60, "Europe/Madrid", rrule="FREQ=WEEKLY;BYDAY=TU,TH"
            ),
            "Every week on Tuesday and on Thursday at 19:00 (Madrid time)",
        ),
        (
            Rhythm(
                Kind.RRULE, date(2026, 1, 1), time(19), 60, "Europe/Madrid", rrule="FREQ=YEARLY;BYMONTH=3"
            ),
            "On a rhythm of its own, at 19:00 (Madrid time)",
        ),
        (None, "No meeting time yet"),
    ],
)
def test_rhythm_words(rhythm, words):
    """The words are `meetings.describe`'s (shared with the directory), on the group's clock, naming
    its zone."""
    assert display.rhythm_words(rhythm).startswith(words)


def test_cancelled_meetings_are_struck_through_and_moved_ones_labelled(group_at):
    g = group_at(24 * 60)
    second = g.key + timedelta(weeks=1)
    services.meeting_cancel(circle=g.circle, user=g.founder, key=g.key)
    services.meeting_move(circle=g.circle, user=g.founder, key=second, new_start=second + timedelta(hours=1))
    html = client_for(g.ana).get(base(g)).content.decode()
    listed = re.findall(r'<ul class="meeting-list".*?</ul>', html, re.S)[0]
    items = re.findall(r"<li>(.*?)</li>", listed, re.S)
    assert "<del>" in items[0] and "Cancelled" in items[0]
    assert "Moved" in items[1] and "<del>" not in items[1]
    assert "<del>" not in "".join(items[2:]) and "Moved" not in "".join(items[2:])
    # The next meeting is the moved one (the cancelled one is skipped).
    nxt = re.findall(r'<section aria-labelledby="next-title".*?</section>', html, re.S)[0]
    assert key_slug(second) in nxt and "Moved" in nxt


def test_how_to_join_shows_the_current_room_and_the_place_to_members(group_at):
    g = group_at(60)
    services.place_set(
        circle=g.circle, user=g.ben, address="Carrer Gran 5", access_notes="Ring 3", dial_in="+34 900"
    )
    old = selectors.current_room(circle=g.circle)
    new = services.room_regenerate(circle=g.circle, user=g.ben)
    page = client_for(g.ana).get(base(g)).content.decode()
    assert new.url in page and old.name not in page
    for fact in ("Carrer Gran 5", "Ring 3", "+34 900"):
        assert fact in page
    assert "Get a new room link" in page


def test_an_in_person_group_shows_no_room(group_at):
    g = group_at(60, mode="in_person")
    page = client_for(g.ana).get(base(g)).content.decode()
    assert "Get a new room link" not in page and "meet.jit.si" not in page
    r = client_for(g.ana).get(base(g) + "room/")
    assert r.status_code == 302
    assert not Room.objects.filter(circle=g.circle).exists()


def test_getting_a_new_room_link_asks_first_then_changes_it(group_at):
    g = group_at(60)
    old = selectors.current_room(circle=g.circle)
    c = client_for(g.ana)
    page = text(c.get(base(g) + "room/"))
    assert "everyone in the group sees the new one" in page
    assert selectors.current_room(circle=g.circle) == old  # GET changed nothing
    r = c.post(base(g) + "room/")
    assert r.status_code == 302 and r["Location"] == base(g)
    new = selectors.current_room(circle=g.circle)
    assert new != old
    listed = c.get(base(g)).content.decode()
    assert new.url in listed and old.url not in listed


def test_the_reminder_choice_is_saved_and_a_wrong_one_is_explained(group_at):
    g = group_at(60)
    c = client_for(g.ana)
    r = c.post(base(g) + "reminder/", {"reminder": "two_hours"})
    assert r.status_code == 302
    ana = Membership.objects.get(circle=g.circle, user=g.ana)
    assert selectors.reminder_of(membership=ana) == Reminder.TWO_HOURS
    page = c.get(base(g)).content.decode()
    assert re.search(r'value="two_hours"[^>]*checked', page)
    r = c.post(base(g) + "reminder/", {"reminder": "hourly"})
    assert r.status_code == 400 and "error-summary" in r.content.decode()
    assert selectors.reminder_of(membership=ana) == Reminder.TWO_HOURS


def test_commitment_chart_counts_people_and_never_names_them(group_at):
    g = group_at(24 * 60)
    last = g.key - timedelta(weeks=1)
    before = g.key - timedelta(weeks=2)
    for user in (g.ana, g.ben):
        services.checkin_self(circle=g.circle, user=user, key=last, now=last)
    services.checkin_self(circle=g.circle, user=g.founder, key=before, now=before)
    html = client_for(g.ana).get(base(g)).content.decode()
    section = re.findall(r'<section aria-labelledby="commitment-title".*?</section>', html, re.S)[0]
    assert "<svg" in section and 'role="img"' in section and "aria-labelledby" in section
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", section)
    assert len(rows) == 12
    assert [int(n) for _d, n in rows[-2:]] == [1, 2]
    heights = [int(h) for h in re.findall(r'<rect [^>]*height="(\d+)"', section)]
    assert heights[-1] == 2 * heights[-2] > 0
    for name in ("Ana", "Ben", "Founder"):
        assert name not in section
    assert f'href="{base(g)}attendance/"' in section


def test_my_attendance_is_my_own(group_at):
    g = group_at(24 * 60)
    last = g.key - timedelta(weeks=1)
    Membership.objects.filter(circle=g.circle).update(joined_at=timezone.now() - timedelta(weeks=3))
    services.checkin_self(circle=g.circle, user=g.ben, key=last, now=last)
    page = text(client_for(g.ana).get(base(g) + "attendance/"))
    assert "You checked in at 0 of 3 meetings." in page
    page = text(client_for(g.ben).get(base(g) + "attendance/"))
    assert "You checked in at 1 of 3 meetings." in page
    assert "Ana" not in page


# --------------------------------------------------------------------------- one meeting


def test_a_made_up_key_is_404_and_a_real_one_200(group_at):
    g = group_at(60)
    c = client_for(g.ana)
    assert c.get(at(g)).status_code == 200
    fake = key_slug(g.key + timedelta(minutes=1))
    assert c.get(f"{base(g)}{fake}/").status_code == 404
    assert c.get(f"{base(g)}20261399T9999Z/").status_code == 404
    assert c.post(f"{base(g)}{fake}/rsvp/", {"answer": "coming"}).status_code == 404
    assert not Meeting.objects.exists()


def test_rsvp_with_a_note_is_seen_by_the_others(group_at):
    g = group_at(24 * 60)
    r = client_for(g.ana).post(at(g, "rsvp/"), {"answer": "not_coming", "note": "Away this week"})
    assert r.status_code == 302 and r["Location"] == at(g)
    page = text(client_for(g.ben).get(at(g)))
    assert "Can't come (1)" in page and "Ana: “Away this week”" in page
    mine = text(client_for(g.ana).get(at(g)))
    assert "You answered: Can't come." in mine and "Change my answer" in mine


def test_rsvp_note_too_long_is_refused_with_the_form(group_at):
    g = group_at(24 * 60)
    r = client_for(g.ana).post(at(g, "rsvp/"), {"answer": "not_coming", "note": "x" * 201})
    assert r.status_code == 400 and "error-summary" in r.content.decode()
    assert not Rsvp.objects.exists()


def test_checkin_button_only_in_the_window_then_you_checked_in(group_at):
    far = group_at(24 * 60)
    page = text(client_for(far.ana).get(at(far)))
    assert "I am here" not in page and "You can check yourself in from" in page
    r = client_for(far.ana).post(at(far, "checkin/"))
    assert r.status_code == 302 and not CheckIn.objects.exists()

    g = group_at(10)
    c = client_for(g.ana)
    assert "I am here" in text(c.get(at(g)))
    assert c.post(at(g, "checkin/")).status_code == 302
    page = text(c.get(at(g)))
    assert "You checked in." in page and "I am here" not in page


def test_checkin_writes_only_the_actors_own_row_whatever_is_posted(group_at):
    """P2: no parameter names another person; extra fields naming Ben change nothing for him."""
    g = group_at(10)
    ben = Membership.objects.get(circle=g.circle, user=g.ben)
    forged = {
        "membership": ben.pk,
        "membership_id": ben.pk,
        "user": g.ben.pk,
        "user_id": g.ben.pk,
        "pseudonym": "Ben",
        "for": "Ben",
    }
    r = client_for(g.ana).post(at(g, "checkin/"), forged)
    assert r.status_code == 302
    assert list(CheckIn.objects.values_list("membership__user", flat=True)) == [g.ana.pk]
    r = client_for(g.ana).post(at(g, "rsvp/"), {"answer": "coming", **forged})
    assert list(Rsvp.objects.values_list("membership__user", flat=True)) == [g.ana.pk]


def test_a_cancelled_meeting_says_so_and_offers_no_answer_or_checkin(group_at):
    g = group_at(10)
    services.meeting_cancel(circle=g.circle, user=g.founder, key=g.key)
    page = text(client_for(g.ana).get(at(g)))
    assert "This meeting is cancelled" in page
    assert "I am here" not in page and "Send my answer" not in page
    assert "Undo the change" in page


def test_cancel_asks_first_and_only_post_cancels(group_at):
    g = group_at(24 * 60)
    c = client_for(g.ana)
    page = text(c.get(at(g, "cancel/")))
    assert "Cancel this meeting?" in page and "Everyone else in the group is told" in page
    assert not Meeting.objects.exists() and not Notification.objects.filter(kind="meeting_changed").exists()
    r = c.post(at(g, "cancel/"))
    assert r.status_code == 302
    assert selectors.occurrence(circle=g.circle, key=g.key).cancelled
    told = set(
        Notification.objects.filter(kind=NotificationKind.MEETING_CHANGED).values_list("user", flat=True)
    )
    assert told == {g.founder.pk, g.ben.pk}


def test_move_reads_the_new_time_in_the_groups_zone(group_at):
    g = group_at(24 * 60)
    g.ana.timezone = "America/New_York"
    g.ana.save(update_fields=["timezone"])
    c = client_for(g.ana)
    page = text(c.get(at(g, "move/")))
    assert "Madrid time" in page
    day = (g.key + timedelta(days=2)).astimezone(display.zone("Europe/Madrid")).date()
    r = c.post(
        at(g, "move/"), {"date": day.isoformat(), "time": "18:15", "duration": 60, "place_note": "Park"}
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    occ = selectors.occurrence(circle=g.circle, key=g.key)
    local = occ.start.astimezone(display.zone("Europe/Madrid"))
    assert (local.date(), local.hour, local.minute) == (day, 18, 15)
    assert occ.end - occ.start == timedelta(minutes=60) and occ.moved
    assert "Park" in text(c.get(at(g)))


def test_move_to_the_past_is_explained(group_at):
    g = group_at(24 * 60)
    r = client_for(g.ana).post(at(g, "move/"), {"date": "2020-01-01", "time": "18:00", "duration": 90})
    assert r.status_code == 400 and "Choose a time in the future." in r.content.decode()
    assert not selectors.changes_of(circle=g.circle)


def test_restore_asks_first_then_undoes(group_at):
    g = group_at(24 * 60)
    services.meeting_cancel(circle=g.circle, user=g.founder, key=g.key)
    c = client_for(g.ana)
    assert "Undo the change to this meeting?" in text(c.get(at(g, "restore/")))
    assert selectors.occurrence(circle=g.circle, key=g.key).cancelled
    assert c.post(at(g, "restore/")).status_code == 302
    assert not selectors.occurrence(circle=g.circle, key=g.key).cancelled


def test_no_get_writes_anything(group_at):
    g = group_at(10)
    c = client_for(g.ana)
    paths = ["", "room/", "place/", "schedule/", "attendance/"]
    paths += [f"{key_slug(g.key)}/{s}" for s in ("", "cancel/", "move/", "restore/")]
    rooms = list(Room.objects.values_list("name", "retired_at"))
    for p in paths:
        assert c.get(base(g) + p).status_code == 200, p
    for p in ("reminder/", f"{key_slug(g.key)}/rsvp/", f"{key_slug(g.key)}/checkin/"):
        assert c.get(base(g) + p).status_code == 405, p
    assert not Meeting.objects.exists() and not MeetingPlace.objects.exists()
    assert not MeetingPreference.objects.exists() and not CheckIn.objects.exists()
    assert list(Room.objects.values_list("name", "retired_at")) == rooms


# --------------------------------------------------------------------------- place and schedule


def test_the_place_form_saves_for_members_only_to_see(group_at, make_user):
    g = group_at(60)
    c = client_for(g.ana)
    assert c.get(base(g) + "place/").status_code == 200
    r = c.post(base(g) + "place/", {"address": "Plaça 1", "access_notes": "Door B", "dial_in": ""})
    assert r.status_code == 302
    assert selectors.meeting_place(circle=g.circle).address == "Plaça 1"
    public = client_for(make_user()).get(f"/groups/{g.circle.code}/").content.decode()
    assert "Plaça 1" not in public and "Door B" not in public


def test_the_schedule_form_sets_the_rhythm(group_at):
    g = group_at(60)
    c = client_for(g.ana)
    page = c.get(base(g) + "schedule/").content.decode()
    assert 'name="timezone"' in page and "Madrid (" in page  # the time-zone select's labels
    r = c.post(
        base(g) + "schedule/",
        {
            "kind": "monthly_nth",
            "weekday": "4",
            "nth": "-1",
            "start_date": "2026-01-01",
            "start_time": "19:30",
            "duration": "120",
            "timezone": "Europe/Rome",
        },
    )
    assert r.status_code == 302, r.content.decode()[-3000:]
    circle = g.reload()
    assert (circle.schedule_kind, circle.schedule_weekday, circle.schedule_nth) == ("monthly_nth", 4, -1)
    assert circle.timezone == "Europe/Rome" and circle.schedule_duration == 120
    assert "On the last Friday of every month at 19:30 (Rome time)" in text(c.get(base(g)))
    # The others are told; the one who changed it is not.
    told = set(
        Notification.objects.filter(kind=NotificationKind.MEETING_CHANGED).values_list("user", flat=True)
    )
    assert told == {g.founder.pk, g.ben.pk}


def test_the_schedule_form_puts_the_error_next_to_the_field(group_at):
    g = group_at(60)
    r = client_for(g.ana).post(
        base(g) + "schedule/",
        {
            "kind": "weekly",
            "start_date": "2026-01-01",
            "start_time": "19:00",
            "duration": "90",
            "timezone": "Europe/Madrid",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'href="#id_weekday"' in html and "Choose the day of the week" in html
    assert g.reload().schedule_weekday == weekly_at(g.key).weekday


def test_a_forming_group_without_a_schedule_invites_any_member_to_set_it(make_circle, make_user):
    founder = make_user()
    circle = make_circle(founder=founder)
    member = make_user()
    join(circle, member)
    for path in (f"/groups/{circle.code}/home/", f"/groups/{circle.code}/meetings/"):
        page = text(client_for(member).get(path))
        assert "The group has no meeting time yet. Any member can set it for everyone." in page
        assert "Set the meeting time" in page
    r = client_for(member).post(
        f"/groups/{circle.code}/meetings/schedule/",
        {
            "kind": "weekly",
            "weekday": "1",
            "start_date": "2026-01-06",
            "start_time": "19:00",
            "duration": "90",
            "timezone": "Europe/Madrid",
        },
    )
    assert r.status_code == 302
    page = text(client_for(founder).get(f"/groups/{circle.code}/home/"))
    assert "Next meeting:" in page and "no meeting time yet" not in page


# --------------------------------------------------------------------------- who may see


ROUTES = ["", "room/", "place/", "schedule/", "attendance/", "reminder/"]
MEETING_ROUTES = ["", "rsvp/", "checkin/", "cancel/", "move/", "restore/"]


def test_a_person_on_the_waiting_list_gets_404_everywhere(group_at, make_user):
    g = group_at(10, max_members=5)
    for _ in range(2):
        join(g.circle, make_user())
    person = make_user()
    assert join(g.circle, person).status == MembershipStatus.WAITING
    c = client_for(person)
    paths = [base(g) + r for r in ROUTES] + [at(g, r) for r in MEETING_ROUTES]
    for path in paths:
        for method in ("get", "post"):
            assert getattr(c, method)(path, {"answer": "coming"}).status_code == 404, f"{method} {path}"
    assert not CheckIn.objects.exists() and not Rsvp.objects.exists()
    assert Answer.COMING  # the body named an answer: it still wrote nothing


def test_the_home_shows_the_next_meeting_and_links_to_the_meetings_page(group_at):
    g = group_at(24 * 60)
    html = client_for(g.ana).get(f"/groups/{g.circle.code}/home/").content.decode()
    section = re.findall(r'<section aria-labelledby="next-title".*?</section>', html, re.S)[0]
    assert display.span(g.key, g.key + timedelta(minutes=90), "Europe/Madrid") in section
    assert f'href="{base(g)}"' in section


def test_the_meetings_page_reads_a_bounded_number_of_queries(group_at, django_assert_max_num_queries):
    g = group_at(24 * 60)
    for week in range(1, 6):
        services.meeting_cancel(circle=g.circle, user=g.founder, key=g.key + timedelta(weeks=week))
    c = client_for(g.ana)
    with django_assert_max_num_queries(25):
        assert c.get(base(g)).status_code == 200


def test_a_schedule_change_by_circle_services_keeps_old_keys_404(group_at):
    """Keys come from the rhythm: after a change, the old meeting's address no longer exists."""
    g = group_at(24 * 60)
    circle_services.circle_schedule_set(circle=g.circle, rhythm=weekly_at(soon(24 * 60 + 61)), user=g.ana)
    assert client_for(g.ana).get(at(g)).status_code == 404


@pytest.mark.parametrize("language", ["es", "it", "ca"])
def test_every_page_renders_in_each_language(group_at, language):
    """Each catalogue's entries fit their placeholders (a wrong one fails when the page renders)."""
    g = group_at(10)
    last = g.key - timedelta(weeks=1)
    services.checkin_self(circle=g.circle, user=g.ben, key=last, now=last)
    services.rsvp_set(circle=g.circle, user=g.ben, key=g.key, answer=Answer.NOT_COMING, note="Fuera")
    services.checkin_self(circle=g.circle, user=g.founder, key=g.key)
    g.ana.language = language
    g.ana.timezone = "America/New_York"
    g.ana.save(update_fields=["language", "timezone"])
    c = client_for(g.ana)
    for path in [base(g), *(base(g) + p for p in ("room/", "place/", "schedule/", "attendance/"))]:
        r = c.get(path)
        assert r.status_code == 200 and f'lang="{language}"' in r.content.decode(), path
    for suffix in ("", "cancel/", "move/", "restore/"):
        assert c.get(at(g, suffix)).status_code == 200, suffix
    page = text(c.get(base(g)))
    assert "Meetings" not in page and "Next meeting" not in page  # translated, not English
    assert c.get(f"/groups/{g.circle.code}/home/").status_code == 200

"""The personal calendar feed: parsed with `icalendar` and expanded with `recurring-ical-events`, its
meetings are exactly Mutua's own occurrences for two years; it shows only the person's own groups
where their consent is current, and nothing of anyone else (P7)."""

import hashlib
import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from django.utils import timezone
from icalendar import Calendar

from conftest import join, names
from mutua.circles import services as circle_services
from mutua.circles.models import Circle, Pledge
from mutua.meetings import calendar_selectors, calendar_services
from mutua.meetings import services as meeting_services
from mutua.meetings.models import CalendarFeed, MeetingPlace
from mutua.meetings.schedule import Kind, Rhythm
from mutua.meetings.selectors import key_slug, meetings_between

TWO_YEARS = timedelta(days=731)


def rhythm(kind: Kind, at: time, tz: str, **extra: Any) -> Rhythm:
    start = timezone.localdate() - timedelta(days=45)
    return Rhythm(kind=kind, start_date=start, start_time=at, duration_minutes=90, tz=tz, **extra)


def scheduled(make_circle: Any, owner: Any, r: Rhythm, name: str = "Thursday circle", **kw: Any) -> Circle:
    circle = make_circle(founder=owner, name=name, mode=kw.pop("mode", "hybrid"), **kw)
    circle_services.circle_schedule_set(circle=circle, rhythm=r, user=owner)
    circle.refresh_from_db()
    return circle


def window() -> tuple[datetime, datetime]:
    now = timezone.now().astimezone(UTC)
    return now - timedelta(days=30), now + TWO_YEARS


def expected(circle: Circle, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Mutua's own meetings (not cancelled) in the window, by their (possibly moved) start."""
    return sorted(
        (o.start, o.end) for o in meetings_between(circle=circle, start=start, end=end) if not o.cancelled
    )


def expanded(ics: bytes, start: datetime, end: datetime) -> dict[str, list[tuple[datetime, datetime]]]:
    """The feed's instances per UID whose start lies in [start, end), in UTC."""
    cal = Calendar.from_ical(ics)
    found: dict[str, list[tuple[datetime, datetime]]] = {}
    for event in recurring_ical_events.of(cal).between(start - timedelta(days=2), end + timedelta(days=2)):
        s, e = event.start.astimezone(UTC), event.end.astimezone(UTC)
        if start <= s < end:
            found.setdefault(str(event["UID"]), []).append((s, e))
    return {uid: sorted(items) for uid, items in found.items()}


def uid(user: Any, circle: Circle) -> str:
    return calendar_selectors.feed_uid(user_id=user.pk, circle_id=circle.pk)


def fetch(client: Any, raw: str) -> Any:
    return client.get(f"/calendar/{raw}.ics")


def future(circle: Circle, n: int) -> list[Any]:
    now = timezone.now()
    return [o for o in meetings_between(circle=circle, start=now + timedelta(days=1), end=now + TWO_YEARS)][
        :n
    ]


@pytest.fixture
def owner(make_user: Any) -> Any:
    return make_user(language="en")


CASES = [
    ("weekly Madrid", Kind.WEEKLY, time(19, 0), "Europe/Madrid", {"weekday": 1}),
    ("fortnightly New York", Kind.FORTNIGHTLY, time(18, 30), "America/New_York", {"weekday": 3}),
    ("second Wednesday London", Kind.MONTHLY_NTH, time(20, 0), "Europe/London", {"weekday": 2, "nth": 2}),
    ("last Friday Madrid", Kind.MONTHLY_NTH, time(17, 15), "Europe/Madrid", {"weekday": 4, "nth": -1}),
    ("day 31 Madrid", Kind.MONTHLY_DAY, time(10, 0), "Europe/Madrid", {"monthday": 31}),
    ("day 30 London", Kind.MONTHLY_DAY, time(9, 30), "Europe/London", {"monthday": 30}),
    (
        "custom New York",
        Kind.RRULE,
        time(7, 15),
        "America/New_York",
        {"rrule": "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH"},
    ),
    (
        "custom monthly London, ending",
        Kind.RRULE,
        time(12, 0),
        "Europe/London",
        {"rrule": "FREQ=MONTHLY;BYDAY=1SA,3SA", "end_date": timezone.localdate() + timedelta(days=400)},
    ),
    # Daylight-saving nights: 02:30 does not exist on Madrid's spring-forward Sunday (the meeting is
    # at 03:30); 01:30 happens twice on New York's fall-back Sunday (the first one).
    ("Sunday 02:30 Madrid", Kind.WEEKLY, time(2, 30), "Europe/Madrid", {"weekday": 6}),
    ("Sunday 01:30 New York", Kind.WEEKLY, time(1, 30), "America/New_York", {"weekday": 6}),
]


def test_feed_instances_equal_mutuas_occurrences_for_two_years(client, make_circle, owner):
    circles = []
    for name, kind, at, tz, extra in CASES:
        circle = scheduled(make_circle, owner, rhythm(kind, at, tz, **extra), name=name)
        circles.append(circle)
        # Exceptions through the services that make them: one cancelled, one moved two days and an
        # hour later, one shortened, one moved and cancelled (cancelled wins).
        occs = future(circle, 8)
        meeting_services.meeting_cancel(circle=circle, user=owner, key=occs[1].key)
        meeting_services.meeting_move(
            circle=circle, user=owner, key=occs[3].key, new_start=occs[3].start + timedelta(days=2, hours=1)
        )
        meeting_services.meeting_move(
            circle=circle, user=owner, key=occs[5].key, new_start=occs[5].key, new_duration=45
        )
        meeting_services.meeting_move(
            circle=circle, user=owner, key=occs[6].key, new_start=occs[6].start + timedelta(hours=3)
        )
        meeting_services.meeting_cancel(circle=circle, user=owner, key=occs[6].key)
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)

    response = fetch(client, raw)

    assert response.status_code == 200
    start, end = window()
    got = expanded(response.content, start, end)
    assert set(got) == {uid(owner, c) for c in circles}
    for (name, *_rest), circle in zip(CASES, circles, strict=True):
        want = expected(circle, start, end)
        assert len(want) >= 10, name
        assert got[uid(owner, circle)] == want, name


def dst_nights(circle: Circle) -> list[Any]:
    """The group's coming meetings on a night when the clocks change (wall-clock end ≠ exact end)."""
    r = circle.rhythm
    assert r is not None
    zone = ZoneInfo(r.tz)
    now = timezone.now()
    found = []
    for o in meetings_between(circle=circle, start=now + timedelta(days=1), end=now + TWO_YEARS):
        wall = datetime.combine(o.key.astimezone(zone).date(), r.start_time, tzinfo=zone)
        if (wall + timedelta(minutes=r.duration_minutes)).astimezone(UTC) != o.end:
            found.append(o)
    return found


def test_dst_nights_with_exceptions(client, make_circle, owner):
    """Cancelling or moving a meeting on a night when the clocks change: EXDATE on a wall time that does
    not exist, a RECURRENCE-ID on one that happens twice, and a move to the second 01:30."""
    madrid = scheduled(make_circle, owner, rhythm(Kind.WEEKLY, time(2, 30), "Europe/Madrid", weekday=6))
    york = scheduled(make_circle, owner, rhythm(Kind.WEEKLY, time(1, 30), "America/New_York", weekday=6))
    gap = dst_nights(madrid)
    assert len(gap) >= 2
    meeting_services.meeting_cancel(circle=madrid, user=owner, key=gap[0].key)
    meeting_services.meeting_move(
        circle=madrid, user=owner, key=gap[1].key, new_start=gap[1].key + timedelta(hours=1)
    )
    fold = [o for o in dst_nights(york) if o.key.astimezone(ZoneInfo("America/New_York")).month == 11]
    assert len(fold) >= 2
    # 01:30 EDT → the second 01:30 that night (EST), an hour later.
    second = fold[0].key + timedelta(hours=1)
    assert second.astimezone(ZoneInfo("America/New_York")).fold == 1
    meeting_services.meeting_move(circle=york, user=owner, key=fold[0].key, new_start=second)
    meeting_services.meeting_cancel(circle=york, user=owner, key=fold[1].key)
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)

    start, end = window()
    got = expanded(fetch(client, raw).content, start, end)

    for circle in (madrid, york):
        want = expected(circle, start, end)
        assert got[uid(owner, circle)] == want
    assert (second, second + timedelta(minutes=90)) in got[uid(owner, york)]
    assert gap[0].start not in [s for s, _e in got[uid(owner, madrid)]]


def test_feed_structure_rrule_exdate_recurrence_id_vtimezone(client, make_circle, owner):
    circle = scheduled(make_circle, owner, rhythm(Kind.WEEKLY, time(19, 0), "Europe/Madrid", weekday=1))
    york = scheduled(make_circle, owner, rhythm(Kind.FORTNIGHTLY, time(18, 0), "America/New_York", weekday=3))
    occs = future(circle, 4)
    meeting_services.meeting_cancel(circle=circle, user=owner, key=occs[0].key)
    new_start = occs[2].start + timedelta(days=1)
    meeting_services.meeting_move(circle=circle, user=owner, key=occs[2].key, new_start=new_start)
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)

    cal = Calendar.from_ical(fetch(client, raw).content)

    assert {tz.tz_name for tz in cal.timezones} == {"Europe/Madrid", "America/New_York"}
    events = [e for e in cal.events if str(e["UID"]) == uid(owner, circle)]
    master = next(e for e in events if "RRULE" in e)
    (override,) = [e for e in events if "RECURRENCE-ID" in e]
    assert str(master["DTSTART"].params["TZID"]) == "Europe/Madrid"
    assert master.start.tzinfo is not None and master.start.time() == time(19, 0)
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert master["DURATION"].dt == timedelta(minutes=90)
    exdates = [d.dt for d in master["EXDATE"].dts]
    assert exdates == [occs[0].key]
    # In the master's own form (the group's zone), as the RRULE generates it.
    assert str(master["EXDATE"].params["TZID"]) == "Europe/Madrid"
    assert str(override["RECURRENCE-ID"].params["TZID"]) == "Europe/Madrid"
    assert override["RECURRENCE-ID"].dt == occs[2].key
    assert override.start == new_start
    assert override.end == new_start + timedelta(minutes=90)
    assert [e for e in cal.events if str(e["UID"]) == uid(owner, york) and "RRULE" in e]


def test_response_headers_and_no_cookies(client, make_circle, owner):
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)
    response = fetch(client, raw)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert not response.cookies
    assert Calendar.from_ical(response.content)["VERSION"] == "2.0"


# ---------------------------------------------------------------- the token


def test_only_the_hash_is_stored(owner):
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)
    row = CalendarFeed.objects.get(user=owner)
    assert len(raw) >= 43
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(CalendarFeed.objects.filter(user=owner).values())


def test_a_token_is_never_matched_by_part_of_its_hash(client, owner, make_user):
    """Rows whose stored hash shares a prefix with the asked token's hash, or is a prefix of it, must
    not open: the lookup is exact equality of the whole hash."""
    raw = "a" * 43
    full = hashlib.sha256(raw.encode()).hexdigest()
    CalendarFeed.objects.create(user=owner, token_hash=full[:32] + "0" * 32)
    CalendarFeed.objects.create(user=make_user(), token_hash=full[:40])
    assert fetch(client, raw).status_code == 404
    assert fetch(client, raw[:20]).status_code == 404


def test_unknown_and_near_miss_tokens_get_404(client, owner):
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)
    assert fetch(client, raw).status_code == 200
    flipped = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    for wrong in (flipped, raw[:20], raw[:-1], raw + "x", raw.upper() if raw.upper() != raw else raw + "Z"):
        assert fetch(client, wrong).status_code == 404, wrong
    # The stored hash itself is not a token.
    assert fetch(client, CalendarFeed.objects.get(user=owner).token_hash).status_code == 404


def test_revoked_token_gets_404_like_any_other_page(client, owner):
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)
    calendar_services.calendar_feed_revoke(user=owner)
    revoked = fetch(client, raw)
    other = client.get("/nothing-here-at-all/")
    assert revoked.status_code == other.status_code == 404
    assert revoked["Content-Type"] == other["Content-Type"]

    def normalise(body: bytes) -> bytes:
        body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)
        return re.sub(rb'name="next" value="[^"]*"', b"", body)

    assert normalise(revoked.content) == normalise(other.content)


def test_a_new_address_stops_the_old_one(client, owner):
    old = calendar_services.calendar_feed_create(user=owner, show_names=False)
    new = calendar_services.calendar_feed_create(user=owner, show_names=True)
    assert fetch(client, old).status_code == 404
    assert fetch(client, new).status_code == 200
    assert CalendarFeed.objects.filter(user=owner, revoked_at__isnull=True).count() == 1
    # Only the latest revoked address is remembered.
    calendar_services.calendar_feed_create(user=owner, show_names=True)
    assert CalendarFeed.objects.filter(user=owner).count() == 2


def test_revoking_without_a_feed_is_an_error(owner):
    from mutua.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        calendar_services.calendar_feed_revoke(user=owner)
    assert caught.value.code == "not_found"


def test_changing_the_password_stops_the_address(client, owner):
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)
    owner.set_password("another-long-password-77")
    owner.save()
    assert fetch(client, raw).status_code == 404


def test_a_closed_account_feed_gets_404(client, owner):
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert fetch(client, raw).status_code == 404


def test_one_persons_services_never_touch_anothers_feed(client, owner, make_user):
    other = make_user()
    theirs = calendar_services.calendar_feed_create(user=other, show_names=False)
    calendar_services.calendar_feed_create(user=owner, show_names=False)
    calendar_services.calendar_feed_revoke(user=owner)
    assert fetch(client, theirs).status_code == 200


# ---------------------------------------------------------------- what the feed holds (P7)


def test_feed_holds_only_the_persons_groups_and_nothing_of_other_members(
    client, make_circle, make_user, owner
):
    mine = scheduled(
        make_circle, owner, rhythm(Kind.WEEKLY, time(19, 0), "Europe/Madrid", weekday=1), name="Secret name"
    )
    friend = make_user()
    join(mine, friend, "Nightingale")
    theirs = scheduled(
        make_circle, friend, rhythm(Kind.WEEKLY, time(18, 0), "Europe/Madrid", weekday=2), name="Not mine"
    )
    key = future(mine, 2)[1].key
    meeting_services.rsvp_set(
        circle=mine, user=friend, key=key, answer="not_coming", note="Surgery on Tuesday"
    )
    meeting_services.rsvp_set(circle=mine, user=owner, key=key, answer="coming", note="Bringing biscuits")
    meeting_services.meeting_move(
        circle=mine,
        user=friend,
        key=key,
        new_start=key + timedelta(hours=1),
        place_note="Room 4, Calle Mayor 12",
    )
    MeetingPlace.objects.create(circle=mine, address="Carrer de Pau 7, Barcelona", access_notes="Ring twice")
    room = meeting_services.room_ensure(circle=mine)
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)

    body = fetch(client, raw).content.decode()

    start, end = window()
    assert set(expanded(body.encode(), start, end)) == {uid(owner, mine)}
    unfolded = body.replace("\r\n ", "")
    for secret in (
        "Nightingale",
        "Surgery",
        "Bringing biscuits",
        "Calle Mayor",
        "Carrer de Pau",
        "Ring twice",
        room.name if room else "no-room",
        "Secret name",
        "Not mine",
        mine.code,
        theirs.code,
        owner.email,
        owner.display_name,
        friend.email,
    ):
        assert secret not in unfolded, secret
    # The link names no group: it is opaque and works only for this person.
    assert f"/me/calendar/go/{calendar_selectors.feed_ref(user_id=owner.pk, circle_id=mine.pk)}/" in unfolded


def test_uids_differ_between_people_in_the_same_group(make_circle, make_user, owner):
    circle = scheduled(make_circle, owner, rhythm(Kind.WEEKLY, time(19, 0), "Europe/Madrid", weekday=1))
    friend = make_user()
    join(circle, friend)
    assert uid(owner, circle) != uid(friend, circle)
    assert circle.code not in uid(owner, circle)


def test_waiting_and_former_members_see_nothing_of_the_group(client, personas):
    circle = personas["circle"]
    circle_services.circle_schedule_set(
        circle=circle,
        rhythm=rhythm(Kind.WEEKLY, time(19, 0), "Europe/Madrid", weekday=1),
        user=personas["member"],
    )
    start, end = window()
    for persona in ("waiting", "former", "outsider"):
        raw = calendar_services.calendar_feed_create(user=personas[persona], show_names=True)
        body = fetch(client, raw).content
        assert expanded(body, start, end) == {}, persona
        assert b"VEVENT" not in body and circle.name.encode() not in body, persona
    raw = calendar_services.calendar_feed_create(user=personas["member"], show_names=True)
    assert set(expanded(fetch(client, raw).content, start, end)) == {uid(personas["member"], circle)}


def test_a_member_who_must_accept_again_sees_nothing(client, make_circle, owner):
    circle = scheduled(make_circle, owner, rhythm(Kind.WEEKLY, time(19, 0), "Europe/Madrid", weekday=1))
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)
    start, end = window()
    assert expanded(fetch(client, raw).content, start, end)
    Circle.objects.filter(pk=circle.pk).update(agreements_version=circle.agreements_version + 1)
    assert expanded(fetch(client, raw).content, start, end) == {}
    Circle.objects.filter(pk=circle.pk).update(agreements_version=circle.agreements_version)
    assert expanded(fetch(client, raw).content, start, end)
    latest = Pledge.objects.order_by("-version").first()
    assert latest is not None
    Pledge.objects.create(version=latest.version + 1, **names("title", "Pledge"), **names("text", "New."))
    assert expanded(fetch(client, raw).content, start, end) == {}


def test_a_group_without_a_schedule_is_left_out(client, make_circle, owner):
    make_circle(founder=owner)
    raw = calendar_services.calendar_feed_create(user=owner, show_names=True)
    assert b"VEVENT" not in fetch(client, raw).content


NEUTRAL = {
    "en": ("Group meeting", "Group meetings"),
    "es": ("Reunión del grupo", "Reuniones de grupo"),
    "it": ("Incontro del gruppo", "Incontri di gruppo"),
    "ca": ("Reunió del grup", "Reunions de grup"),
}


@pytest.mark.parametrize("language", sorted(NEUTRAL))
def test_neutral_title_by_default_in_the_persons_language(client, make_circle, make_user, language):
    person = make_user(language=language)
    circle = scheduled(make_circle, person, rhythm(Kind.WEEKLY, time(19, 0), "Europe/Madrid", weekday=1))
    occ = future(circle, 1)[0]
    meeting_services.meeting_move(
        circle=circle, user=person, key=occ.key, new_start=occ.key + timedelta(hours=2)
    )
    raw = calendar_services.calendar_feed_create(user=person, show_names=False)

    cal = Calendar.from_ical(fetch(client, raw).content)

    title, calendar_name = NEUTRAL[language]
    assert [str(e["SUMMARY"]) for e in cal.events] == [title, title]
    assert cal.calendar_name == calendar_name
    assert circle.name not in fetch(client, raw).content.decode()


def test_show_names_puts_the_groups_name(client, make_circle, owner):
    circle = scheduled(
        make_circle, owner, rhythm(Kind.WEEKLY, time(19, 0), "Europe/Madrid", weekday=1), name="Tuesday grief"
    )
    raw = calendar_services.calendar_feed_create(user=owner, show_names=True)
    cal = Calendar.from_ical(fetch(client, raw).content)
    assert [str(e["SUMMARY"]) for e in cal.events] == ["Tuesday grief"]
    calendar_services.calendar_feed_set_names(user=owner, show_names=False)
    cal = Calendar.from_ical(fetch(client, raw).content)
    assert [str(e["SUMMARY"]) for e in cal.events] == ["Group meeting"]
    assert circle.name not in fetch(client, raw).content.decode()


def test_events_are_private_and_link_to_the_meeting_page(client, make_circle, owner):
    circle = scheduled(make_circle, owner, rhythm(Kind.WEEKLY, time(19, 0), "Europe/Madrid", weekday=1))
    occ = future(circle, 1)[0]
    meeting_services.meeting_move(
        circle=circle, user=owner, key=occ.key, new_start=occ.key + timedelta(hours=2)
    )
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)
    cal = Calendar.from_ical(fetch(client, raw).content)
    master = next(e for e in cal.events if "RRULE" in e)
    override = next(e for e in cal.events if "RECURRENCE-ID" in e)
    assert all(str(e["CLASS"]) == "PRIVATE" for e in cal.events)
    assert str(override["URL"]) in str(override["DESCRIPTION"])
    client.force_login(owner)
    series = client.get(urlsplit(str(master["URL"])).path)
    assert series.status_code == 302 and series["Location"] == f"/groups/{circle.code}/meetings/"
    one = client.get(urlsplit(str(override["URL"])).path)
    assert one.status_code == 302
    assert one["Location"] == f"/groups/{circle.code}/meetings/{key_slug(occ.key)}/"


def test_the_opaque_link_is_a_404_for_anyone_else(client, make_circle, make_user, owner):
    circle = scheduled(make_circle, owner, rhythm(Kind.WEEKLY, time(19, 0), "Europe/Madrid", weekday=1))
    ref = calendar_selectors.feed_ref(user_id=owner.pk, circle_id=circle.pk)
    friend = make_user()
    join(circle, friend)
    client.force_login(friend)
    assert client.get(f"/me/calendar/go/{ref}/").status_code == 404
    client.force_login(owner)
    assert client.get(f"/me/calendar/go/{ref}/").status_code == 302
    assert client.get(f"/me/calendar/go/{ref}/not-a-key/").status_code == 404
    assert client.get(f"/me/calendar/go/{ref[:-1]}/").status_code == 404
    assert client.get("/me/calendar/go/é/").status_code == 404


def test_vtimezone_covers_every_zone_and_the_feed_date(client, make_circle, owner):
    scheduled(make_circle, owner, rhythm(Kind.WEEKLY, time(19, 0), "Europe/London", weekday=1))
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)
    cal = Calendar.from_ical(fetch(client, raw).content)
    (london,) = cal.timezones
    transitions = [dt for dt in london.get_transitions()[0] if dt is not None]
    assert min(transitions).date() <= timezone.localdate() - timedelta(days=45)
    assert max(transitions).date() >= timezone.localdate() + TWO_YEARS

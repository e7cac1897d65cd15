"""The directory's day and time filters on the visitor's clock, the rhythm and next meeting on the cards,
the public page's two clocks, and nothing private on public surfaces (decision 0019, DESIGN §3.1)."""

import io
from datetime import UTC, date, datetime, time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import client_for, join
from mutua.circles import services
from mutua.circles.meeting_times import BANDS, TimeOfDay, band_of, shifted, viewer_spans, zone_ranges
from mutua.circles.models import CircleSlot
from mutua.circles.selectors import DirectoryFilters, directory_search
from mutua.circles.tasks import directory_slots_refresh
from mutua.core.i18n import TZ_COOKIE, Visitor
from mutua.meetings.models import MeetingPlace, Room
from mutua.meetings.schedule import Kind, Rhythm

DECEMBER = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # a Tuesday, noon UTC
JULY = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
MADRID = Visitor(timezone="Europe/Madrid", timezone_known=True)


def rhythm(tz, *, weekday=None, at=time(19), kind=Kind.WEEKLY, **extra):
    return Rhythm(
        kind=kind,
        start_date=date(2026, 1, 1),
        start_time=at,
        duration_minutes=90,
        tz=tz,
        weekday=weekday,
        **extra,
    )


@pytest.fixture
def meets(make_circle):
    """A listed group with a rhythm, set through the one service (which keeps its slots)."""

    def make(tz="Europe/Madrid", *, group=None, **kwargs):
        circle = make_circle(**(group or {}))
        return services.circle_schedule_set(circle=circle, rhythm=rhythm(tz, **kwargs), user=None)

    return make


def found(*, weekdays=(), band="", visitor=MADRID, now=DECEMBER, **extra):
    filters = DirectoryFilters(weekdays=tuple(weekdays), time_of_day=band, visitor=visitor, now=now, **extra)
    return {c.code for c in directory_search(filters=filters).object_list}


# --- the pure part ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "clock,band",
    [
        (time(5, 59), TimeOfDay.NIGHT),
        (time(6, 0), TimeOfDay.MORNING),
        (time(11, 59), TimeOfDay.MORNING),
        (time(12, 0), TimeOfDay.AFTERNOON),
        (time(17, 59), TimeOfDay.AFTERNOON),
        (time(18, 0), TimeOfDay.EVENING),
        (time(21, 59), TimeOfDay.EVENING),
        (time(22, 0), TimeOfDay.NIGHT),
        (time(0, 0), TimeOfDay.NIGHT),
    ],
)
def test_band_boundaries(clock, band):
    assert band_of(clock) == band


def test_the_bands_cover_the_day_once():
    minutes = sorted(m for spans in BANDS.values() for lo, hi in spans for m in range(lo, hi))
    assert minutes == list(range(24 * 60))


def test_spans_shift_around_sunday_midnight():
    # Monday 00:00–06:00 on a clock 2 hours behind is Sunday 22:00–Monday 04:00.
    assert shifted([(0, 360)], -120) == [(0, 240), (10080 - 120, 10080)]
    # Monday 00:00 to the end of the week, shifted forward, still covers it all once.
    assert shifted([(0, 10080)], 90) == [(0, 10080)]


def test_zones_on_the_same_clock_share_one_clause():
    ranges = zone_ranges(
        ["Europe/Rome", "Europe/Madrid", "America/New_York"],
        [1],
        "evening",
        viewer_tz="Europe/Madrid",
        at=DECEMBER,
    )
    assert [zones for zones, _spans in ranges] == [["America/New_York"], ["Europe/Madrid", "Europe/Rome"]]
    # New York is 6 hours behind Madrid: Tuesday 18:00–22:00 in Madrid is 12:00–16:00 there.
    tuesday = 24 * 60
    assert ranges[0][1] == [(tuesday + 12 * 60, tuesday + 16 * 60)]


def test_no_day_means_every_day_and_no_band_the_whole_day():
    assert len(viewer_spans([], "morning")) == 7
    assert viewer_spans([2], "") == [(2 * 1440, 3 * 1440)]


# --- the filter ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("now", [DECEMBER, JULY], ids=["winter", "summer"])
def test_new_york_tuesday_1300_is_tuesday_evening_for_a_viewer_in_madrid(meets, now):
    new_york = meets("America/New_York", weekday=1, at=time(13))
    assert new_york.code in found(weekdays=[1], band="evening", now=now)
    assert new_york.code not in found(weekdays=[1], band="afternoon", now=now)
    assert new_york.code not in found(weekdays=[2], band="evening", now=now)
    # For a viewer in New York it is Tuesday afternoon.
    there = Visitor(timezone="America/New_York", timezone_known=True)
    assert new_york.code in found(weekdays=[1], band="afternoon", visitor=there, now=now)


def test_the_offsets_of_the_search_moment_are_used(meets):
    # Madrid 19:30 is 18:30 UTC in winter (evening) but 17:30 in summer (afternoon).
    madrid = meets(weekday=1, at=time(19, 30))
    utc = Visitor(timezone="UTC", timezone_known=True)
    assert found(weekdays=[1], band="evening", visitor=utc, now=DECEMBER) == {madrid.code}
    assert found(weekdays=[1], band="afternoon", visitor=utc, now=JULY) == {madrid.code}
    # Sydney's winter is Madrid's summer: Wednesday 8:00 there is Wednesday 0:00 in Madrid in July.
    sydney = meets("Australia/Sydney", weekday=2, at=time(8))
    assert sydney.code in found(weekdays=[2], band="night", now=JULY)
    assert sydney.code not in found(weekdays=[1], band="night", now=JULY)


def test_sydney_wednesday_morning_is_tuesday_night_in_madrid_in_december(meets):
    sydney = meets("Australia/Sydney", weekday=2, at=time(8))
    assert sydney.code in found(weekdays=[1], band="night")
    assert sydney.code not in found(weekdays=[2], band="morning")
    assert sydney.code in found(
        weekdays=[2], band="morning", visitor=Visitor(timezone="Australia/Sydney", timezone_known=True)
    )


def test_band_boundaries_in_the_filter(meets):
    at = {
        clock: meets(weekday=1, at=clock).code
        for clock in (time(5, 59), time(6), time(17, 59), time(18), time(22))
    }
    assert found(weekdays=[1], band="evening") == {at[time(18)]}
    assert found(weekdays=[1], band="afternoon") == {at[time(17, 59)]}
    assert found(weekdays=[1], band="night") == {at[time(22)], at[time(5, 59)]}
    assert found(weekdays=[1], band="morning") == {at[time(6)]}


def test_weekday_zero_is_monday_and_several_days_may_be_chosen(meets):
    monday = meets(weekday=0, at=time(10))
    thursday = meets(weekday=3, at=time(10))
    sunday = meets(weekday=6, at=time(10))
    assert found(weekdays=[0]) == {monday.code}
    assert found(weekdays=[6]) == {sunday.code}
    assert found(weekdays=[0, 3]) == {monday.code, thursday.code}
    assert found(band="morning") == {monday.code, thursday.code, sunday.code}


def test_monthly_and_custom_rhythms_give_their_weekdays(meets):
    second_thursday = meets(kind=Kind.MONTHLY_NTH, weekday=3, nth=2)
    on_the_15th = meets(kind=Kind.MONTHLY_DAY, monthday=15)
    mon_wed = meets(kind=Kind.RRULE, rrule="FREQ=WEEKLY;BYDAY=MO,WE")
    # The 15th of the next months falls on other weekdays: computed from a known day.
    services.circle_slots_refresh(circle=on_the_15th, now=DECEMBER)  # 15 Dec: Tuesday; 15 Jan: Friday
    assert found(weekdays=[3], band="evening") == {second_thursday.code}
    assert found(weekdays=[1]) == {on_the_15th.code}
    assert found(weekdays=[4]) == {on_the_15th.code}
    assert found(weekdays=[0]) == found(weekdays=[2]) == {mon_wed.code}


def test_groups_without_a_schedule_are_left_out_only_when_a_time_is_chosen(meets, make_circle):
    scheduled = meets(weekday=1)
    unscheduled = make_circle()
    assert found() == {scheduled.code, unscheduled.code}
    assert found(band="evening") == {scheduled.code}
    assert found(weekdays=[1]) == {scheduled.code}


def test_a_new_rhythm_replaces_the_slots(meets):
    group = meets(weekday=1)
    assert found(weekdays=[1]) == {group.code}
    services.circle_schedule_set(circle=group, rhythm=rhythm("Europe/Madrid", weekday=3), user=None)
    assert found(weekdays=[1]) == set()
    assert found(weekdays=[3]) == {group.code}


def test_a_schedule_that_has_ended_is_not_found(meets):
    group = meets(weekday=1, end_date=date(2027, 3, 1))
    assert found(weekdays=[1]) == {group.code}
    assert found(weekdays=[1], now=datetime(2027, 6, 1, tzinfo=UTC)) == set()


def test_a_nul_in_the_zone_is_a_bad_request_not_a_crash(client):
    # The site's own rule for NUL characters in a query (core.middleware), before any zone is read.
    assert client.get("/groups/", {"weekday": "1", "tz": "Europe/Madrid\x00"}).status_code == 400


def test_time_filters_combine_with_the_others(meets, content):
    grief = meets(weekday=1)
    alcohol = meets(weekday=1, group={"experience": content["alcohol"]})
    meets(weekday=2, group={"experience": content["alcohol"]})
    assert found(weekdays=[1], experience="alcohol") == {alcohol.code}
    assert found(weekdays=[1], band="evening", place="barcelona", radius_km=5) == {grief.code, alcohol.code}
    assert found(weekdays=[1], band="evening", place="madrid", radius_km=5) == set()
    # The item has no Tuesday group, so its family's Tuesday groups are shown (decision 0013).
    filters = DirectoryFilters(experience="loss-of-a-partner", weekdays=(1,), visitor=MADRID, now=DECEMBER)
    assert {c.code for c in directory_search(filters=filters).object_list} == {grief.code}
    assert filters.fallback


def test_the_refresh_command_rebuilds_every_groups_slots(meets):
    group = meets(weekday=4)
    CircleSlot.objects.all().delete()
    assert found(weekdays=[4]) == set()
    call_command("directory_slots_refresh", stdout=io.StringIO())
    assert found(weekdays=[4]) == {group.code}
    CircleSlot.objects.all().delete()
    directory_slots_refresh.call()  # the daily periodic task
    assert found(weekdays=[4]) == {group.code}


# --- the page and the API -----------------------------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch):
    """The page reads the clock: 1 December 2026, when Madrid is 6 hours ahead of New York."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: DECEMBER)


def page_codes(client, query, **headers):
    response = client.get(f"/groups/?{query}", headers=headers)
    assert response.status_code == 200
    return response


def test_the_viewers_zone_comes_from_the_profile_then_the_browser_then_a_guess(
    meets, make_user, client, frozen
):
    # 16:00 in New York on a Tuesday in December: 22:00 in Madrid (night), 21:00 UTC (evening).
    group = meets("America/New_York", weekday=1, at=time(16))
    night, evening = "weekday=1&time_of_day=night", "weekday=1&time_of_day=evening"
    assert group.code in page_codes(client, f"{night}&tz=Europe/Madrid").text
    assert group.code not in page_codes(client, f"{evening}&tz=Europe/Madrid").text
    assert group.code in page_codes(client, evening).text  # nothing known: UTC
    assert group.code in page_codes(client, night, accept_language="es-ES").text  # Spain's zone, a guess
    client.cookies[TZ_COOKIE] = "Europe/Madrid"
    assert group.code in page_codes(client, night).text  # the browser's, kept in a cookie
    member = client_for(make_user(timezone="Europe/Madrid"))
    assert group.code in page_codes(member, f"{night}&tz=UTC").text  # the profile wins


@pytest.mark.parametrize("tz", ["Not/AZone", "../../etc/passwd", "x" * 200, "<script>", "europe/madrid"])
def test_an_unknown_zone_from_the_browser_is_ignored(meets, client, tz, frozen):
    group = meets("UTC", weekday=1, at=time(19))
    response = client.get("/groups/", {"weekday": "1", "time_of_day": "evening", "tz": tz})
    assert response.status_code == 200
    assert group.code in response.text  # read on UTC, the last resort
    api = client.get("/api/v1/directory", {"weekday": "1", "time_of_day": "evening", "tz": tz[:64]})
    assert api.status_code == 200
    assert [i["code"] for i in api.json()["items"]] == [group.code]


def test_the_folded_filters_say_which_days_and_time(meets, client):
    meets(weekday=1)
    response = client.get("/groups/?weekday=1&weekday=3&time_of_day=evening")
    assert "Filters: Tuesday, Thursday, evening" in response.text
    assert "data-viewer-tz" in response.text and "js/viewer-tz.js" in response.text
    htmx = client.get(
        "/groups/?weekday=1&time_of_day=evening&tz=Europe/Madrid", headers={"HX-Request": "true"}
    )
    assert "Filters: Tuesday, evening" in htmx.text
    # The zone the times are read on is swapped too: the first page may have guessed it.
    assert '<span id="times-zone" class="muted">(your time)</span>' in htmx.text
    assert '<span id="times-zone" class="muted">(UTC)</span>' in client.get("/groups/").text


def test_an_empty_search_offers_any_day_and_time_first(meets, client):
    meets(weekday=1)
    response = client.get("/groups/?weekday=5&time_of_day=morning&experience=grief")
    assert "No group matches these filters yet." in response.text
    wider = response.text.split('<ul class="wider">')[1]
    first = wider.split("</li>")[0]
    assert "Any day, any time" in first
    assert "weekday" not in first and "time_of_day" not in first and "experience=grief" in first


def test_cards_show_the_rhythm_and_the_next_meeting_on_the_viewers_clock(meets, client, frozen):
    meets("America/New_York", weekday=1, at=time(13))
    client.cookies[TZ_COOKIE] = "Europe/Madrid"
    text = client.get("/groups/").text
    assert "Every week on Tuesday at 13:00 (New York time)" in text
    assert "Next meeting: Tuesday 1 December, 19:00 your time (13:00 in New York)" in text


def test_the_api_filters_and_says_when_groups_meet(meets, client, frozen):
    tuesday = meets("America/New_York", weekday=1, at=time(13))
    meets("America/New_York", weekday=2, at=time(13))
    data = client.get(
        "/api/v1/directory", {"weekday": ["1", "3"], "time_of_day": "evening", "tz": "Europe/Madrid"}
    ).json()
    assert [i["code"] for i in data["items"]] == [tuesday.code]
    item = data["items"][0]
    assert item["rhythm"] == {
        "kind": "weekly",
        "text": "Every week on Tuesday at 13:00",
        "timezone": "America/New_York",
    }
    assert item["next_meeting"]["start"].startswith("2026-12-01T18:00:00")
    assert item["next_meeting"]["timezone"] == "America/New_York"
    assert client.get("/api/v1/directory", {"weekday": "7"}).status_code == 422
    detail = client.get(f"/api/v1/groups/{tuesday.code}").json()
    assert detail["rhythm"]["kind"] == "weekly" and detail["next_meeting"]["start"].startswith(
        "2026-12-01T18"
    )


def test_query_count_does_not_grow_with_the_groups(meets, client, frozen):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/groups/?weekday=1&time_of_day=evening&tz=Europe/Madrid")
        assert response.status_code == 200
        return len(ctx), response.text.count('class="card"')

    meets(weekday=1)
    one, shown = count()
    assert shown == 1
    for i in range(29):
        meets(
            ["Europe/Madrid", "America/New_York", "Europe/London"][i % 3],
            weekday=1,
            at=time(19 - 6 * (i % 3 == 1)),
        )
    thirty, shown = count()
    assert shown == 20  # a full page, each with its next meeting
    assert thirty == one


# --- the public page -----------------------------------------------------------------------------------


def test_the_public_page_shows_the_rhythm_and_both_clocks(meets, client, frozen):
    group = meets("America/New_York", weekday=1, at=time(13))
    client.cookies[TZ_COOKIE] = "Europe/Madrid"
    text = client.get(f"/groups/{group.code}/").text
    assert "Every week on Tuesday at 13:00 (New York time)" in text
    assert "Tuesday 1 December, 19:00 your time (13:00 in New York)" in text
    guessed = client_for(None).get(f"/groups/{group.code}/", headers={"accept-language": "es-ES"}).text
    assert "19:00 en Madrid (13:00 en New York)" in guessed  # a guess is named, not "tu hora"


def test_across_midnight_the_groups_day_is_named(meets, client, frozen):
    group = meets("Australia/Sydney", weekday=2, at=time(8))
    client.cookies[TZ_COOKIE] = "Europe/Madrid"
    text = client.get(f"/groups/{group.code}/").text
    assert "Tuesday 1 December, 22:00 your time (Wednesday 8:00 in Sydney)" in text


def test_a_group_without_a_schedule_says_it_is_forming(make_circle, client):
    group = make_circle()
    text = client.get(f"/groups/{group.code}/").text
    assert "No meeting time yet; the group is forming." in text
    assert "Next meeting" not in text


def test_nothing_private_on_public_surfaces(meets, make_user, client):
    group = meets(weekday=1)
    group.mode = "hybrid"
    group.save(update_fields=["mode"])
    services_room = Room.objects.create(circle=group)
    MeetingPlace.objects.create(circle=group, address="Carrer del Secret 12, 3r", access_notes="Ring twice")
    join(group, make_user(), "Kestrel")
    surfaces = [
        client.get(f"/groups/{group.code}/").text,
        client.get("/groups/?weekday=1").text,
        client.get("/groups/").text,
        client.get("/api/v1/directory?weekday=1").text,
        client.get(f"/api/v1/groups/{group.code}").text,
    ]
    assert group.code in surfaces[1] and group.code in surfaces[3]
    for text in surfaces:
        for secret in (services_room.name, "Carrer del Secret", "Ring twice", "Kestrel", "meet.jit.si"):
            assert secret not in text

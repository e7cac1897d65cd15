"""A rhythm and a next meeting in words, in the four languages (`meetings.describe`)."""

from datetime import UTC, date, datetime, time

import pytest
from django.utils import translation

from mutua.meetings.describe import describe_next, describe_rhythm, format_date, zone_place
from mutua.meetings.schedule import Kind, Rhythm


def rhythm(kind=Kind.WEEKLY, *, at=time(19), tz="Europe/Madrid", **extra):
    return Rhythm(kind=kind, start_date=date(2026, 1, 1), start_time=at, duration_minutes=90, tz=tz, **extra)


@pytest.mark.parametrize(
    "lang,given,words",
    [
        ("en", rhythm(weekday=1), "Every week on Tuesday at 19:00"),
        ("es", rhythm(weekday=1), "Cada semana, el martes a las 19:00"),
        ("it", rhythm(weekday=1), "Ogni settimana, il martedì alle 19:00"),
        ("ca", rhythm(weekday=1), "Cada setmana, el dimarts a les 19:00"),
        # The article agrees with the hour: one o'clock is singular.
        ("es", rhythm(weekday=6, at=time(1, 30)), "Cada semana, el domingo a la 1:30"),
        ("it", rhythm(weekday=6, at=time(1)), "Ogni settimana, la domenica all'1:00"),
        ("ca", rhythm(weekday=0, at=time(1)), "Cada setmana, el dilluns a la 1:00"),
        ("en", rhythm(Kind.FORTNIGHTLY, weekday=3, at=time(9, 30)), "Every two weeks on Thursday at 9:30"),
        ("en", rhythm(Kind.MONTHLY_NTH, weekday=1, nth=2), "On the second Tuesday of every month at 19:00"),
        ("es", rhythm(Kind.MONTHLY_NTH, weekday=4, nth=-1), "El último viernes de cada mes a las 19:00"),
        ("it", rhythm(Kind.MONTHLY_NTH, weekday=6, nth=1), "La prima domenica di ogni mese alle 19:00"),
        ("it", rhythm(Kind.MONTHLY_NTH, weekday=0, nth=-1), "L'ultimo lunedì di ogni mese alle 19:00"),
        ("ca", rhythm(Kind.MONTHLY_NTH, weekday=2, nth=3), "El tercer dimecres de cada mes a les 19:00"),
        ("en", rhythm(Kind.MONTHLY_DAY, monthday=15), "On day 15 of every month at 19:00"),
        ("en", rhythm(Kind.MONTHLY_DAY, monthday=31), "On the last day of every month at 19:00"),
        (
            "en",
            rhythm(Kind.RRULE, rrule="FREQ=WEEKLY;BYDAY=TU,TH"),
            "Every week on Tuesday and on Thursday at 19:00",
        ),
        (
            "es",
            rhythm(Kind.RRULE, rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR"),
            "Cada semana, el lunes, el miércoles y el viernes a las 19:00",
        ),
        (
            "en",
            rhythm(Kind.RRULE, rrule="FREQ=WEEKLY;INTERVAL=3;BYDAY=SA"),
            "Every 3 weeks on Saturday at 19:00",
        ),
        (
            "en",
            rhythm(Kind.RRULE, rrule="FREQ=MONTHLY;BYDAY=-1FR"),
            "On the last Friday of every month at 19:00",
        ),
        ("en", rhythm(Kind.RRULE, rrule="FREQ=DAILY"), "Every day at 19:00"),
        ("en", rhythm(Kind.RRULE, rrule="FREQ=YEARLY;BYMONTH=6"), "On a rhythm of its own, at 19:00"),
        (
            "en",
            rhythm(weekday=1, end_date=date(2027, 6, 8)),
            "Every week on Tuesday at 19:00, until 8 June 2027",
        ),
        (
            "es",
            rhythm(weekday=1, end_date=date(2027, 6, 8)),
            "Cada semana, el martes a las 19:00, hasta el 8 de junio de 2027",
        ),
    ],
)
def test_rhythm_in_words(lang, given, words):
    with translation.override(lang):
        assert describe_rhythm(given) == words


def test_the_groups_place_is_named_when_the_viewer_reads_another_clock():
    new_york = rhythm(weekday=1, at=time(13), tz="America/New_York")
    assert (
        describe_rhythm(new_york, viewer_tz="Europe/Madrid")
        == "Every week on Tuesday at 13:00 (New York time)"
    )
    assert describe_rhythm(new_york, viewer_tz="America/New_York") == "Every week on Tuesday at 13:00"
    assert describe_rhythm(rhythm(weekday=1), viewer_tz="Europe/Paris") == "Every week on Tuesday at 19:00"
    with translation.override("es"):
        assert describe_rhythm(new_york, viewer_tz="Europe/Madrid").endswith("(hora de New York)")


def test_dates_in_each_language():
    day = date(2026, 10, 8)
    expected = {
        "en": "Thursday 8 October",
        "es": "jueves 8 de octubre",
        "it": "giovedì 8 ottobre",
        "ca": "dijous 8 d'octubre",
    }
    for lang, words in expected.items():
        with translation.override(lang):
            assert format_date(day) == words


START = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)  # 19:00 in Madrid, 13:00 in New York


def test_next_meeting_on_both_clocks():
    assert (
        describe_next(START, group_tz="America/New_York", viewer_tz="Europe/Madrid")
        == "Tuesday 8 December, 19:00 your time (13:00 in New York)"
    )
    with translation.override("es"):
        assert (
            describe_next(START, group_tz="America/New_York", viewer_tz="Europe/Madrid")
            == "martes 8 de diciembre, 19:00 tu hora (13:00 en New York)"
        )


def test_next_meeting_on_one_clock_when_they_agree():
    assert (
        describe_next(START, group_tz="Europe/Madrid", viewer_tz="Europe/Paris")
        == "Tuesday 8 December, 19:00"
    )


def test_a_guessed_zone_is_named_instead_of_your_time():
    assert (
        describe_next(START, group_tz="America/New_York", viewer_tz="UTC", viewer_tz_known=False)
        == "Tuesday 8 December, 18:00 UTC (13:00 in New York)"
    )
    assert (
        describe_next(START, group_tz="Europe/Madrid", viewer_tz="Europe/Madrid", viewer_tz_known=False)
        == "Tuesday 8 December, 19:00 in Madrid"
    )


def test_the_groups_day_is_named_across_midnight():
    sydney = datetime(2026, 12, 8, 21, 0, tzinfo=UTC)  # Wednesday 8:00 in Sydney
    assert (
        describe_next(sydney, group_tz="Australia/Sydney", viewer_tz="Europe/Madrid")
        == "Tuesday 8 December, 22:00 your time (Wednesday 8:00 in Sydney)"
    )


def test_zone_places():
    assert zone_place("America/Argentina/Buenos_Aires") == "Buenos Aires"
    assert zone_place("Etc/UTC") == "UTC"

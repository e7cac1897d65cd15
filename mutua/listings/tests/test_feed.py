"""The feed checker on its own (no database): times, days and spreadsheet quirks."""

from datetime import time

import pytest

from mutua.listings.feed import FeedError, _Invalid, clean_records, parse_csv, parse_days, parse_time


@pytest.mark.parametrize(
    "text, expected",
    [
        ("19:30", time(19, 30)),
        ("7:30", time(7, 30)),
        ("19:30:00", time(19, 30)),
        ("7:00 PM", time(19, 0)),
        ("7 pm", time(19, 0)),
        ("7pm", time(19, 0)),
        ("7:30 p.m.", time(19, 30)),
        ("12:00 AM", time(0, 0)),
        ("12:15 PM", time(12, 15)),
        ("12 am", time(0, 0)),
        ("noon", time(12, 0)),
        ("Midnight", time(0, 0)),
        ("19h30", time(19, 30)),
    ],
)
def test_times_as_feeds_and_spreadsheets_write_them(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "25:00", "19:60", "13 pm", "0 am", "seven", "1930", None, 1930])
def test_times_that_cannot_be_read(text):
    with pytest.raises(ValueError):
        parse_time(text)


@pytest.mark.parametrize(
    "value, expected",
    [
        (0, "0"),
        (6, "6"),
        ([5, 1, 3, 1], "135"),
        ("Monday", "1"),
        ("sunday", "0"),
        ("Thu", "4"),
        ("Monday, Wednesday", "13"),
        ("2", "2"),
        (["Friday", 6], "56"),
    ],
)
def test_days(value, expected):
    assert parse_days(value) == expected


@pytest.mark.parametrize("value", [7, -1, "Someday", True, 1.5, ["Monday", 9], {"day": 1}])
def test_days_that_are_refused(value):
    with pytest.raises(_Invalid) as err:
        parse_days(value)
    assert err.value.code == "invalid_day"


def test_csv_headers_in_any_case_and_spacing_with_a_semicolon_and_a_bom():
    data = "\ufeff  SLUG ;start_time;  day ;Meeting Name;Postal-Code\r\n\r\nx1;7:00 PM;Tuesday;Casa;08012\r\n"
    records = parse_csv(data.encode("utf-8"))
    assert records == [
        {
            "slug": "x1",
            "time": "7:00 PM",
            "day": "Tuesday",
            "name": "Casa",
            "postal_code": "08012",
            "_line": 3,
        }
    ]


def test_csv_in_windows_1252_is_read():
    records = parse_csv("ID,Name,Day,Time\n1,Caf\xe9 group,Monday,19:00\n".encode("cp1252"))
    assert records[0]["name"] == "Café group"


def test_a_csv_row_of_empty_cells_is_not_a_record():
    records = parse_csv(b"ID,Name,Day,Time\n,,,\n1,A,Monday,19:00\n , , , \n")
    assert [r["slug"] for r in records] == ["1"]


def test_a_slug_column_wins_over_an_id_column_after_it():
    records = parse_csv(b"Slug,ID,Name,Day,Time\nmy-slug,77,A,Monday,19:00\n")
    assert records[0]["slug"] == "my-slug"


def test_a_file_of_nul_bytes_is_not_a_spreadsheet():
    with pytest.raises(FeedError):
        parse_csv(b"ID,Name,Day,Time\x00\x00\n")


def test_integer_slugs_and_string_slugs_are_one_identity():
    meetings, skipped = clean_records(
        [
            {"slug": 8, "name": "A", "day": 1, "time": "19:00"},
            {"slug": "8", "name": "B", "day": 1, "time": "19:00"},
        ],
        timezone="UTC",
    )
    assert [m.slug for m in meetings] == ["8"]
    assert [s.code for s in skipped] == ["duplicate_slug"]


def test_a_slug_with_a_slash_is_refused():
    _meetings, skipped = clean_records(
        [{"slug": "a/b", "name": "A", "day": 1, "time": "19:00"}], timezone="UTC"
    )
    assert [s.code for s in skipped] == ["invalid_slug"]


def test_unknown_keys_and_personal_contacts_are_not_kept():
    meetings, _skipped = clean_records(
        [
            {
                "slug": "s",
                "name": "A",
                "day": 1,
                "time": "19:00",
                "contact_1_name": "Jane",
                "contact_1_email": "jane@example.org",
                "venmo": "@x",
            }
        ],
        timezone="UTC",
    )
    assert "jane" not in repr(meetings[0].fields()).lower()

"""Importing Meeting Guide feeds: every record accounted for, idempotent by slug, nothing half-way."""

import copy
import json
from datetime import UTC, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mutua.core.models import AuditEvent
from mutua.listings.feed import FeedError, parse_csv, parse_json
from mutua.listings.models import ExternalListing, Source
from mutua.listings.services import listings_import, listings_import_bytes

from .conftest import DATA

TABLE = ExternalListing._meta.db_table


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if TABLE in q["sql"] and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_the_kansas_city_sample_is_imported_with_every_record_accounted_for(source, sample_records):
    report = listings_import(source=source, records=sample_records)
    assert report.records == len(sample_records) == 45
    assert report.created + len(report.skipped) == 45
    assert all(s.code and s.message for s in report.skipped)
    assert report.created == 45 and report.skipped == []
    assert (report.updated, report.unchanged, report.removed) == (0, 0, 0)
    assert ExternalListing.objects.filter(source=source).count() == 45
    assert set(ExternalListing.objects.values_list("slug", flat=True)) == {
        str(r["slug"]) for r in sample_records
    }
    source.refresh_from_db()
    assert source.created_count == 45 and source.skipped_count == 0 and source.last_imported_at is not None


def test_an_integer_slug_becomes_a_string(source, sample_records):
    assert sample_records[0]["slug"] == 8
    listings_import(source=source, records=sample_records)
    tweed = ExternalListing.objects.get(source=source, slug="8")
    assert tweed.name == "Tweed Group"
    assert (tweed.days, tweed.time, tweed.timezone) == ("2", time(19, 30), "America/Toronto")
    assert tweed.types == ["C"]
    assert tweed.updated == datetime(2016, 5, 6, 15, 38, 25, tzinfo=UTC)
    assert tweed.latitude == pytest.approx(44.4759824)


def test_null_and_empty_postal_codes_and_empty_notes_are_accepted(source, sample_records):
    lennox = next(r for r in sample_records if r["slug"] == 22)
    assert lennox["postal_code"] is None and lennox["notes"] == ""
    listings_import(source=source, records=sample_records)
    row = ExternalListing.objects.get(source=source, slug="22")
    assert row.postal_code is None and row.notes == ""
    assert ExternalListing.objects.filter(postal_code__isnull=True).count() == sum(
        1 for r in sample_records if not r["postal_code"]
    )
    assert ExternalListing.objects.filter(postal_code="K0K 1G0").exists()


def test_a_second_import_of_the_same_feed_writes_nothing(source, sample_records):
    listings_import(source=source, records=sample_records)
    with CaptureQueriesContext(connection) as queries:
        report = listings_import(source=source, records=copy.deepcopy(sample_records))
    assert (report.created, report.updated, report.removed, report.unchanged) == (0, 0, 0, 45)
    assert writes(queries) == []


def test_a_changed_record_is_updated_and_only_it(source, sample_records):
    listings_import(source=source, records=sample_records)
    changed = copy.deepcopy(sample_records)
    changed[0]["time"] = "20:15"
    changed[0]["notes"] = "Now in the hall"
    with CaptureQueriesContext(connection) as queries:
        report = listings_import(source=source, records=changed)
    assert (report.created, report.updated, report.unchanged, report.removed) == (0, 1, 44, 0)
    row = ExternalListing.objects.get(source=source, slug="8")
    assert (row.time, row.notes) == (time(20, 15), "Now in the hall")
    assert len(writes(queries)) == 1


def test_a_vanished_record_is_removed(source, sample_records):
    listings_import(source=source, records=sample_records)
    report = listings_import(source=source, records=sample_records[1:])
    assert (report.created, report.updated, report.unchanged, report.removed) == (0, 0, 44, 1)
    assert not ExternalListing.objects.filter(source=source, slug="8").exists()
    assert ExternalListing.objects.filter(source=source).count() == 44


def test_a_record_that_turns_invalid_is_skipped_and_its_old_listing_removed(source, sample_records):
    listings_import(source=source, records=sample_records)
    broken = copy.deepcopy(sample_records)
    del broken[0]["time"]
    report = listings_import(source=source, records=broken)
    assert [(s.position, s.code, s.slug) for s in report.skipped] == [(1, "missing_time", "8")]
    assert report.removed == 1 and report.unchanged == 44
    assert report.unchanged + report.updated + report.created + len(report.skipped) == 45


def test_sources_are_separate_and_a_slug_is_unique_only_within_its_source(source, sample_records):
    other = Source.objects.create(name="Other", slug="other", default_timezone="UTC")
    listings_import(source=source, records=sample_records)
    listings_import(source=other, records=sample_records[:3])
    assert ExternalListing.objects.filter(source=source).count() == 45
    assert ExternalListing.objects.filter(source=other).count() == 3
    assert ExternalListing.objects.get(source=other, slug="8").timezone == "UTC"


def test_each_skipped_record_has_its_reason(source):
    records = [
        {"slug": "ok", "name": "Fine", "day": 1, "time": "19:00"},
        {"name": "No slug", "day": 1, "time": "19:00"},
        {"slug": "no-name", "day": 1, "time": "19:00"},
        {"slug": "no-day", "name": "No day", "time": "19:00"},
        {"slug": "bad-day", "name": "Bad day", "day": 7, "time": "19:00"},
        {"slug": "no-time", "name": "No time", "day": 1},
        {"slug": "bad-time", "name": "Bad time", "day": 1, "time": "25:00"},
        {"slug": "bad-zone", "name": "Bad zone", "day": 1, "time": "19:00", "timezone": "Mars/Olympus"},
        {"slug": "js", "name": "Script link", "day": 1, "time": "19:00", "url": "javascript:alert(1)"},
        {"slug": "ok", "name": "Same slug again", "day": 2, "time": "10:00"},
        "not a meeting",
        {"slug": True, "name": "Boolean slug", "day": 1, "time": "19:00"},
    ]
    report = listings_import(source=source, records=records)
    assert report.created == 1
    assert [(s.position, s.code) for s in report.skipped] == [
        (2, "missing_slug"),
        (3, "missing_name"),
        (4, "missing_day"),
        (5, "invalid_day"),
        (6, "missing_time"),
        (7, "invalid_time"),
        (8, "invalid_timezone"),
        (9, "invalid_url"),
        (10, "duplicate_slug"),
        (11, "not_a_meeting"),
        (12, "invalid_slug"),
    ]
    assert all(s.message for s in report.skipped)
    assert ExternalListing.objects.get().name == "Fine"


def test_days_as_a_list_and_the_records_own_time_zone(source):
    records = [
        {"slug": "a", "name": "Weekdays", "day": [5, 1, 3], "time": "7:05", "timezone": "Europe/Rome"},
        {"slug": "b", "name": "Named", "day": "Saturday", "time": "08:00", "end_time": "09:15"},
    ]
    listings_import(source=source, records=records)
    a, b = ExternalListing.objects.order_by("slug")
    assert (a.days, a.time, a.timezone) == ("135", time(7, 5), "Europe/Rome")
    assert (b.days, b.end_time, b.timezone) == ("6", time(9, 15), "America/Toronto")


@pytest.mark.parametrize(
    "data, parse",
    [
        (b'[{"slug": 1, "name": "x", "day": 1, "time": "19:00"}', parse_json),  # cut short
        (b"<html>Not found</html>", parse_json),
        (b'{"slug": 1, "name": "x", "day": 1, "time": "19:00"}', parse_json),  # not a list
        (b"\xff\xfe\x00garbage", parse_json),
        (b"[]", parse_json),
        (b"Name,Location,City\nTweed Group,Church,Tweed\n", parse_csv),  # no Day, Time, Slug
        (b"", parse_csv),
        (b'[{"name": "no slug"}, {"slug": 2}]', parse_json),  # every record skipped
    ],
)
def test_malformed_input_raises_a_clear_error_and_changes_nothing(source, sample_records, data, parse):
    listings_import(source=source, records=sample_records)
    before = list(ExternalListing.objects.order_by("pk").values())
    source.refresh_from_db()
    imported_at = source.last_imported_at
    with pytest.raises(FeedError) as err:
        listings_import_bytes(source=source, data=data, csv=parse is parse_csv)
    assert str(err.value)
    assert list(ExternalListing.objects.order_by("pk").values()) == before
    source.refresh_from_db()
    assert source.last_imported_at == imported_at


def test_an_empty_feed_is_refused_with_its_own_reason(source):
    with pytest.raises(FeedError, match="lists no meetings"):
        listings_import(source=source, records=[])


def test_a_csv_without_the_required_columns_names_them():
    with pytest.raises(FeedError) as err:
        parse_csv(b"Name,Location\nTweed,Church\n")
    assert "Slug (or ID), Day, Time" in str(err.value)


def test_a_malformed_json_error_says_where():
    with pytest.raises(FeedError) as err:
        parse_json(b'[\n{"slug": 1,,}\n]')
    assert "line 2" in str(err.value)


def test_the_spreadsheet_sample_imports_with_days_and_times_in_words(source, csv_bytes):
    source.default_timezone = "Europe/Madrid"
    source.language = "es"
    source.save()
    report = listings_import_bytes(source=source, data=csv_bytes, csv=True, file_name="meetings.csv")
    assert report.records == 6
    assert report.created == 4
    assert [(s.line, s.slug, s.code) for s in report.skipped] == [
        (7, "broken-day", "invalid_day"),
        (8, "no-time", "missing_time"),
    ]
    rows = {r.slug: r for r in ExternalListing.objects.filter(source=source)}
    monday = rows["gracia-monday"]
    assert (monday.days, monday.time, monday.end_time) == ("1", time(19), time(20))
    assert monday.address == "Carrer de Verdi, 12"  # a quoted comma
    assert monday.notes == "Ring the bell, second floor"
    assert monday.types == ["O", "D", "S"]  # type names in words, as codes
    assert monday.languages == ",es,"
    assert rows["gracia-wednesday"].time == time(19)  # "7 pm"
    assert rows["17"].days == "5" and rows["17"].conference_url == "https://meet.example.org/friday"
    assert rows["17"].notes.startswith("First line") and "Second line" in rows["17"].notes
    assert rows["17"].languages == ",en,"
    assert rows["17"].updated == datetime(2024, 5, 3, 21, 15, tzinfo=UTC)
    assert rows["lunch"].days == "14" and rows["lunch"].time == time(12, 30)
    assert rows["lunch"].postal_code is None
    source.refresh_from_db()
    assert (source.feed_format, source.file_name) == ("csv", "meetings.csv")
    # Again: nothing changes.
    again = listings_import_bytes(source=source, data=csv_bytes, csv=True)
    assert (again.created, again.updated, again.unchanged, again.removed) == (0, 0, 4, 0)


def test_the_specs_own_example_validates_against_its_schema_and_imports(source):
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    schemas = {}
    for name in ("meeting.schema.json", "meeting-type.schema.json"):
        schema = json.loads((DATA / "schema" / name).read_text())
        schemas[schema["$id"]] = referencing.Resource.from_contents(schema)
    registry = referencing.Registry().with_resources(schemas.items())
    meeting_schema = json.loads((DATA / "schema" / "meeting.schema.json").read_text())
    example = json.loads((DATA / "schema" / "example.json").read_text())
    jsonschema.Draft7Validator(meeting_schema, registry=registry).validate(example)
    report = listings_import(source=source, records=[example])
    assert report.created == 1
    row = ExternalListing.objects.get(slug="sunday-serenity-14")
    assert (row.days, row.time, row.end_time, row.group) == (
        "0",
        time(18),
        time(19, 30),
        "The Serenity Group",
    )
    assert row.url == "https://district123.org/meetings/sunday-serenity"


def test_an_import_is_audited_with_counts_only(source, sample_records):
    listings_import(source=source, records=sample_records)
    event = AuditEvent.objects.get(action="listings.imported")
    assert event.data == {
        "source": source.pk,
        "created": 45,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "skipped": 0,
    }


def test_a_failure_while_writing_undoes_the_whole_import(source, sample_records, monkeypatch):
    listings_import(source=source, records=sample_records)
    before = list(ExternalListing.objects.order_by("pk").values())
    changed = copy.deepcopy(sample_records[1:])  # one removal …
    changed[0]["name"] = "Renamed"  # … one update …
    changed.append({"slug": "new", "name": "New", "day": 1, "time": "19:00"})  # … and a creation that fails

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ExternalListing.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        listings_import(source=source, records=changed)
    assert list(ExternalListing.objects.order_by("pk").values()) == before

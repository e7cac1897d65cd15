"""`manage.py import_meeting_guide`: prints the report, and fails loudly on input that is no feed."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mutua.listings.models import ExternalListing, Source

from .conftest import CSV_SAMPLE, SAMPLE


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_meeting_guide", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_a_file_and_creates_the_source(db):
    out, _err = run("Area 83 Ontario", str(SAMPLE), "--timezone", "America/Toronto")
    assert "45 records: 45 created, 0 updated, 0 unchanged, 0 skipped; 0 removed." in out
    source = Source.objects.get(name="Area 83 Ontario")
    assert (source.slug, source.default_timezone, source.file_name) == (
        "area-83-ontario",
        "America/Toronto",
        "kansas-city-data-sample.json",
    )
    assert ExternalListing.objects.filter(source=source, timezone="America/Toronto").count() == 45
    out, _err = run("Area 83 Ontario", str(SAMPLE))
    assert "0 created, 0 updated, 45 unchanged" in out


def test_the_command_prints_each_skipped_record_with_its_reason(db):
    out, _err = run("Barcelona", str(CSV_SAMPLE), "--timezone", "Europe/Madrid")
    assert "6 records: 4 created" in out
    assert "Skipped: Record 4 (line 7), slug broken-day, “Day that does not exist”:" in out
    assert "[invalid_day]" in out
    assert "Skipped: Record 5 (line 8), slug no-time" in out and "[missing_time]" in out


def test_malformed_input_exits_non_zero_and_imports_nothing(db, tmp_path):
    bad = tmp_path / "feed.json"
    bad.write_text('{"not": "a list"}')
    with pytest.raises(CommandError, match="Nothing imported"):
        run("Somewhere", str(bad))
    assert ExternalListing.objects.count() == 0


def test_a_csv_without_the_flag_is_recognised_by_its_name_and_with_the_flag_by_any_name(db, tmp_path):
    renamed = tmp_path / "export.txt"
    renamed.write_bytes(CSV_SAMPLE.read_bytes())
    with pytest.raises(CommandError, match="not valid JSON"):
        run("Barcelona", str(renamed))
    out, _err = run("Barcelona", str(renamed), "--csv")
    assert "4 created" in out


def test_an_unknown_time_zone_is_refused(db):
    with pytest.raises(CommandError, match="not a time zone"):
        run("Somewhere", str(SAMPLE), "--timezone", "Mars/Olympus")
    assert not Source.objects.exists()


def test_a_missing_file_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("Somewhere", str(tmp_path / "nope.json"))


def test_the_exit_code_is_one_on_malformed_input(db, tmp_path):
    """As a shell sees it: the process ends with status 1."""
    bad = tmp_path / "feed.json"
    bad.write_text("[")
    with pytest.raises(SystemExit) as exit_info:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", "import_meeting_guide", "X", str(bad)]).execute()
    assert exit_info.value.code == 1


def test_the_command_imports_from_a_url(db, feed_server):
    feed_server.routes["/feed.json"] = (200, SAMPLE.read_bytes(), {})
    out, _err = run("Remote", feed_server.url("/feed.json"), "--timezone", "America/Toronto")
    assert "45 created" in out
    assert Source.objects.get(name="Remote").url == feed_server.url("/feed.json")

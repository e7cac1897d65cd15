"""`manage.py import_meeting_guide <source-name> <path-or-url> [--timezone Europe/Madrid] [--csv]`"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutua.listings import services
from mutua.listings.feed import FeedError
from mutua.listings.fetch import MAX_BYTES, is_web_url


class Command(BaseCommand):
    help = (
        "Import a Meeting Guide feed (a JSON file or URL, or a spreadsheet saved as CSV) as the external "
        "listings of a source, created when new. Re-importing updates changed meetings and removes "
        "vanished ones; each skipped record is printed with its reason. Exits with 1 when the input is "
        "not a usable feed (nothing is imported then)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="The source's name, e.g. 'Area 83 (Ontario)'.")
        parser.add_argument("location", help="A file path, or an http(s) URL.")
        parser.add_argument(
            "--timezone",
            default="",
            help="The source's default time zone, for meetings that name none (e.g. America/Toronto).",
        )
        parser.add_argument(
            "--csv", action="store_true", help="Read a spreadsheet (CSV); implied by a .csv file name."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        location: str = options["location"]
        csv = bool(options["csv"]) or location.lower().endswith(".csv")
        try:
            source = services.source_for_import(name=options["source"], timezone_name=options["timezone"])
            if is_web_url(location):
                report = services.listings_import_url(source=source, url=location, csv=csv)
            else:
                path = Path(location)
                if not path.is_file():
                    raise CommandError(f"No such file: {location}")
                if path.stat().st_size > MAX_BYTES:
                    raise CommandError(f"{location} is larger than {MAX_BYTES} bytes.")
                report = services.listings_import_bytes(
                    source=source, data=path.read_bytes(), csv=csv, file_name=path.name
                )
        except FeedError as exc:
            for item in exc.skipped:
                self.stderr.write(services.skipped_line(item))
            raise CommandError(f"Nothing imported: {exc.message}") from exc
        self.stdout.write(f"{source.name} ({source.slug}): {services.report_summary(report)}")
        for item in report.skipped:
            self.stdout.write(f"Skipped: {services.skipped_line(item)}")

"""Writes of external listings: importing a Meeting Guide feed, from records, a file or a URL."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from mutua.core.models import audit
from mutua.listings.feed import (
    FeedError,
    Meeting,
    Skipped,
    clean_records,
    is_time_zone,
    parse_csv,
    parse_json,
)
from mutua.listings.fetch import fetch_url
from mutua.listings.models import ExternalListing, FeedFormat, Source

if TYPE_CHECKING:
    from mutua.accounts.models import User

# The values an import compares and writes (everything but the source and the slug, its identity).
LISTING_FIELDS = [name for name in Meeting.__dataclass_fields__ if name != "slug"]


@dataclass
class ImportReport:
    """What an import did. Every record of the feed is counted once: created + updated + unchanged +
    len(skipped) == records. `removed` counts listings no longer in the feed."""

    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)


def _changed(listing: ExternalListing, meeting: Meeting) -> dict[str, Any]:
    values = meeting.fields()
    return {name: values[name] for name in LISTING_FIELDS if getattr(listing, name) != values[name]}


@transaction.atomic
def listings_import(*, source: Source, records: Sequence[Any], actor: "User | None" = None) -> ImportReport:
    """Make the source's listings what `records` (a parsed feed) says, in one transaction.

    Every record is checked before anything is written. Records are matched to listings by slug:
    new ones are created, changed ones updated, identical ones left alone (no write), and listings
    whose slug the feed no longer holds — or holds only in a record that was skipped, whose current
    values are unknown — are removed. A feed that is not a list, lists nothing, or whose every
    record is skipped raises `FeedError` and changes nothing: an empty answer from a broken server
    must not wipe a source."""
    if not isinstance(records, list):
        raise FeedError(_("A Meeting Guide feed is a list of meetings, and this file holds something else."))
    if not records:
        raise FeedError(_("The feed lists no meetings, so nothing was changed."))
    source = Source.objects.select_for_update().get(pk=source.pk)
    meetings, skipped = clean_records(records, timezone=source.default_timezone, language=source.language)
    if not meetings:
        raise FeedError(
            _("No meeting in the feed could be imported, so nothing was changed."), skipped=skipped
        )

    report = ImportReport(records=len(records), skipped=skipped)
    existing = {listing.slug: listing for listing in ExternalListing.objects.filter(source=source)}
    to_create: list[ExternalListing] = []
    to_update: list[ExternalListing] = []
    for meeting in meetings:
        listing = existing.get(meeting.slug)
        if listing is None:
            to_create.append(ExternalListing(source=source, **meeting.fields()))
            continue
        changes = _changed(listing, meeting)
        if not changes:
            report.unchanged += 1
            continue
        for name, value in changes.items():
            setattr(listing, name, value)
        to_update.append(listing)
    kept = {meeting.slug for meeting in meetings}
    gone = [listing.pk for slug, listing in existing.items() if slug not in kept]

    if gone:
        ExternalListing.objects.filter(pk__in=gone).delete()
    ExternalListing.objects.bulk_create(to_create)
    if to_update:
        ExternalListing.objects.bulk_update(to_update, LISTING_FIELDS)
    report.created, report.updated, report.removed = len(to_create), len(to_update), len(gone)

    source.last_imported_at = timezone.now()
    source.created_count = report.created
    source.updated_count = report.updated
    source.unchanged_count = report.unchanged
    source.removed_count = report.removed
    source.skipped_count = len(report.skipped)
    source.save(
        update_fields=[
            "last_imported_at",
            "created_count",
            "updated_count",
            "unchanged_count",
            "removed_count",
            "skipped_count",
        ]
    )
    audit(
        "listings.imported",
        actor=actor,
        source=source.pk,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        removed=report.removed,
        skipped=len(report.skipped),
    )
    return report


def parse_feed(data: bytes, *, csv: bool) -> list[Any]:
    return parse_csv(data) if csv else parse_json(data)


@transaction.atomic
def listings_import_bytes(
    *, source: Source, data: bytes, csv: bool, file_name: str = "", url: str = "", actor: "User | None" = None
) -> ImportReport:
    """Parse a whole feed (JSON, or CSV when `csv`) and import it. The file's name or the URL it came
    from, and its format, are remembered on the source (for "Import again")."""
    records = parse_feed(data, csv=csv)
    report = listings_import(source=source, records=records, actor=actor)
    source.feed_format = FeedFormat.CSV if csv else FeedFormat.JSON
    fields = ["feed_format"]
    if url:
        source.url = url
        fields.append("url")
    if file_name:
        source.file_name = file_name[:255]
        fields.append("file_name")
    source.save(update_fields=fields)
    return report


def listings_import_url(
    *, source: Source, url: str = "", csv: bool | None = None, actor: "User | None" = None
) -> ImportReport:
    """Fetch the feed at `url` (the source's own URL when empty) and import it. The download happens
    before the transaction opens, so no database lock is held while waiting on the network."""
    url = url or source.url
    if not url:
        raise FeedError(_("This source has no feed address to import from."))
    data = fetch_url(url)
    if csv is None:
        csv = source.feed_format == FeedFormat.CSV if url == source.url else url.lower().endswith(".csv")
    return listings_import_bytes(source=source, data=data, csv=csv, url=url, actor=actor)


def source_for_import(*, name: str, timezone_name: str = "") -> Source:
    """The source called `name`, created when new (its short name from the name). A time zone given
    here becomes its default zone."""
    if timezone_name and not is_time_zone(timezone_name):
        raise FeedError(_("“%(zone)s” is not a time zone (e.g. Europe/Madrid).") % {"zone": timezone_name})
    source = Source.objects.filter(name=name).first()
    if source is None:
        base = slugify(name)[:50] or "source"
        slug, n = base, 1
        while Source.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        source = Source(name=name, slug=slug)
        if timezone_name:
            source.default_timezone = timezone_name
        source.save()
    elif timezone_name and source.default_timezone != timezone_name:
        source.default_timezone = timezone_name
        source.save(update_fields=["default_timezone"])
    return source


def report_summary(report: ImportReport) -> str:
    return _(
        "%(records)s records: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
        "%(skipped)s skipped; %(removed)s removed."
    ) % {
        "records": report.records,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": len(report.skipped),
        "removed": report.removed,
    }


def skipped_line(skipped: Skipped) -> str:
    """ "Record 3 (line 5), slug 12, “Tweed Group”: It has no start time. [missing_time]" """
    where = (
        _("Record %(n)s (line %(line)s)") % {"n": skipped.position, "line": skipped.line}
        if skipped.line
        else _("Record %(n)s") % {"n": skipped.position}
    )
    if skipped.slug:
        where = _("%(where)s, slug %(slug)s") % {"where": where, "slug": skipped.slug}
    if skipped.name:
        where = f"{where}, “{skipped.name}”"
    return f"{where}: {skipped.message} [{skipped.code}]"

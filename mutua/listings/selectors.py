"""Reads of external listings. Everything here is public: these are public feeds of public meetings."""

from django.db.models import Q

from mutua.listings.models import ExternalListing, Source


def listings_for_directory(
    *,
    experience_query: str | None = None,
    language: str | None = None,
    weekday: int | None = None,
    limit: int = 5,
) -> list[ExternalListing]:
    """A few meetings of other fellowships for the directory, in one query (source included).

    `experience_query` is the directory's experience filter (the slug of a family or of one item): only
    sources the host linked to that experience match; None or "" matches every source. `language` is
    a language code ("es"), matched against the languages the meeting's types name, or its source's
    default language. `weekday` counts from 0 = Monday, as `date.weekday()` and `Circle.meeting_weekday`
    do (Meeting Guide's own days start on Sunday; the conversion happens here)."""
    qs = ExternalListing.objects.select_related("source")
    if experience_query:
        sources = Source.objects.filter(
            Q(experiences__slug=experience_query) | Q(experiences__family__slug=experience_query)
        ).values("pk")
        qs = qs.filter(source_id__in=sources)
    if language:
        qs = qs.filter(languages__contains=f",{language},")
    if weekday is not None:
        qs = qs.filter(days__contains=str((weekday + 1) % 7))
    return list(qs.order_by("days", "time", "name", "pk")[: max(0, limit)])


def listing_public(*, source_slug: str, slug: str) -> ExternalListing | None:
    return (
        ExternalListing.objects.select_related("source").filter(source__slug=source_slug, slug=slug).first()
    )

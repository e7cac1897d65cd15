from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from mutua.circles.models import Experience
from mutua.listings.feed import is_time_zone


def default_time_zone() -> str:
    return str(settings.TIME_ZONE)


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(
            _("“%(zone)s” is not a time zone (e.g. Europe/Madrid)."), params={"zone": value}
        )


# The meeting types a newcomer most needs explained; the other codes are left to the source's page.
TYPE_LABELS = {
    "O": _("Open: anyone may attend"),
    "C": _("Closed: only for people who share the problem"),
    "BE": _("For newcomers"),
    "W": _("Women"),
    "M": _("Men"),
    "Y": _("Young people"),
    "LGBTQ": _("LGBTQ"),
    "X": _("Wheelchair access"),
}


class FeedFormat(models.TextChoices):
    JSON = "json", "JSON"
    CSV = "csv", "CSV"


class Source(models.Model):
    """A Meeting Guide feed of another fellowship, and how its last import went."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    # In public URLs: /listings/<slug>/<meeting slug>/.
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    url = models.URLField(_("feed address"), max_length=500, blank=True)
    file_name = models.CharField(_("last file imported"), max_length=255, blank=True)
    feed_format = models.CharField(
        _("format"), max_length=8, choices=FeedFormat.choices, default=FeedFormat.JSON
    )
    website = models.URLField(
        _("website"), max_length=500, blank=True, help_text=_("Where people can contact this fellowship.")
    )
    default_timezone = models.CharField(
        _("default time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("For meetings whose record names no time zone."),
    )
    language = models.CharField(
        _("default language"),
        max_length=8,
        blank=True,
        help_text=_("Language code (e.g. en) for meetings whose types name no language."),
    )
    experiences = models.ManyToManyField(
        Experience,
        blank=True,
        related_name="listing_sources",
        verbose_name=_("shared experiences"),
        help_text=_("The directory shows these meetings to people looking for these experiences."),
    )
    last_imported_at = models.DateTimeField(_("last imported"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    removed_count = models.PositiveIntegerField(_("removed"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("listing source")
        verbose_name_plural = _("listing sources")

    def __str__(self) -> str:
        return self.name


class ExternalListing(models.Model):
    """A meeting of another fellowship, as its source's feed describes it. Shown, never joinable:
    nothing links it to memberships, and no URL joins it."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="listings")
    slug = models.CharField(max_length=255)
    name = models.CharField(_("name"), max_length=255)
    # Meeting Guide day digits (0 = Sunday … 6 = Saturday), ascending: "2", or "135" for several days.
    days = models.CharField(_("days"), max_length=7)
    time = models.TimeField(_("time"))
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    # The zone `time` is in: the record's own, or its source's default when the record named none.
    timezone = models.CharField(_("time zone"), max_length=64)
    types = models.JSONField(_("types"), default=list, blank=True)
    # Languages from the types (or the source's default), as ",en,es," for a portable `contains`.
    languages = models.CharField(max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    location = models.CharField(_("location"), max_length=255, blank=True)
    formatted_address = models.CharField(_("formatted address"), max_length=500, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=255, blank=True)
    state = models.CharField(_("state"), max_length=255, blank=True)
    region = models.CharField(_("region"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=32, null=True, blank=True)
    country = models.CharField(_("country"), max_length=64, blank=True)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    conference_url = models.URLField(_("online meeting address"), max_length=500, blank=True)
    url = models.URLField(_("listing on the source's site"), max_length=500, blank=True)
    group = models.CharField(_("group"), max_length=255, blank=True)
    updated = models.DateTimeField(_("updated at the source"), null=True, blank=True)

    class Meta:
        ordering = ["source_id", "days", "time", "name"]
        verbose_name = _("external listing")
        verbose_name_plural = _("external listings")
        constraints = [models.UniqueConstraint(fields=["source", "slug"], name="listing_source_slug_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def day_numbers(self) -> list[int]:
        return [int(d) for d in self.days]

    @property
    def day_names(self) -> list[str]:
        """The days in the active language (Django's own translated names; 0 = Sunday here, while
        Django's `WEEKDAYS` starts on Monday)."""
        return [str(WEEKDAYS[(d - 1) % 7]) for d in self.day_numbers]

    @property
    def type_labels(self) -> list[str]:
        return [str(TYPE_LABELS[code]) for code in self.types if code in TYPE_LABELS]

    @property
    def language_names(self) -> list[str]:
        """The meeting's languages, each named in itself ("Español")."""
        names = []
        for code in self.languages.strip(",").split(","):
            if not code:
                continue
            try:
                names.append(str(get_language_info(code)["name_local"]))
            except KeyError:
                names.append(code)
        return names

    @property
    def online(self) -> bool:
        return bool(self.conference_url)

    @property
    def area(self) -> str:
        """Where, in a few words: "Napanee, ON, CA"."""
        parts = [self.city or self.region, self.state, self.country]
        return ", ".join(p for p in parts if p)

    @property
    def full_address(self) -> str:
        if self.formatted_address:
            return self.formatted_address
        place = " ".join(p for p in (self.state, self.postal_code or "") if p)
        return ", ".join(p for p in (self.address, self.city, place, self.country) if p)

    @property
    def link_out(self) -> str:
        """Where to learn more: the meeting's page at its source, else the source's website."""
        return self.url or self.source.website

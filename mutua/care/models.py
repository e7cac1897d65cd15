from django.db import models
from django.utils.translation import gettext_lazy as _

from mutua.core.i18n import tr


class CrisisCountry(models.Model):
    """A country the host serves, with its emergency number. Host-curated data."""

    code = models.CharField(max_length=2, unique=True)
    emergency_number = models.CharField(max_length=32)
    name_en = models.CharField("name (en)", max_length=80)
    name_es = models.CharField("name (es)", max_length=80)
    name_it = models.CharField("name (it)", max_length=80)
    name_ca = models.CharField("name (ca)", max_length=80)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return tr(self, "name")


class CrisisLine(models.Model):
    """A crisis line, with the source it was checked against and when (§3.7)."""

    country = models.ForeignKey(CrisisCountry, on_delete=models.CASCADE, related_name="lines")
    slug = models.SlugField(unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    phone = models.CharField(max_length=32, blank=True)
    sms = models.CharField(max_length=32, blank=True)
    url = models.URLField(blank=True)
    languages = models.CharField(max_length=64, blank=True, help_text="Comma-separated language codes.")
    source_url = models.URLField()
    checked_on = models.DateField()
    name_en = models.CharField("name (en)", max_length=120)
    name_es = models.CharField("name (es)", max_length=120)
    name_it = models.CharField("name (it)", max_length=120)
    name_ca = models.CharField("name (ca)", max_length=120)
    hours_en = models.CharField("hours (en)", max_length=120, blank=True)
    hours_es = models.CharField("hours (es)", max_length=120, blank=True)
    hours_it = models.CharField("hours (it)", max_length=120, blank=True)
    hours_ca = models.CharField("hours (ca)", max_length=120, blank=True)
    description_en = models.TextField("description (en)", blank=True)
    description_es = models.TextField("description (es)", blank=True)
    description_it = models.TextField("description (it)", blank=True)
    description_ca = models.TextField("description (ca)", blank=True)

    class Meta:
        ordering = ["country__code", "order"]
        verbose_name = _("crisis line")
        verbose_name_plural = _("crisis lines")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return tr(self, "name")

    @property
    def hours(self) -> str:
        return tr(self, "hours")

    @property
    def description(self) -> str:
        return tr(self, "description")

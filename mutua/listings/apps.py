from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingsConfig(AppConfig):
    """Meetings of other fellowships, imported from Meeting Guide feeds: shown, never joinable."""

    name = "mutua.listings"
    label = "listings"
    verbose_name = _("Meetings of other fellowships")

"""Who runs this Mutua, for the few sentences that must name them (issue 12): "the host" read like a
group leader, and «Este Mutua» had the wrong gender. `MUTUA_ORGANISATION` names the organisation;
without it, each language says "the people who run this site"."""

from django.conf import settings
from django.utils.translation import gettext


def organisation_name() -> str:
    """The organisation's name, or a phrase that fits where a name would ("Please tell …")."""
    return str(settings.ORGANISATION_NAME or gettext("the people who run this site"))

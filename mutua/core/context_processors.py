from typing import Any

from django.conf import settings
from django.http import HttpRequest

from mutua.core.i18n import current_language


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "LANG": current_language(),
        # The language switcher names each language in itself ("Español", not "Spanish" or "Inglés"):
        # settings.LANGUAGES as written, never through gettext as {% get_available_languages %} does.
        "LANGUAGE_CHOICES": settings.LANGUAGES,
    }

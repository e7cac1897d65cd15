import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from mutua.care.selectors import crisis_countries
from mutua.core.access import public
from mutua.core.i18n import current_language

logger = logging.getLogger(__name__)
LANGUAGE_COUNTRY = {"es": "ES", "ca": "ES", "it": "IT"}


def _viewer_country(request: HttpRequest) -> str:
    try:
        user = request.user
        return str(getattr(user, "country", "") or "") if user.is_authenticated else ""
    except DatabaseError:
        return ""


@public
@require_safe
def crisis(request: HttpRequest) -> HttpResponse:
    """Must answer even when the database is down: it then renders a self-contained page from the
    data file shipped with Mutua, without touching sessions or the user."""
    countries, from_db = crisis_countries()
    # The viewer's own country first; otherwise the country their interface language suggests.
    country = (_viewer_country(request) if from_db else "") or LANGUAGE_COUNTRY.get(current_language(), "")
    countries.sort(key=lambda c: (c.code != country, c.name))
    context = {"countries": countries, "viewer_country": country}
    if from_db:
        try:
            return render(request, "care/crisis.html", context)
        except DatabaseError:
            logger.warning("crisis page rendered without the site frame: database unavailable")
    return HttpResponse(render_to_string("care/crisis_standalone.html", context))

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.http import require_safe

from mutua.care.selectors import crisis_countries, order_for_viewer
from mutua.core.access import public
from mutua.core.i18n import current_language

logger = logging.getLogger(__name__)
# The country an interface language most suggests, when nothing better is known.
LANGUAGE_COUNTRY = {"es": "ES", "ca": "ES", "it": "IT"}


def _viewer_country(request: HttpRequest) -> str:
    try:
        user = request.user
        return str(getattr(user, "country", "") or "") if user.is_authenticated else ""
    except DatabaseError:
        return ""


def _browser_regions(request: HttpRequest) -> list[str]:
    """The regions the browser's Accept-Language names, most preferred first ("en-GB" → "GB")."""
    tags = parse_accept_lang_header(request.headers.get("Accept-Language", "")[:255])
    regions = (part for tag, _q in tags for part in tag.split("-")[1:])
    return [r.upper() for r in regions if len(r) == 2 and r.isalpha()]


@public
@require_safe
def crisis(request: HttpRequest) -> HttpResponse:
    """Must answer even when the database is down: it then renders a self-contained page from the
    data file shipped with Mutua, without touching sessions or the user."""
    countries, from_db = crisis_countries()
    language = current_language()
    # The viewer's own country first, then the regions their browser names, then the country their
    # interface language suggests; then countries with a line in their language (an English speaker
    # sees the UK, Ireland and the US before France).
    preferred = [
        _viewer_country(request) if from_db else "",
        *_browser_regions(request),
        LANGUAGE_COUNTRY.get(language, ""),
    ]
    countries = order_for_viewer(countries, preferred=preferred, language=language)
    context = {"countries": countries}
    if from_db:
        try:
            return render(request, "care/crisis.html", context)
        except DatabaseError:
            logger.warning("crisis page rendered without the site frame: database unavailable")
    # No request context here (it could touch the session): the page's language is passed in.
    return HttpResponse(
        render_to_string("care/crisis_standalone.html", {**context, "LANGUAGE_CODE": language})
    )

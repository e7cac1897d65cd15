from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from mutua.core import access
from mutua.listings import selectors


@access.public
@require_safe
def public_page(request: HttpRequest, source: str, slug: str) -> HttpResponse:
    """A meeting of another fellowship: what its source publishes, and where to contact them. There
    is nothing to join here: the meeting is not run on Mutua."""
    listing = selectors.listing_public(source_slug=source, slug=slug)
    if listing is None:
        raise Http404
    return render(request, "listings/public.html", {"listing": listing})

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from mutua.core import access
from mutua.listings import export, selectors


@access.public
@require_safe
def public_page(request: HttpRequest, source: str, slug: str) -> HttpResponse:
    """A meeting of another fellowship: what its source publishes, and where to contact them. There
    is nothing to join here: the meeting is not run on Mutua."""
    listing = selectors.listing_public(source_slug=source, slug=slug)
    if listing is None:
        raise Http404
    return render(request, "listings/public.html", {"listing": listing})


@access.public
@require_safe
def meeting_guide(request: HttpRequest) -> HttpResponse:
    """The groups that opted in, as a Meeting Guide JSON feed. Meeting Guide apps and meeting finders
    on other sites fetch it from their own pages, so any origin may read it; it holds only public
    facts, the same for everyone, so shared caches may keep it for a few minutes."""
    body = json.dumps(export.meeting_guide_feed(), ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body.encode(), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=export.CACHE_SECONDS)
    return response

"""Calendar pages: the secret feed address, one meeting as a file, and the person's own calendar page.

The feed address is public (calendar apps cannot sign in): the secret token in it is the key, and an
unknown or revoked one answers the site's ordinary 404. Everything else is behind login."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutua.circles.models import Circle, Membership
from mutua.circles.policies import Need, circle_view
from mutua.core.access import account, public
from mutua.core.errors import DomainError
from mutua.core.http import AuthenticatedHttpRequest
from mutua.meetings import calendar_selectors, calendar_services
from mutua.meetings.selectors import key_from_slug, key_slug, occurrence


class ShowNamesForm(forms.Form):
    show_names = forms.BooleanField(
        required=False,
        label=gettext_lazy("Show each group's name in my calendar"),
        help_text=gettext_lazy(
            "Your calendar app or its provider may show the group's name to anyone who sees your "
            "calendar. Without it, each meeting is called “Group meeting”."
        ),
    )


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: never kept by a shared cache or the browser, never indexed.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@public
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    found = calendar_selectors.feed_by_token(token)
    if found is None:
        raise Http404
    return _ics(calendar_selectors.feed_ics(feed=found), "meetings.ics")


@circle_view(Need.MEMBER)
@require_safe
def meeting(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, key: str
) -> HttpResponse:
    moment = key_from_slug(key)
    occ = occurrence(circle=circle, key=moment) if moment is not None else None
    if occ is None:
        raise Http404
    body = calendar_selectors.meeting_ics(user=request.user, circle=circle, occ=occ)
    return _ics(body, f"meeting-{key_slug(occ.key)}.ics")


@account
@require_safe
def go(request: AuthenticatedHttpRequest, ref: str, key: str | None = None) -> HttpResponse:
    """A calendar event's link: it names no group (P7), so it finds the person's own group from the
    opaque reference and sends them to that meeting's page, which applies the gate as always."""
    circle = calendar_selectors.circle_for_ref(user=request.user, ref=ref)
    if circle is None:
        raise Http404
    if key is None:
        return redirect("meetings:list", code=circle.code)
    moment = key_from_slug(key)
    if moment is None:
        raise Http404
    return redirect("meetings:detail", code=circle.code, key=key_slug(moment))


def _page(
    request: AuthenticatedHttpRequest, *, new_token: str = "", form: ShowNamesForm | None = None
) -> HttpResponse:
    current = calendar_selectors.calendar_feed_of(user=request.user)
    https_url, webcal_url = calendar_selectors.feed_urls(new_token) if new_token else ("", "")
    initial = {"show_names": current.show_names if current else False}
    return render(
        request,
        "meetings/calendar.html",
        {
            "feed": current,
            "new_token": new_token,
            "https_url": https_url,
            "webcal_url": webcal_url,
            "form": form or ShowNamesForm(initial=initial),
        },
    )


@account
@require_http_methods(["GET", "POST"])
def page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What a calendar feed is, whether the person has one, and making one (its address shown once)."""
    if request.method == "POST":
        form = ShowNamesForm(request.POST)
        if form.is_valid():
            raw = calendar_services.calendar_feed_create(
                user=request.user, show_names=form.cleaned_data["show_names"]
            )
            return _page(request, new_token=raw)
        return _page(request, form=form)
    return _page(request)


@account
@require_http_methods(["GET", "POST"])
def replace(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = calendar_selectors.calendar_feed_of(user=request.user)
    if current is None:
        return redirect("calendar:page")
    if request.method == "POST":
        raw = calendar_services.calendar_feed_create(user=request.user, show_names=current.show_names)
        return _page(request, new_token=raw)
    return render(request, "meetings/calendar_confirm.html", {"action": "replace"})


@account
@require_http_methods(["GET", "POST"])
def revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            calendar_services.calendar_feed_revoke(user=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Your calendar address is stopped. Calendar apps can no longer read it.")
            )
        return redirect("calendar:page")
    if calendar_selectors.calendar_feed_of(user=request.user) is None:
        return redirect("calendar:page")
    return render(request, "meetings/calendar_confirm.html", {"action": "revoke"})


@account
@require_POST
def names(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ShowNamesForm(request.POST)
    if form.is_valid():
        try:
            calendar_services.calendar_feed_set_names(
                user=request.user, show_names=form.cleaned_data["show_names"]
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Saved. Your calendar app shows the change when it next looks."))
    return redirect("calendar:page")

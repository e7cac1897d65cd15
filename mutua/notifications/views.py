"""The inbox and the notification settings: one's own, behind login (`account`)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutua.core.access import account
from mutua.core.errors import DomainError
from mutua.core.http import AuthenticatedHttpRequest
from mutua.notifications import selectors, services
from mutua.notifications.forms import PreferencesForm
from mutua.notifications.texts import text_for

PAGE_SIZE = 20


@account
@require_safe
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_for(viewer=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "items": [(n, text_for(n.kind)) for n in page.object_list],
            "unread": selectors.unread_count(viewer=request.user),
        },
    )


@account
@require_http_methods(["GET", "HEAD", "POST"])
def open_notification(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Goes to the notification's page (which applies its own gate). The inbox's button POSTs, which
    also marks it read; an email's link GETs it (after logging in) and changes nothing. The email's
    link names the notification, never the group: a group's code leads to its public page."""
    if request.method == "POST":
        try:
            notification = services.notification_mark_read(user=request.user, code=code[:16])
        except DomainError as exc:
            raise Http404 from exc
    else:
        found = selectors.notification_of(viewer=request.user, code=code[:16])
        if found is None:
            raise Http404
        notification = found
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target.startswith("/"):
        target = reverse("notifications:inbox")
    return redirect(target)


@account
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("Everything is marked as read."))
    return redirect("notifications:inbox")


@account
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = selectors.preferences_for(viewer=request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, current=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(user=request.user, email=form.email_choices())
        messages.success(request, _("Saved. You can change this any time."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )

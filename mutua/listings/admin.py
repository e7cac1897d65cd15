from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutua.listings import services
from mutua.listings.feed import FeedError
from mutua.listings.forms import FeedFileForm
from mutua.listings.models import ExternalListing, Source

if TYPE_CHECKING:
    from mutua.accounts.models import User

# Past this many, skipped records are summed up in one message rather than listed.
SKIPPED_SHOWN = 20


def _report_messages(request: HttpRequest, source: Source, report: services.ImportReport) -> None:
    messages.success(request, f"{source.name}: {services.report_summary(report)}")
    _skipped_messages(request, report.skipped)


def _skipped_messages(request: HttpRequest, skipped: list[Any]) -> None:
    for item in skipped[:SKIPPED_SHOWN]:
        messages.warning(request, services.skipped_line(item))
    if len(skipped) > SKIPPED_SHOWN:
        messages.warning(request, _("…and %(n)s more records skipped.") % {"n": len(skipped) - SKIPPED_SHOWN})


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin[Source]):
    """Feeds of other fellowships. Staff import them again from their URL (an action) or from a file
    (the "Import a file" button on a source's page)."""

    list_display = [
        "name",
        "slug",
        "feed_format",
        "listing_count",
        "last_imported_at",
        "created_count",
        "updated_count",
        "unchanged_count",
        "removed_count",
        "skipped_count",
    ]
    search_fields = ["name", "slug", "url"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["experiences"]
    fields = [
        "name",
        "slug",
        "url",
        "website",
        "default_timezone",
        "language",
        "experiences",
        "feed_format",
        "file_name",
        "last_imported_at",
        "created_count",
        "updated_count",
        "unchanged_count",
        "removed_count",
        "skipped_count",
    ]
    readonly_fields = [
        "file_name",
        "last_imported_at",
        "created_count",
        "updated_count",
        "unchanged_count",
        "removed_count",
        "skipped_count",
    ]
    ordering = ["name"]
    actions = ["import_again"]
    change_form_template = "admin/listings/source/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return super().get_queryset(request).annotate(n_listings=Count("listings"))

    @admin.display(description=gettext_lazy("listings"), ordering="n_listings")
    def listing_count(self, obj: Source) -> int:
        return int(getattr(obj, "n_listings", 0))

    @admin.action(description=gettext_lazy("Import again from its URL"), permissions=["change"])
    def import_again(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            if not source.url:
                messages.error(request, _("%(source)s has no feed address.") % {"source": source.name})
                continue
            try:
                report = services.listings_import_url(source=source, actor=cast("User", request.user))
            except FeedError as exc:
                messages.error(request, f"{source.name}: {exc.message}")
                _skipped_messages(request, exc.skipped)
            else:
                _report_messages(request, source, report)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/import-file/",
                self.admin_site.admin_view(self.import_file_view),
                name="listings_source_import_file",
            ),
            *super().get_urls(),
        ]

    def import_file_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        source = self.get_object(request, object_id)
        if source is None:
            raise Http404
        if not self.has_change_permission(request, source):
            raise Http404
        form = FeedFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = services.listings_import_bytes(
                    source=source,
                    data=upload.read(),
                    csv=form.is_csv,
                    file_name=upload.name,
                    actor=cast("User", request.user),
                )
            except FeedError as exc:
                form.add_error(None, str(exc.message))
                _skipped_messages(request, exc.skipped)
            else:
                _report_messages(request, source, report)
                return HttpResponseRedirect(reverse("admin:listings_source_change", args=[source.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a feed file into %(source)s") % {"source": source.name},
            "opts": self.opts,
            "original": source,
            "form": form,
        }
        return render(
            request, "admin/listings/source/import_file.html", context, status=400 if form.errors else 200
        )


@admin.register(ExternalListing)
class ExternalListingAdmin(admin.ModelAdmin[ExternalListing]):
    """What the feeds say, read-only: an import is the only writer."""

    list_display = ["name", "source", "days", "time", "timezone", "city", "country", "updated"]
    list_filter = ["source", "country"]
    search_fields = ["name", "slug", "city", "location"]
    list_select_related = ["source"]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

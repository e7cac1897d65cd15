from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from mutua.core.errors import DomainError
from mutua.matching import services
from mutua.matching.models import MatchingRun

if TYPE_CHECKING:
    from mutua.accounts.models import User


@admin.register(MatchingRun)
class MatchingRunAdmin(admin.ModelAdmin[MatchingRun]):
    """Host staff start runs and follow their progress. Runs hold counts, never people's data."""

    list_display = ["pk", "created_at", "status", "stage", "progress", "placed", "waiting", "new_groups"]
    readonly_fields = [
        "created_at",
        "created_by",
        "status",
        "stage",
        "progress",
        "seed",
        "finished_at",
        "summary",
    ]
    change_list_template = "admin/matching/run_changelist.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="placed")
    def placed(self, obj: MatchingRun) -> Any:
        return obj.summary.get("placed", "—")

    @admin.display(description="waiting")
    def waiting(self, obj: MatchingRun) -> Any:
        return obj.summary.get("waiting", "—")

    @admin.display(description="new groups")
    def new_groups(self, obj: MatchingRun) -> Any:
        return obj.summary.get("new_groups", "—")

    def get_urls(self) -> list[Any]:
        return [
            path("start/", self.admin_site.admin_view(self.start_view), name="matching_run_start"),
            *super().get_urls(),
        ]

    def start_view(self, request: HttpRequest) -> HttpResponseRedirect:
        if request.method == "POST":
            try:
                # admin_view lets only signed-in staff reach this view: the user is a person.
                run = services.run_create(staff=cast("User", request.user))
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Matching run #%(n)s started.") % {"n": run.pk})
        return HttpResponseRedirect(reverse("admin:matching_matchingrun_changelist"))

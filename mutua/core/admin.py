from typing import Any

import django_tasks_db.admin  # noqa: F401 - registers DBTaskResultAdmin first, so it can be replaced
from django.contrib import admin
from django.http import HttpRequest
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from mutua.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """The audit log, read-only and append-only. Filters by action only: a filter by person or by
    group would list a group's roster or a person's groups (P7). Group events name their member by
    membership id, which nothing in the admin resolves to a person."""

    list_display = ["created_at", "action", "circle", "actor"]
    list_filter = ["action"]
    fields = ("created_at", "action", "circle", "member_ref", "actor", "data")
    readonly_fields = fields
    actions = None

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("circle", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """Background jobs without their arguments, return values or tracebacks: a job's arguments may
    name a person and a group together (a notification, for instance). Hosts see which job ran,
    when and how it ended; a failure's traceback is in the worker's log."""

    hidden = {"args_kwargs", "return_value", "traceback"}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        names = [f.name for f in self.model._meta.fields if f.name not in self.hidden]
        return ["display_run_after" if name == "run_after" else name for name in names]

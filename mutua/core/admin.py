from django.contrib import admin

from mutua.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "circle"]
    list_filter = ["action"]
    readonly_fields = ["created_at", "action", "actor", "circle", "data"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

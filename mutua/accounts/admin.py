from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from mutua.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    """Host staff manage accounts; group memberships are deliberately absent here (P2, P7)."""

    ordering = ["email"]
    list_display = ["email", "display_name", "email_verified", "is_staff", "is_active", "joined_on"]
    list_filter = ["is_staff", "is_active", "email_verified"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "language", "timezone", "country", "email_verified")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("joined_on",)}),
    )
    # Times of day are left out on purpose (P7): a sign-up or login minute next to the minute a group's
    # audit row was written would let staff link a person to a group. The day is enough to run accounts.
    readonly_fields = ["joined_on"]

    @admin.display(description="joined on", ordering="date_joined")
    def joined_on(self, obj: User) -> str:
        return obj.date_joined.date().isoformat()

    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from mutua.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Host staff manage accounts; group memberships are deliberately absent here (P2, P7)."""

    ordering = ["email"]
    list_display = ["email", "display_name", "email_verified", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "email_verified"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "language", "timezone", "country", "email_verified")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

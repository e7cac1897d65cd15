from django.contrib import admin

from mutua.care.models import CrisisCountry, CrisisLine


class CrisisLineInline(admin.StackedInline[CrisisLine, CrisisCountry]):
    model = CrisisLine
    extra = 0


@admin.register(CrisisCountry)
class CrisisCountryAdmin(admin.ModelAdmin[CrisisCountry]):
    list_display = ["code", "name_en", "emergency_number"]
    inlines = [CrisisLineInline]


@admin.register(CrisisLine)
class CrisisLineAdmin(admin.ModelAdmin[CrisisLine]):
    list_display = ["slug", "country", "name_en", "phone", "checked_on"]
    list_filter = ["country"]

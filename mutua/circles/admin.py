from django.contrib import admin

from mutua.circles.models import BasicAgreement, Circle, Experience, ExperienceFamily, Place, Pledge


class ExperienceInline(admin.TabularInline[Experience, ExperienceFamily]):
    model = Experience
    extra = 0
    fields = ["slug", "order", "name_en", "name_es", "name_it", "name_ca"]


@admin.register(ExperienceFamily)
class ExperienceFamilyAdmin(admin.ModelAdmin[ExperienceFamily]):
    list_display = ["slug", "name_en", "name_es", "name_it", "name_ca", "order"]
    inlines = [ExperienceInline]


@admin.register(Experience)
class ExperienceAdmin(admin.ModelAdmin[Experience]):
    list_display = ["slug", "family", "name_en", "name_es", "name_it", "name_ca"]
    list_filter = ["family"]
    search_fields = ["slug", "name_en", "name_es", "name_it", "name_ca"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin[Place]):
    list_display = ["slug", "name_en", "country", "latitude", "longitude", "timezone"]
    list_filter = ["country"]
    search_fields = ["slug", "name_en", "name_es", "name_it", "name_ca"]


@admin.register(BasicAgreement)
class BasicAgreementAdmin(admin.ModelAdmin[BasicAgreement]):
    list_display = ["order", "slug", "title_en"]


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin[Pledge]):
    list_display = ["version", "title_en"]


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin[Circle]):
    """Staff see what the public directory shows and nothing more: no members, no pseudonyms, no
    content (§2). There is no way here to add a person to a group (P2)."""

    list_display = ["code", "name", "experience", "mode", "place", "status", "member_count", "listed", "open"]
    list_filter = ["status", "mode", "listed", "open"]
    search_fields = ["code", "name"]
    ordering = ["-created_at", "pk"]
    fields = (
        "code",
        "name",
        "experience",
        "mode",
        "place",
        "description",
        "max_members",
        "listed",
        "open",
        "status",
        "member_count",
        "created_at",
    )
    readonly_fields = fields
    actions = None

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False

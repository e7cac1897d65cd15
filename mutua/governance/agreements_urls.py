"""Under `groups/<str:code>/agreements/` (mutua/urls.py)."""

from django.urls import path

from mutua.governance import agreements_views as views

app_name = "agreements"

urlpatterns = [
    path("", views.agreements_page, name="show"),
    path("draft/", views.draft_save, name="draft"),
    path("propose/", views.propose, name="propose"),
]

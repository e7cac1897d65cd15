from django.contrib import admin
from django.urls import include, path

from mutua.api.api import api

urlpatterns = [
    path("", include("mutua.core.urls")),
    path("", include("mutua.care.urls")),
    path("", include("mutua.circles.urls")),
    path("", include("mutua.meetings.calendar_urls")),
    path("groups/<str:code>/meetings/", include("mutua.meetings.urls")),
    path("groups/<str:code>/roles/", include("mutua.governance.roles_urls")),
    path("groups/<str:code>/agreements/", include("mutua.governance.agreements_urls")),
    path("groups/<str:code>/decisions/", include("mutua.governance.urls")),
    path("", include("mutua.matching.urls")),
    path("", include("mutua.notifications.urls")),
    path("", include("mutua.listings.urls")),
    path("account/", include("mutua.accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# Mutua's own error pages with DEBUG off; with DEBUG on, mutua.core.middleware.ErrorPagesMiddleware.
handler400 = "mutua.core.errorviews.bad_request"
handler403 = "mutua.core.errorviews.permission_denied"
handler404 = "mutua.core.errorviews.not_found"
handler500 = "mutua.core.errorviews.server_error"

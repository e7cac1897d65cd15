from django.contrib import admin
from django.urls import include, path

from mutua.api.api import api

urlpatterns = [
    path("", include("mutua.core.urls")),
    path("", include("mutua.care.urls")),
    path("", include("mutua.circles.urls")),
    path("", include("mutua.matching.urls")),
    path("account/", include("mutua.accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "mutua.core.errorviews.not_found"
handler500 = "mutua.core.errorviews.server_error"

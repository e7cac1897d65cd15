from django.urls import path

from mutua.listings import views

app_name = "listings"

# Only a page to read: an external listing has no join, leave or any other action (never joinable).
urlpatterns = [
    path("listings/<slug:source>/<str:slug>/", views.public_page, name="public"),
]

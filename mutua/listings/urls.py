from django.urls import path

from mutua.listings import views

app_name = "listings"

# External listings have only a page to read: no join, leave or any other action (never joinable).
# The Meeting Guide feed is the export of Mutua's own groups that opted in.
urlpatterns = [
    path("listings/<slug:source>/<str:slug>/", views.public_page, name="public"),
    path("meeting-guide.json", views.meeting_guide, name="meeting_guide"),
]

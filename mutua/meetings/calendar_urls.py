from django.urls import path

from mutua.meetings import calendar_views as views

app_name = "calendar"

urlpatterns = [
    # Public: the secret token is the key (calendar apps cannot sign in).
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    # Beside the meeting page (`groups/<code>/meetings/<key>/`), without its trailing slash.
    path("groups/<str:code>/meetings/<str:key>.ics", views.meeting, name="meeting"),
    path("me/calendar/", views.page, name="page"),
    path("me/calendar/replace/", views.replace, name="replace"),
    path("me/calendar/revoke/", views.revoke, name="revoke"),
    path("me/calendar/names/", views.names, name="names"),
    path("me/calendar/go/<str:ref>/", views.go, name="go"),
    path("me/calendar/go/<str:ref>/<str:key>/", views.go, name="go_meeting"),
]

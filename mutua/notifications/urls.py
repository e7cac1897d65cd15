from django.urls import path

from mutua.notifications import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.mark_all_read, name="mark_all_read"),
    path("inbox/settings/", views.preferences, name="preferences"),
    path("inbox/<str:code>/open/", views.open_notification, name="open"),
]

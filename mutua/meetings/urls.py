"""Under `groups/<str:code>/meetings/` (mutua/urls.py). A meeting is named by its key, the UTC start
the rhythm generates for it (`20261208T1800Z`); the converter keeps the fixed paths apart from keys."""

from django.urls import path, register_converter

from mutua.meetings import views


class MeetingKeyConverter:
    regex = r"\d{8}T\d{4}Z"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MeetingKeyConverter, "meetingkey")

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("reminder/", views.reminder, name="reminder"),
    path("room/", views.room, name="room"),
    path("place/", views.place, name="place"),
    path("schedule/", views.schedule, name="schedule"),
    path("attendance/", views.attendance, name="attendance"),
    path("<meetingkey:key>/", views.meeting_detail, name="detail"),
    path("<meetingkey:key>/rsvp/", views.rsvp, name="rsvp"),
    path("<meetingkey:key>/checkin/", views.checkin, name="checkin"),
    path("<meetingkey:key>/cancel/", views.cancel, name="cancel"),
    path("<meetingkey:key>/move/", views.move, name="move"),
    path("<meetingkey:key>/restore/", views.restore, name="restore"),
]

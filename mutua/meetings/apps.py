from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "mutua.meetings"
    label = "meetings"

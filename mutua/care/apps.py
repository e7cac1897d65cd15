from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "mutua.care"
    label = "care"

from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "mutua.circles"
    label = "circles"

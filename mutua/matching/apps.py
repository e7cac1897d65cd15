from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "mutua.matching"
    label = "matching"
    verbose_name = "Matching"

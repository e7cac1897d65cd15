from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (`manage.py seed_demo`). The top of the import graph: it may use every app through
    their services, and no app imports it."""

    name = "mutua.demo"
    label = "demo"

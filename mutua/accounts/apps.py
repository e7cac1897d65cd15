from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mutua.accounts"
    label = "accounts"

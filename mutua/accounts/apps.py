from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mutua.accounts"
    label = "accounts"

    def ready(self) -> None:
        # The admin's login is ours (the one login form, then a second factor for staff); core's
        # admin site cannot import it, as core depends on no app above it.
        from mutua.accounts.otp import admin_login
        from mutua.core.adminsite import MutuaAdminSite

        MutuaAdminSite.login_view = staticmethod(admin_login)

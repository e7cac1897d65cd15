from django.contrib.admin.apps import AdminConfig


class MutuaAdminConfig(AdminConfig):
    """Django's admin, served by `MutuaAdminSite` (second factor for staff, no roster anywhere).

    This module imports no models: Django imports app configs before the model registry is ready.
    """

    default_site = "mutua.core.adminsite.MutuaAdminSite"

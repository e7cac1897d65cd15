"""Periodic work of self-government (decision 0017): `manage.py crontask` imports this module, so every
`@periodic` task of the app is defined or imported here."""

from mutua.governance.role_tasks import roles_tick

__all__ = ["roles_tick"]

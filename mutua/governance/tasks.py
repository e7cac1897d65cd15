"""Periodic work of self-government (decision 0017): `manage.py crontask` imports this module, so every
`@periodic` task of the app is defined or imported here."""

from django.tasks import task

from mutua.core.periodic import periodic
from mutua.governance import services
from mutua.governance.role_tasks import roles_tick

__all__ = ["dissolved_groups_purge", "proposals_close_due", "roles_tick"]


@periodic("*/5 * * * *")
@task
def proposals_close_due() -> None:
    """Every 5 minutes: close the proposals that are due (deadline passed, or everyone has answered) and
    apply the passed ones, remind voters without a stance a day before the deadline, and remind members
    of decisions whose review day has come. Idempotent (decision 0021)."""
    services.proposals_tick()


@periodic("47 3 * * *")
@task
def dissolved_groups_purge() -> None:
    """Daily: delete the content of groups dissolved more than MUTUA_DISSOLVED_RETENTION_DAYS ago,
    keeping a stub (decision 0021)."""
    services.dissolved_groups_purge()

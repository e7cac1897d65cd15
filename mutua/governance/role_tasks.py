"""Periodic work of the rotating roles (decision 0017), in its own module beside `tasks.py`, which
imports it so that `manage.py crontask` (which loads each app's `tasks.py`) finds it."""

from django.tasks import task
from django.utils import timezone

from mutua.core.periodic import periodic
from mutua.governance import roles


@periodic("*/15 * * * *")
@task
def roles_tick() -> int:
    """Every 15 minutes: pass on role offers nobody answered within a day, and offer the roles of the
    meetings in the next three days that have nobody for them yet. Idempotent."""
    return roles.roles_tick(now=timezone.now())

"""Periodic work of meetings (decision 0017)."""

from django.tasks import task
from django.utils import timezone

from mutua.core.periodic import periodic
from mutua.meetings import reminders


@periodic("*/5 * * * *")
@task
def meeting_reminders() -> int:
    """Every 5 minutes: remind each member of a meeting whose reminder time (the day before or two
    hours before, as they chose for that group) has come and which has not started, exactly once."""
    return reminders.reminders_send(now=timezone.now())

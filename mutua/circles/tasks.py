"""Periodic work of groups (decision 0017)."""

from django.tasks import task

from mutua.circles import services
from mutua.core.periodic import periodic


@periodic("*/5 * * * *")
@task
def seat_offers_tick() -> None:
    """Every 5 minutes: unanswered seat offers past their deadline go to the next person, and those
    whose offer ends soon are reminded once."""
    services.seat_offers_tick()

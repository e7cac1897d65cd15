"""Periodic work of groups (decision 0017)."""

from django.tasks import task

from mutua.circles import join_requests, services
from mutua.core.periodic import periodic


@periodic("*/5 * * * *")
@task
def seat_offers_tick() -> None:
    """Every 5 minutes: unanswered seat offers past their deadline go to the next person, and those
    whose offer ends soon are reminded once."""
    services.seat_offers_tick()


@periodic("37 3 * * *")
@task
def directory_slots_refresh() -> None:
    """Daily: recompute when every group meets for the directory's day and time filters (decision
    0019), since a day-of-month or custom rhythm falls on other weekdays as the months go by, and a
    rhythm that has ended leaves the filters."""
    services.slots_refresh_all()


@periodic("*/5 * * * *")
@task
def join_requests_tick() -> None:
    """Every 5 minutes: join requests whose time to answer is over, that every member answered, or whose
    group stopped reviewing newcomers are resolved (admitted, or "not this time")."""
    join_requests.join_requests_tick()

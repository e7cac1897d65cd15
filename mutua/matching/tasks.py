"""Background tasks of matching. They depend on `runs`, never the other way round (no import cycle)."""

from django.tasks import task

from mutua.core.periodic import periodic
from mutua.matching import runs


@task
def run_matching(run_id: int) -> None:
    runs.run_execute(run_id=run_id)


@periodic("*/5 * * * *")
@task
def proposals_tick() -> None:
    """Every 5 minutes: proposals past their deadline close, and those who have not answered one that
    closes soon are reminded once."""
    runs.proposals_tick()

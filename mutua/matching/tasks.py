"""Background tasks of matching. They depend on `runs`, never the other way round (no import cycle)."""

from django.tasks import task

from mutua.matching import runs


@task
def run_matching(run_id: int) -> None:
    runs.run_execute(run_id=run_id)

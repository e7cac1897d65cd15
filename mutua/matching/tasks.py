from django.tasks import task

from mutua.matching import services


@task
def run_matching(run_id: int) -> None:
    services.run_execute(run_id=run_id)

"""The scheduler runs each registered job at its interval; a failing job never stops the others."""

from django.core.management import call_command

from mutua.core import scheduler


def test_jobs_run_at_their_interval(db):
    calls = []
    jobs = [
        scheduler.Job("a", 10, lambda: calls.append("a")),
        scheduler.Job("b", 60, lambda: calls.append("b")),
    ]
    assert scheduler.run_due(jobs, now=100) == ["a", "b"]
    assert scheduler.run_due(jobs, now=105) == []
    assert scheduler.run_due(jobs, now=110) == ["a"]
    assert scheduler.run_due(jobs, now=160) == ["a", "b"]
    assert calls == ["a", "b", "a", "a", "b"]


def test_a_failing_job_is_logged_and_the_others_still_run(db, caplog):
    calls = []

    def broken():
        raise RuntimeError("boom")

    jobs = [scheduler.Job("broken", 5, broken), scheduler.Job("ok", 5, lambda: calls.append(1))]
    assert scheduler.run_due(jobs, now=0) == ["broken", "ok"]
    assert calls == [1] and "scheduled job broken failed" in caplog.text
    assert scheduler.run_due(jobs, now=5) == ["broken", "ok"]  # retried at its next turn


def test_run_forever_loops_until_told_to_stop(db):
    calls, ticks = [], iter(range(100))
    jobs = [scheduler.Job("a", 2, lambda: calls.append(1))]
    rounds = iter([True, True, True, True, False])
    scheduler.run_forever(
        jobs, clock=lambda: float(next(ticks)), sleep=lambda s: None, keep_going=lambda: next(rounds)
    )
    assert calls == [1, 1]  # at t=0 and t=2 of t=0..3


def test_registered_jobs_are_importable_and_the_command_runs_them_once(db, settings):
    settings.MUTUA_SCHEDULED_JOBS = [*settings.MUTUA_SCHEDULED_JOBS]
    paths = [job.path for job in scheduler.registered_jobs()]
    assert "mutua.circles.services.seat_offers_tick" in paths
    assert "mutua.matching.services.proposals_tick" in paths
    import io

    out = io.StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert out.getvalue().count("ran ") == len(paths)

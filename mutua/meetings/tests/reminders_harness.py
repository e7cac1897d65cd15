"""Steps that a separate process runs on a database shared with real task workers, for the meeting
reminder tests of test_reminders_processes.py (`python -m mutua.meetings.tests.reminders_harness STEP`).
The mail side (a slow file backend, the processes, the shared database) is the scheduler's harness in
mutua/notifications/tests. Nothing here is used by Mutua itself."""

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

GROUP_SIZE = 5


def _setup(count: int) -> dict[str, Any]:
    """`count` members to remind, in groups of five meeting three hours from now (the day-before
    moment has come), each group with one member who chose no reminder and one person on its waiting
    list beside them. Returns the once_keys due now."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from mutua.circles.models import Circle, Experience, ExperienceFamily, Membership
    from mutua.meetings.models import MeetingPreference, Reminder
    from mutua.meetings.reminders import reminders_due

    User = get_user_model()
    names = {f"name_{lang}": "Experience" for lang in ("en", "es", "it", "ca")}
    family = ExperienceFamily.objects.create(slug="family", **names)
    experience = Experience.objects.create(family=family, slug="experience", **names)
    start = (timezone.now() + timedelta(hours=3)).astimezone(timezone.get_fixed_timezone(0))
    person = 0

    def user() -> Any:
        nonlocal person
        person += 1
        return User.objects.create(email=f"member{person}@example.org", email_verified=True)

    for g in range((count + GROUP_SIZE - 1) // GROUP_SIZE):
        circle = Circle.objects.create(
            name=f"Group {g}",
            experience=experience,
            mode="online",
            description="A group.",
            status="active",
            timezone="UTC",
            schedule_kind="weekly",
            schedule_start_date=start.date() - timedelta(weeks=4),
            schedule_start_time=start.time().replace(second=0, microsecond=0),
            schedule_weekday=start.weekday(),
        )
        for i in range(min(GROUP_SIZE, count - g * GROUP_SIZE)):
            Membership.objects.create(circle=circle, user=user(), status="member", pseudonym=f"m{i}")
        quiet = Membership.objects.create(circle=circle, user=user(), status="member", pseudonym="quiet")
        MeetingPreference.objects.create(membership=quiet, reminder=Reminder.NONE)
        Membership.objects.create(circle=circle, user=user(), status="waiting", pseudonym="waiting")
    return {"due": sorted(d.once_key for d in reminders_due(now=timezone.now()))}


def _tick(hang_at: int, marker: str) -> int:
    """The reminder tick, as the periodic task runs it. With `hang_at`, the hang_at-th reminder is
    written inside its transaction and then the process stops dead (it writes `marker` and waits to be
    killed): a worker killed in the middle of a batch."""
    from django.utils import timezone

    from mutua.meetings import reminders

    if hang_at:
        real = reminders.notify
        calls = 0

        def notify_then_hang(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            n = real(*args, **kwargs)
            if calls == hang_at:
                Path(marker).write_text(str(os.getpid()))
                time.sleep(600)
            return n

        reminders.notify = notify_then_hang  # type: ignore[assignment]
    return reminders.reminders_send(now=timezone.now())


def _enqueue_tick(turns: int) -> list[str]:
    """What the scheduler does at each turn: queue the periodic task (several turns at once: two
    schedulers by mistake, or a late turn meeting the next)."""
    from django.db import transaction

    from mutua.meetings.tasks import meeting_reminders

    with transaction.atomic():
        return [str(meeting_reminders.enqueue().id) for _ in range(turns)]


def _state() -> dict[str, Any]:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from mutua.notifications.models import Kind, Notification
    from mutua.notifications.tasks import message_id

    rows = Notification.objects.filter(kind=Kind.MEETING_REMINDER)
    ticks = DBTaskResult.objects.filter(task_path="mutua.meetings.tasks.meeting_reminders")
    sends = DBTaskResult.objects.filter(task_path="mutua.notifications.tasks.send_notification_email")
    return {
        "reminders": {message_id(n): n.once_key for n in rows},
        "states": dict(rows.values_list("email_state").annotate(n=Count("pk"))),
        "attempts": dict(Counter(rows.values_list("email_attempts", flat=True))),
        "ticks": [
            {
                "status": t.status,
                "returned": t.return_value,
                "workers": t.worker_ids,
                "started": t.started_at.timestamp() if t.started_at else None,
                "finished": t.finished_at.timestamp() if t.finished_at else None,
            }
            for t in ticks.order_by("enqueued_at")
        ],
        "sends": dict(sends.values_list("status").annotate(n=Count("pk"))),
    }


def main(argv: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutua.settings")
    django.setup()
    from mutua.notifications import services

    step = argv[0]
    out: Any
    if step == "setup":
        out = _setup(int(argv[1]))
    elif step == "tick":
        out = _tick(int(argv[1]) if len(argv) > 1 else 0, argv[2] if len(argv) > 2 else "")
    elif step == "enqueue-tick":
        out = _enqueue_tick(int(argv[1]))
    elif step == "retry":
        out = services.emails_retry()
    elif step == "state":
        out = _state()
    else:
        raise SystemExit(f"unknown step {step}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])

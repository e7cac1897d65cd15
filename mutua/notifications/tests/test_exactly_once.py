"""Exactly once, in one process: a once-only notification is created once even when two processes race
past the "already there?" read; an email is claimed by one worker only; a dead worker's claim is taken
again; a failure is tried again after growing pauses and then given up; the retry job queues again
exactly what is stuck. (Real worker processes: test_worker_processes.py.)"""

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import client_for
from mutua.notifications import services, tasks
from mutua.notifications.models import EmailState, Kind, Notification
from mutua.notifications.tests.conftest import free_a_seat
from mutua.notifications.tests.harness import SMTPResponder

SEND_TASK = "mutua.notifications.tasks.send_notification_email"


@pytest.fixture
def queued(make_user):
    """A notification whose email is queued and not yet taken by any worker (the test's transaction
    never commits, so its task is never queued)."""
    n = services.notify(make_user(), Kind.SEAT_OFFER_EXPIRING, url="/inbox/")
    assert n.email_state == EmailState.QUEUED
    return n


@pytest.fixture
def refusing_mail(monkeypatch):
    from django.core.mail.backends import locmem

    def refuse(self, messages):
        raise SMTPException("451 try again later")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)


def test_a_racing_duplicate_reminder_is_refused_by_the_database(make_user, monkeypatch):
    user = make_user()
    first = services.notify(user, Kind.PROPOSAL_DEADLINE, url="/find/", once_key="race:1")
    # The second process read "not there yet" just before the first one's insert committed.
    monkeypatch.setattr(services, "_already_notified", lambda **kw: False)
    second = services.notify(user, Kind.PROPOSAL_DEADLINE, url="/find/", once_key="race:1")
    assert first is not None and second is None
    assert Notification.objects.filter(user=user, once_key="race:1").count() == 1
    # Without a key nothing is deduplicated: two events are two notifications.
    services.notify(user, Kind.JOIN_CONFIRMED, url="/find/")
    services.notify(user, Kind.JOIN_CONFIRMED, url="/find/")
    assert Notification.objects.filter(user=user, kind=Kind.JOIN_CONFIRMED).count() == 2


def test_only_one_of_two_workers_claims_an_email(queued):
    claimed = services.email_claim(notification_id=queued.pk)
    assert claimed is not None and claimed.email_state == EmailState.SENDING
    assert services.email_claim(notification_id=queued.pk) is None  # the second worker's task
    queued.refresh_from_db()
    assert queued.email_attempts == 1 and queued.email_claimed_at is not None


def test_a_sent_email_is_never_sent_again_by_a_second_task(queued):
    assert tasks.send_notification_email.call(queued.pk) is True
    assert tasks.send_notification_email.call(queued.pk) is False
    assert services.emails_retry() == 0
    assert len(mail.outbox) == 1
    queued.refresh_from_db()
    assert queued.email_state == EmailState.SENT and queued.email_attempts == 1


def test_a_dead_workers_claim_is_taken_again_only_once_stale(queued, settings):
    assert services.email_claim(notification_id=queued.pk) is not None  # this worker then dies
    assert services.emails_retry() == 0  # a live worker may still be sending it
    assert services.email_claim(notification_id=queued.pk) is None
    before_timeout = timezone.now() - timedelta(seconds=settings.MUTUA_EMAIL_CLAIM_TIMEOUT_SECONDS - 5)
    Notification.objects.filter(pk=queued.pk).update(email_claimed_at=before_timeout)
    assert services.emails_retry() == 0
    after_timeout = timezone.now() - timedelta(seconds=settings.MUTUA_EMAIL_CLAIM_TIMEOUT_SECONDS + 5)
    Notification.objects.filter(pk=queued.pk).update(email_claimed_at=after_timeout)
    assert services.emails_retry() == 1  # queued again, and (tasks run inline in tests) sent
    queued.refresh_from_db()
    assert queued.email_state == EmailState.SENT and queued.email_attempts == 2
    assert len(mail.outbox) == 1


def test_a_worker_presumed_dead_cannot_overwrite_the_claim_that_replaced_its_own(queued, settings):
    slow = services.email_claim(notification_id=queued.pk)
    stale = timezone.now() - timedelta(seconds=settings.MUTUA_EMAIL_CLAIM_TIMEOUT_SECONDS + 5)
    Notification.objects.filter(pk=queued.pk).update(email_claimed_at=stale)
    slow.email_claimed_at = stale
    taker = services.email_claim(notification_id=queued.pk)
    assert taker is not None and taker.email_attempts == 2
    services.email_failed(notification=slow)  # the slow worker comes back with a failure
    queued.refresh_from_db()
    assert queued.email_state == EmailState.SENDING and queued.email_claimed_at == taker.email_claimed_at
    services.email_sent(notification=taker)
    queued.refresh_from_db()
    assert queued.email_state == EmailState.SENT and queued.email_next_at is None


def test_failures_are_retried_after_growing_pauses_then_given_up(queued, refusing_mail, settings):
    settings.MUTUA_EMAIL_BACKOFF_SECONDS = [60, 300, 1800]
    pauses = []
    for attempt in range(1, 5):
        Notification.objects.filter(pk=queued.pk).update(email_next_at=timezone.now())  # due
        before = timezone.now()
        assert tasks.send_notification_email.call(queued.pk) is False
        queued.refresh_from_db()
        assert queued.email_attempts == attempt and queued.email_state == EmailState.FAILED
        if queued.email_next_at is not None:
            pauses.append(round((queued.email_next_at - before).total_seconds()))
            # Not due yet: a task that runs early does not touch the mail server.
            assert services.email_claim(notification_id=queued.pk) is None
    assert pauses == [60, 300, 1800] and queued.email_next_at is None  # 4 attempts, then given up
    Notification.objects.filter(pk=queued.pk).update(email_next_at=timezone.now())
    assert services.email_claim(notification_id=queued.pk) is None  # no attempt left
    assert Notification.objects.filter(pk=queued.pk, read_at__isnull=True).exists()  # still in the inbox


def test_the_retry_job_queues_again_exactly_what_is_stuck(make_user, settings):
    now = timezone.now()
    stale = now - timedelta(seconds=settings.MUTUA_EMAIL_CLAIM_TIMEOUT_SECONDS + 60)
    cases = {
        "queued just now": dict(email_state=EmailState.QUEUED, created_at=now),
        "queued long ago": dict(email_state=EmailState.QUEUED, created_at=stale),
        "being sent": dict(email_state=EmailState.SENDING, email_claimed_at=now, email_attempts=1),
        "claimed by a dead worker": dict(
            email_state=EmailState.SENDING, email_claimed_at=stale, email_attempts=1
        ),
        "failed, due": dict(email_state=EmailState.FAILED, email_next_at=now, email_attempts=1),
        "failed, not due": dict(
            email_state=EmailState.FAILED, email_next_at=now + timedelta(minutes=5), email_attempts=1
        ),
        "given up": dict(email_state=EmailState.FAILED, email_next_at=None, email_attempts=6),
        "sent": dict(email_state=EmailState.SENT, email_attempts=1),
        "too old": dict(email_state=EmailState.FAILED, email_next_at=now, created_at=now - timedelta(days=2)),
    }
    rows = {}
    for name, fields in cases.items():
        n = Notification.objects.create(user=make_user(), kind=Kind.SEAT_OFFER_EXPIRING, url="/inbox/")
        Notification.objects.filter(pk=n.pk).update(**fields)
        rows[name] = n.pk
    assert services.emails_retry() == 3
    sent = set(Notification.objects.filter(email_state=EmailState.SENT).values_list("pk", flat=True))
    assert sent == {
        rows["queued long ago"],
        rows["claimed by a dead worker"],
        rows["failed, due"],
        rows["sent"],
    }
    assert len(mail.outbox) == 3


def test_a_request_only_queues_the_email_and_a_refusing_server_is_retried_until_it_accepts(
    full_group, settings, django_capture_on_commit_callbacks
):
    """The real SMTP backend against a local server that refuses twice (421, then 451) and then
    accepts, with the database task queue as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    smtp = SMTPResponder(["421", "451"])
    settings.MAILERS = {"default": smtp.mailer()}
    try:
        circle, leaving = full_group["circle"], full_group["members"][-1]
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(leaving).post(f"/groups/{circle.code}/leave/")
        # The request freed a seat, offered it and queued the email: it never spoke to the server.
        assert response.status_code == 302 and smtp.sessions == []
        n = Notification.objects.get(user=full_group["first"], kind=Kind.SEAT_OFFERED)
        assert n.email_state == EmailState.QUEUED
        assert DBTaskResult.objects.filter(task_path=SEND_TASK, status="READY").count() == 1

        def worker_runs_it() -> bool:
            return tasks.send_notification_email.call(n.pk)

        assert worker_runs_it() is False  # 421
        n.refresh_from_db()
        assert n.email_state == EmailState.FAILED and n.email_attempts == 1
        # The next attempt is a task deferred by the first pause (DatabaseBackend can wait).
        deferred = DBTaskResult.objects.filter(task_path=SEND_TASK, run_after=n.email_next_at)
        assert deferred.count() == 1
        assert worker_runs_it() is False and len(smtp.sessions) == 1  # too early: the server is left alone

        for expected in (False, True):  # 451, then accepted
            Notification.objects.filter(pk=n.pk).update(email_next_at=timezone.now())
            assert worker_runs_it() is expected
        assert worker_runs_it() is False  # nothing left to send
        n.refresh_from_db()
        assert n.email_state == EmailState.SENT and n.email_attempts == 3 and n.read_at is None
        assert len(smtp.sessions) == 3 and len(smtp.accepted) == 1
        assert f"Message-ID: {tasks.message_id(n)}".encode() in smtp.accepted[0]
    finally:
        smtp.close()


def test_one_duplicate_at_worst_carries_the_same_message_id(queued):
    """The documented window (a worker dies after the server accepted, before it wrote "sent"): the
    second copy is recognisable as the same message."""
    assert tasks.send_notification_email.call(queued.pk) is True
    Notification.objects.filter(pk=queued.pk).update(
        email_state=EmailState.SENDING, email_claimed_at=timezone.now() - timedelta(days=1)
    )
    assert tasks.send_notification_email.call(queued.pk) is True
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(ids) == 2 and ids[0] == ids[1] == tasks.message_id(queued)


def test_the_seat_offer_sends_its_email_from_the_queue_not_the_request(
    full_group, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        free_a_seat(full_group)
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(task_path=SEND_TASK).count() == 1

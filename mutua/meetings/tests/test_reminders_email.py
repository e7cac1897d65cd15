"""A meeting reminder as the person receives it: a neutral email in their language (no group name,
experience, pseudonym or code in the subject, body, sender or link, and no meeting time), whose link
opens the meeting page after logging in; the inbox says when the meeting starts; a mail server that
refuses is tried again with backoff and the reminder is never lost."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from conftest import client_for
from mutua.circles.models import Experience, Membership
from mutua.meetings.reminders import reminders_send
from mutua.meetings.selectors import key_slug
from mutua.notifications import services as notification_services
from mutua.notifications import tasks as notification_tasks
from mutua.notifications.models import EmailState, Kind, Notification
from mutua.notifications.tests.harness import SMTPResponder
from mutua.notifications.texts import text_for

SEND_TASK = "mutua.notifications.tasks.send_notification_email"


def secrets_of(circle) -> list[str]:
    """Everything that could point to the group: its name, code and description, its experience in
    every language, the members' pseudonyms."""
    experience = Experience.objects.get(pk=circle.experience_id)
    names = [getattr(experience, f"name_{lang}") for lang in ("en", "es", "it", "ca")]
    pseudonyms = list(Membership.objects.filter(circle=circle).values_list("pseudonym", flat=True))
    return [circle.name, circle.code, circle.description, *names, *pseudonyms]


@pytest.fixture
def refusing_then_accepting_mail(settings):
    smtp = SMTPResponder(["421"])
    settings.MAILERS = {"default": smtp.mailer()}
    yield smtp
    smtp.close()


@pytest.mark.parametrize("language", ["es", "it", "ca", "en"])
def test_the_reminder_email_is_neutral_and_in_the_members_language(
    language, group_at, make_user, django_capture_on_commit_callbacks
):
    g = group_at(60 * 20, name="Lighthouse of Tuesdays")
    g.ana.language = language
    g.ana.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=timezone.now()) == 3
    message = next(m for m in mail.outbox if m.to == [g.ana.email])
    text = text_for(Kind.MEETING_REMINDER)
    with translation.override(language):
        assert message.subject == str(text.title)
        assert str(text.body) in message.body
        assert translation.gettext("See it here (you may need to log in first):") in message.body
    for secret in secrets_of(g.circle):
        for part in (message.subject, message.body, message.from_email, str(message.extra_headers)):
            assert secret not in part, (secret, part)
    # No meeting time either: with the directory's day and time filters, it could point to the group.
    local = g.key.astimezone(ZoneInfo(g.ana.timezone))
    assert local.strftime("%H:%M") not in message.body and local.strftime("%-H:%M") not in message.body
    assert "/meetings/" not in message.body and "/groups/" not in message.body

    # The link names the notification; behind login it opens the meeting page, for her alone.
    n = Notification.objects.get(user=g.ana, kind=Kind.MEETING_REMINDER)
    links = re.findall(r"https?://\S+", message.body)
    assert links[0] == f"{django_settings.SITE_URL}/inbox/{n.code}/open/"
    path = links[0].removeprefix(django_settings.SITE_URL)
    meeting_page = f"/groups/{g.circle.code}/meetings/{key_slug(g.key)}/"
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_for(g.ben).get(path).status_code == 404  # another member's link
    client = client_for(g.ana)
    opened = client.get(path)
    assert opened.status_code == 302 and opened["Location"] == meeting_page
    assert client.get(meeting_page).status_code == 200
    n.refresh_from_db()
    assert n.read_at is None  # a GET changes nothing; the inbox's button marks it read


def test_the_inbox_says_when_the_meeting_starts_not_that_it_waits_for_an_answer(group_at):
    g = group_at(60 * 20)
    reminders_send(now=timezone.now())
    body = client_for(g.ana).get("/inbox/").content.decode()
    assert "It starts on" in body and "waits for your answer" not in body
    assert str(text_for(Kind.MEETING_REMINDER).title) in body


def test_a_refusing_mail_server_is_retried_and_no_reminder_is_lost(
    group_at, settings, django_capture_on_commit_callbacks
):
    """The real SMTP backend and the database task queue, as in production: the tick only queues the
    emails; a local server refuses the first two sessions (421 at the greeting, 451 at the sender) and
    accepts the rest; each failed email is tried again after its pause, and each is accepted once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    smtp = SMTPResponder(["421", "451"])
    settings.MAILERS = {"default": smtp.mailer()}
    try:
        g = group_at(60 * 20)
        with django_capture_on_commit_callbacks(execute=True):
            due = reminders_send(now=timezone.now())
        assert due == 3 and smtp.sessions == []  # the tick never waits for the mail server
        reminders = Notification.objects.filter(kind=Kind.MEETING_REMINDER)
        assert DBTaskResult.objects.filter(task_path=SEND_TASK, status="READY").count() == 3

        before = timezone.now()
        results = [notification_tasks.send_notification_email.call(n.pk) for n in reminders]
        assert sorted(results) == [False, False, True]
        failed = list(reminders.filter(email_state=EmailState.FAILED))
        assert len(failed) == 2
        for n in failed:  # the first pause (1 minute), with a task deferred to then
            assert timedelta(seconds=59) <= n.email_next_at - before <= timedelta(seconds=61)
            assert DBTaskResult.objects.filter(task_path=SEND_TASK, run_after=n.email_next_at).exists()
            assert notification_tasks.send_notification_email.call(n.pk) is False  # too early: untouched
        assert len(smtp.sessions) == 3
        reminders.filter(email_state=EmailState.FAILED).update(email_next_at=timezone.now())  # time passes
        for n in failed:
            assert notification_tasks.send_notification_email.call(n.pk) is True
        assert notification_services.emails_retry() == 0  # nothing left behind

        states = sorted(reminders.values_list("email_state", "email_attempts"))
        assert states == [(EmailState.SENT, 1), (EmailState.SENT, 2), (EmailState.SENT, 2)]
        ids = [re.search(rb"Message-ID: (\S+)", m).group(1) for m in smtp.accepted]
        print(
            f"\nrefusing server, meeting reminders: due {due}, sent {len(smtp.accepted)}, "
            f"sessions {len(smtp.sessions)} (2 refused), duplicates {len(ids) - len(set(ids))}"
        )
        assert len(smtp.accepted) == 3 and len(set(ids)) == 3
        assert {u for u in reminders.values_list("user_id", flat=True)} == {g.founder.pk, g.ana.pk, g.ben.pk}
        assert reminders.filter(read_at__isnull=True).count() == 3  # and all still in the inbox
    finally:
        smtp.close()


def test_a_reminder_email_still_failing_when_the_meeting_starts_is_dropped_not_sent_late(
    group_at, refusing_then_accepting_mail, monkeypatch
):
    """Retries go on for hours (1 min … 6 h): a two-hours reminder must not arrive after the meeting
    began. Its email is dropped at the start; the reminder stays in the inbox."""
    g = group_at(60 * 20)
    reminders_send(now=timezone.now())
    n = Notification.objects.filter(kind=Kind.MEETING_REMINDER).first()
    assert notification_tasks.send_notification_email.call(n.pk) is False  # refused
    n.refresh_from_db()
    assert n.email_state == EmailState.FAILED and n.email_next_at is not None
    monkeypatch.setattr(timezone, "now", lambda: g.key)  # the meeting starts; the retry is due
    assert notification_tasks.send_notification_email.call(n.pk) is False
    n.refresh_from_db()
    assert n.email_state == EmailState.NONE and n.read_at is None
    assert refusing_then_accepting_mail.accepted == [] and len(refusing_then_accepting_mail.sessions) == 1
    notification_services.emails_retry()  # the safety net does not send it either
    n.refresh_from_db()
    assert n.email_state == EmailState.NONE and refusing_then_accepting_mail.accepted == []

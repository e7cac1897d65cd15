"""notify(): one inbox row per event, an email only when the person wants it, in their language, with
neutral words (P7), and a failure to queue or send never loses the row or breaks the request."""

from smtplib import SMTPException

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from conftest import client_for
from mutua.notifications import services
from mutua.notifications.models import EmailState, Kind, Notification, Preference
from mutua.notifications.tests.conftest import free_a_seat
from mutua.notifications.texts import TEXTS


def test_every_kind_has_a_text_and_a_label():
    assert set(TEXTS) == set(Kind.values)


def test_notify_records_a_row_and_emails_a_time_critical_kind_by_default(
    make_user, django_capture_on_commit_callbacks
):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        n = services.notify(user, Kind.SEAT_OFFERED, url="/inbox/")
    n.refresh_from_db()
    assert n.user == user and n.read_at is None and n.email_state == EmailState.SENT
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert "/inbox/" in mail.outbox[0].body


def test_in_app_only_kinds_send_no_email_by_default(make_user, django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        n = services.notify(user, Kind.JOIN_CONFIRMED, url="/me/groups/")
    assert Notification.objects.filter(pk=n.pk, email_state=EmailState.NONE).exists()
    assert mail.outbox == []


def test_preferences_are_respected_both_ways(make_user, django_capture_on_commit_callbacks):
    user = make_user()
    services.preferences_set(user=user, email={Kind.SEAT_OFFERED: False, Kind.JOIN_CONFIRMED: True})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(user, Kind.SEAT_OFFERED, url="/inbox/")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(user, Kind.JOIN_CONFIRMED, url="/inbox/")
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=user).count() == 2  # both are in the inbox either way


def test_no_email_before_the_transaction_commits(make_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(make_user(), Kind.SEAT_OFFERED, url="/inbox/")
    assert mail.outbox == [] and len(callbacks) == 1


def test_once_key_makes_a_notification_happen_once(make_user):
    user = make_user()
    assert services.notify(user, Kind.PROPOSAL_DEADLINE, url="/find/", once_key="k1") is not None
    assert services.notify(user, Kind.PROPOSAL_DEADLINE, url="/find/", once_key="k1") is None
    assert services.notify(make_user(), Kind.PROPOSAL_DEADLINE, url="/find/", once_key="k1") is not None
    assert Notification.objects.filter(once_key="k1").count() == 2


def test_notify_refuses_a_link_outside_the_site(make_user):
    for url in ("https://example.org/", "//example.org/x", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            services.notify(make_user(), Kind.SEAT_OFFERED, url=url)


def test_email_is_in_the_recipients_language_and_time_zone(make_user, django_capture_on_commit_callbacks):
    import datetime as dt

    user = make_user(language="es", timezone="America/Mexico_City")
    due = dt.datetime(2026, 12, 3, 18, 0, tzinfo=dt.UTC)  # 12:00 in Mexico City
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(user, Kind.SEAT_OFFERED, url="/inbox/", due_at=due)
    with translation.override("es"):
        hello = gettext("Hello,")
    assert hello != "Hello,"  # the catalogue has it, so the check below means something
    body = mail.outbox[0].body
    assert body.startswith(hello)
    assert "12:00" in body and "18:00" not in body


def test_no_group_name_topic_or_pseudonym_in_any_email(full_group, django_capture_on_commit_callbacks):
    """P7: emails say that something happened, never where. Every kind is sent to the person offered a
    seat in a group whose name, topic (in every language) and pseudonyms we then look for."""
    circle, person = full_group["circle"], full_group["first"]
    with django_capture_on_commit_callbacks(execute=True):
        free_a_seat(full_group)  # a seat offer, by the real event
    services.preferences_set(user=person, email=dict.fromkeys(Kind.values, True))
    for kind in Kind.values:
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(person, kind, url=f"/groups/{circle.code}/status/")
    mine = [m for m in mail.outbox if m.to == [person.email]]
    assert len(mine) == len(Kind.values) + 1
    forbidden = [circle.name, circle.code, *circle.memberships.values_list("pseudonym", flat=True)]
    forbidden += [getattr(circle.experience, f"name_{lang}") for lang in ("en", "es", "it", "ca")]
    forbidden += [getattr(circle.experience.family, f"name_{lang}") for lang in ("en", "es", "it", "ca")]
    for message in mine:
        text = f"{message.subject}\n{message.body}\n{message.from_email}"
        leaked = [word for word in forbidden if word.lower() in text.lower()]
        assert leaked == [], (message.subject, leaked)


def test_a_mail_server_that_fails_keeps_the_notification_and_the_request(
    full_group, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail.backends import locmem

    def refuse(self, messages):
        raise SMTPException("mail server down")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)
    circle, leaving = full_group["circle"], full_group["members"][-1]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(leaving).post(f"/groups/{circle.code}/leave/")
    assert response.status_code == 302 and callbacks  # the email was attempted after the commit
    n = Notification.objects.get(user=full_group["first"], kind=Kind.SEAT_OFFERED)
    assert n.email_state == EmailState.FAILED and n.read_at is None
    assert (
        client_for(full_group["first"])
        .get("/inbox/")
        .content.decode()
        .count(str(TEXTS[Kind.SEAT_OFFERED].title))
    )


def test_a_task_queue_that_refuses_keeps_the_notification_and_the_request(
    full_group, monkeypatch, django_capture_on_commit_callbacks
):
    from mutua.notifications import tasks

    class Refusing:
        def enqueue(self, *args, **kwargs):
            raise RuntimeError("queue unavailable")

    monkeypatch.setattr(tasks, "send_notification_email", Refusing())
    circle, leaving = full_group["circle"], full_group["members"][-1]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(leaving).post(f"/groups/{circle.code}/leave/")
    assert response.status_code == 302 and callbacks  # the email was attempted after the commit
    n = Notification.objects.get(user=full_group["first"], kind=Kind.SEAT_OFFERED)
    assert n.email_state == EmailState.FAILED
    assert mail.outbox == []


def test_no_email_to_an_unverified_or_inactive_address(make_user, django_capture_on_commit_callbacks):
    quiet = [make_user(verified=False), make_user(is_active=False)]
    with django_capture_on_commit_callbacks(execute=True):
        for user in quiet:
            services.notify(user, Kind.SEAT_OFFERED, url="/inbox/")
    assert mail.outbox == []
    assert Notification.objects.filter(user__in=quiet).count() == 2


def test_preferences_refuse_an_unknown_kind(make_user):
    from mutua.core.errors import DomainError

    with pytest.raises(DomainError):
        services.preferences_set(user=make_user(), email={"group_topic": True})
    assert not Preference.objects.exists()


def test_a_failed_email_is_retried_a_few_times_then_left(
    make_user, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail.backends import locmem
    from django.utils import timezone

    original = locmem.EmailBackend.send_messages

    def refuse(self, messages):
        raise SMTPException("mail server down")

    def due_now(n):
        Notification.objects.filter(pk=n.pk).update(email_next_at=timezone.now())

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        n = services.notify(user, Kind.SEAT_OFFERED, url="/inbox/")
    assert services.emails_retry() == 0  # failed, but its next attempt is not due yet
    for _ in range(8):  # the server stays down: every attempt allowed, then it is left failed
        due_now(n)
        with django_capture_on_commit_callbacks(execute=True):
            services.emails_retry()
    n.refresh_from_db()
    assert n.email_state == EmailState.FAILED and n.email_attempts == services.email_max_attempts()
    assert n.email_next_at is None and n.read_at is None

    other = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        m = services.notify(other, Kind.PROPOSAL_RECEIVED, url="/inbox/")
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", original)  # the server is back
    due_now(m)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.emails_retry() == 1
    m.refresh_from_db()
    assert m.email_state == EmailState.SENT and m.email_attempts == 2
    assert [msg.to for msg in mail.outbox] == [[other.email]]


def test_a_failed_email_is_not_retried_once_the_person_turned_email_off(
    make_user, monkeypatch, django_capture_on_commit_callbacks
):
    user = make_user()
    n = services.notify(user, Kind.SEAT_OFFERED, url="/inbox/")
    Notification.objects.filter(pk=n.pk).update(
        email_state=EmailState.FAILED, email_attempts=1, email_next_at=n.created_at
    )
    services.preferences_set(user=user, email={Kind.SEAT_OFFERED: False})
    with django_capture_on_commit_callbacks(execute=True):
        assert services.emails_retry() == 0
    n.refresh_from_db()
    assert mail.outbox == [] and n.email_state == EmailState.FAILED

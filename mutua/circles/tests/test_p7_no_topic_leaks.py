"""P7: page titles, URLs and emails never reveal a group's topic or content."""

import re

from django.core import mail

from conftest import client_for, join


def title(body: str) -> str:
    return re.search(r"<title>(.*?)</title>", body, re.S).group(1)


def test_group_page_titles_and_urls_do_not_name_the_group_or_its_experience(make_circle, make_user, content):
    circle = make_circle(name="Grief Thursdays")
    person = make_user()
    join(circle, person)
    c = client_for(person)
    for path in (
        f"/groups/{circle.code}/",
        f"/groups/{circle.code}/home/",
        f"/groups/{circle.code}/leave/",
        f"/groups/{circle.code}/join/",
    ):
        body = c.get(path, follow=True).content.decode()
        t = title(body)
        assert "Grief" not in t and content["child"].name not in t, (path, t)
    assert "grief" not in circle.code.lower()


def test_joining_and_leaving_send_no_email(make_circle, make_user, django_capture_on_commit_callbacks):
    circle = make_circle()
    person = make_user()
    from mutua.circles.services import membership_leave

    with django_capture_on_commit_callbacks(execute=True):
        join(circle, person)
        membership_leave(circle=circle, user=person)
    assert mail.outbox == []


def test_audit_rows_hold_no_names_or_content(make_circle, make_user):
    from mutua.core.models import AuditEvent

    circle = make_circle(name="Secret Topic Group")
    join(circle, make_user(), "Hidden Pseudonym")
    for event in AuditEvent.objects.all():
        text = f"{event.action} {event.data}"
        assert "Secret" not in text and "Hidden" not in text

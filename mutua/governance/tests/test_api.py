"""The proposals in the JSON API: the same services and gate as the pages. Results are null while a
proposal is open (no other member's stance or reason in the answer); errors are the API's usual
400/404/409; the person a removal is about reads it and answers, but takes no stance."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import client_for, join
from mutua.circles import services as circle_services
from mutua.governance import services
from mutua.governance.models import Comment, Proposal, ProposalStance, ProposalStatus
from mutua.governance.tests.adoption import adopt
from mutua.governance.tests.groups import after
from mutua.meetings.schedule import weekly

pytestmark = pytest.mark.django_db


def url(g: Any, suffix: str = "") -> str:
    return f"/api/v1/groups/{g.circle.code}/proposals{suffix}"


def send(client: Any, method: str, path: str, body: Any = None) -> Any:
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


def close_now(p: Proposal) -> Proposal:
    assert services.proposal_close(proposal_id=p.pk, now=after(p)) is not None
    p.refresh_from_db()
    return p


def test_open_a_question_and_read_it_back(group: Any) -> None:
    g = group(4)
    c = client_for(g.users[1])
    r = send(c, "post", url(g), {"kind": "question", "title": "Tea?", "body": "Or coffee.", "days": 3})
    assert r.status_code == 201, r.content
    body = r.json()
    p = Proposal.objects.get()
    assert body["code"] == p.code and body["status"] == "open" and body["results"] is None
    assert (body["opened_by"], body["voters"], body["answered"], body["can_vote"]) == ("M1", 4, 0, True)
    assert abs((p.deadline - p.opened_at) - timedelta(days=3)) < timedelta(seconds=5)
    listed = send(c, "get", url(g)).json()
    assert [row["code"] for row in listed] == [p.code]
    assert listed[0]["awaiting_my_stance"] is True and listed[0]["passed"] is None


@pytest.mark.parametrize(
    "extra,stored",
    [
        (
            {"kind": "agreements", "agreements": [{"title": "Phones", "text": "Away."}]},
            {"items": [{"title": "Phones", "text": "Away."}]},
        ),
        ({"kind": "capacity", "max_members": 8}, {"max_members": 8}),
        ({"kind": "openness", "openness": "review"}, {"openness": "review"}),
        ({"kind": "dissolution"}, {}),
    ],
)
def test_each_kind_carries_its_payload(group: Any, extra: dict[str, Any], stored: dict[str, Any]) -> None:
    g = group(3, max_members=6)
    r = send(client_for(g.users[0]), "post", url(g), {"title": "A change"} | extra)
    assert r.status_code == 201, r.content
    assert Proposal.objects.get().payload == stored == r.json()["payload"]


def test_a_schedule_proposal_takes_the_meetings_schedule_fields(group: Any) -> None:
    g = group(3)
    start = (timezone.localdate() + timedelta(days=5)).isoformat()
    schedule = {
        "kind": "weekly",
        "weekday": 2,
        "start_date": start,
        "start_time": "18:00",
        "duration_minutes": 60,
        "timezone": "Europe/Madrid",
    }
    r = send(
        client_for(g.users[0]), "post", url(g), {"kind": "schedule", "title": "Wed", "schedule": schedule}
    )
    assert r.status_code == 201, r.content
    payload = Proposal.objects.get().payload
    assert (payload["weekday"], payload["start_time"], payload["duration_minutes"]) == (2, "18:00", 60)


def test_a_professional_invitation_has_a_purpose_and_a_period(group: Any) -> None:
    g = group(3)
    starts = timezone.localdate() + timedelta(days=3)
    body = {
        "kind": "professional",
        "title": "A talk",
        "professional": {"purpose": "Grief talk", "starts": starts.isoformat(), "ends": starts.isoformat()},
    }
    assert send(client_for(g.users[0]), "post", url(g), body).status_code == 201
    assert Proposal.objects.get().payload["purpose"] == "Grief talk"


def test_a_removal_names_the_member_by_pseudonym(group: Any) -> None:
    g = group(4)
    c = client_for(g.users[0])
    r = send(
        c, "post", url(g), {"kind": "removal", "title": "About M2", "subject": "M2", "process": "majority"}
    )
    assert r.status_code == 201, r.content
    p = Proposal.objects.get()
    assert (p.subject.user, p.process) == (g.users[2], "consent")
    assert r.json()["subject"] == "M2"


@pytest.mark.parametrize(
    "body,message",
    [
        ({"kind": "removal", "title": "x", "subject": "Nobody"}, "Choose a current member of the group."),
        ({"kind": "removal", "title": "x", "subject": "M0"}, "Choose a current member of the group."),
        ({"kind": "removal", "title": "x"}, "Choose a current member of the group."),
        ({"kind": "question", "title": "x", "subject": "M1"}, "Only a proposal to ask a member to leave"),
        ({"kind": "question", "title": "x", "subject": "Nobody"}, "Only a proposal to ask a member to leave"),
        ({"kind": "agreements", "title": "x"}, "Write the agreements as a list."),
        ({"kind": "capacity", "title": "x"}, "between 5 and 12"),
        ({"kind": "openness", "title": "x", "openness": "open"}, "That is how the group takes newcomers"),
    ],
)
def test_a_refused_proposal_is_a_400_with_the_services_words(group: Any, body: Any, message: str) -> None:
    g = group(3)
    r = send(client_for(g.users[0]), "post", url(g), body)
    assert r.status_code == 400, r.content
    assert message in r.json()["detail"]
    assert not Proposal.objects.exists()


def test_results_are_null_while_open_and_nobody_elses_stance_shows(group: Any) -> None:
    g = group(5)
    p = g.open(0)
    g.say(p, 1, "object", "It would leave M4 out.")
    g.say(p, 2, "disagree", "Too early.")
    for viewer in (0, 3):
        raw = send(client_for(g.users[viewer]), "get", url(g, f"/{p.code}")).content.decode()
        body = json.loads(raw)
        assert body["results"] is None and body["answered"] == 2 and body["voters"] == 5
        assert body["my_stance"] is None
        for word in ("It would leave M4 out.", "Too early.", '"object"', '"disagree"'):
            assert word not in raw, word
    listed = send(client_for(g.users[3]), "get", url(g)).content.decode()
    assert "object" not in listed and "disagree" not in listed
    # One's own stance only.
    own = send(client_for(g.users[1]), "get", url(g, f"/{p.code}")).json()
    assert (own["my_stance"], own["my_reason"], own["results"]) == ("object", "It would leave M4 out.", None)


def test_after_the_close_the_result_with_each_stance(group: Any) -> None:
    g = group(5)
    p = g.open(0)
    for i in (0, 2, 3, 4):
        g.say(p, i, "agree")
    g.say(p, 1, "object", "It would leave M4 out.")
    body = send(client_for(g.users[2]), "get", url(g, f"/{p.code}")).json()
    result = body["results"]
    assert body["status"] == "closed"
    assert (result["passed"], result["reason"], result["counted"], result["participated"]) == (
        False,
        "objection",
        5,
        5,
    )
    assert result["counts"] == {"agree": 4, "abstain": 0, "disagree": 0, "object": 1}
    assert "Someone objected" in result["reason_words"]
    assert {"author": "M1", "stance": "object", "reason": "It would leave M4 out."} in result["stances"]


def test_stance_is_the_callers_own_and_changes(group: Any) -> None:
    g = group(5)
    p = g.open(0)
    c = client_for(g.users[1])
    r = send(c, "put", url(g, f"/{p.code}/stance"), {"stance": "abstain"})
    assert r.status_code == 200 and r.json() == {"stance": "abstain", "reason": ""}
    r = send(c, "put", url(g, f"/{p.code}/stance"), {"stance": "disagree", "reason": "Later."})
    assert r.json() == {"stance": "disagree", "reason": "Later."}
    row = ProposalStance.objects.get()
    assert (row.membership.user, row.stance) == (g.users[1], "disagree")


def test_objecting_without_a_reason_is_400(group: Any) -> None:
    g = group(5)
    p = g.open(0)
    r = send(client_for(g.users[1]), "put", url(g, f"/{p.code}/stance"), {"stance": "object"})
    assert r.status_code == 400 and "reason" in r.json()["detail"]
    assert not ProposalStance.objects.exists()


def test_after_the_close_stances_and_messages_are_409(group: Any) -> None:
    g = group(3)
    p = close_now(g.open(0))
    c = client_for(g.users[1])
    assert send(c, "put", url(g, f"/{p.code}/stance"), {"stance": "agree"}).status_code == 409
    assert send(c, "post", url(g, f"/{p.code}/comments"), {"text": "Late"}).status_code == 409


def test_comments_in_the_thread(group: Any) -> None:
    g = group(3)
    p = g.open(0)
    r = send(client_for(g.users[2]), "post", url(g, f"/{p.code}/comments"), {"text": "Fine by me."})
    assert r.status_code == 201
    assert (r.json()["author"], r.json()["text"], r.json()["by_subject"]) == ("M2", "Fine by me.", False)
    body = send(client_for(g.users[0]), "get", url(g, f"/{p.code}")).json()
    assert [(c["author"], c["text"]) for c in body["comments"]] == [("M2", "Fine by me.")]
    assert (
        send(client_for(g.users[2]), "post", url(g, f"/{p.code}/comments"), {"text": ""}).status_code == 422
    )


def test_withdraw_only_the_opener_before_any_stance(group: Any) -> None:
    g = group(3)
    p = g.open(1)
    assert send(client_for(g.users[2]), "post", url(g, f"/{p.code}/withdraw")).status_code == 409
    r = send(client_for(g.users[1]), "post", url(g, f"/{p.code}/withdraw"))
    assert r.status_code == 200 and r.json()["status"] == "withdrawn" and r.json()["results"] is None
    q = g.open(1)
    g.say(q, 0, "agree")
    assert send(client_for(g.users[1]), "post", url(g, f"/{q.code}/withdraw")).status_code == 409
    q.refresh_from_db()
    assert q.status == ProposalStatus.OPEN


def test_outcome_after_the_close_by_any_member(group: Any) -> None:
    g = group(3)
    p = g.open(0)
    c = client_for(g.users[2])
    body = {"outcome": "Tea in turns.", "review_on": (timezone.localdate() + timedelta(days=20)).isoformat()}
    assert send(c, "put", url(g, f"/{p.code}/outcome"), body).status_code == 409
    close_now(p)
    r = send(c, "put", url(g, f"/{p.code}/outcome"), body)
    assert r.status_code == 200 and r.json()["outcome"] == "Tea in turns."
    assert r.json()["review_on"] == body["review_on"]
    assert [row["outcome"] for row in send(c, "get", url(g)).json()] == ["Tea in turns."]


def test_the_person_a_removal_is_about_reads_and_answers_but_takes_no_stance(group: Any) -> None:
    g = group(4)
    p = g.open(0, kind="removal", subject_ref=g.m(3).pk)
    c = client_for(g.users[3])
    body = send(c, "get", url(g, f"/{p.code}")).json()
    assert (body["is_subject"], body["can_vote"], body["subject"]) == (True, False, "M3")
    assert [r["about_me"] for r in send(c, "get", url(g)).json()] == [True]
    r = send(c, "put", url(g, f"/{p.code}/stance"), {"stance": "object", "reason": "No."})
    assert r.status_code == 409
    r = send(c, "post", url(g, f"/{p.code}/comments"), {"text": "I am sorry."})
    assert r.status_code == 201 and r.json()["by_subject"] is True
    assert not ProposalStance.objects.exists() and Comment.objects.count() == 1


def test_outsiders_waiting_and_former_members_get_404(group: Any, make_user: Any) -> None:
    g = group(5, max_members=5)
    p = g.open(0)
    waiting, outsider = make_user(), make_user()
    join(g.circle, waiting, "Waiter")
    former = g.users[4]
    circle_services.membership_leave(circle=g.circle, user=former)
    for person in (waiting, former, outsider):
        c = client_for(person)
        assert send(c, "get", url(g)).status_code == 404
        assert send(c, "get", url(g, f"/{p.code}")).status_code == 404
        assert send(c, "post", url(g), {"kind": "question", "title": "x"}).status_code == 404
        assert send(c, "put", url(g, f"/{p.code}/stance"), {"stance": "agree"}).status_code == 404
        assert send(c, "post", url(g, f"/{p.code}/comments"), {"text": "x"}).status_code == 404
    assert Proposal.objects.count() == 1 and not ProposalStance.objects.exists()


def test_another_groups_proposal_is_404(group: Any) -> None:
    g, h = group(3), group(3)
    p = h.open(0)
    assert send(client_for(g.users[0]), "get", url(g, f"/{p.code}")).status_code == 404


def test_a_member_who_must_accept_new_agreements_gets_409_consent_required(group: Any) -> None:
    g = group(3)
    p = g.open(0)
    adopt(g.circle, [{"title": "New", "text": "A new one."}])
    r = send(client_for(g.users[1]), "get", url(g, f"/{p.code}"))
    assert r.status_code == 409 and r.json()["code"] == "consent_required"


def test_an_active_group_changes_its_schedule_by_proposal_not_directly(group: Any) -> None:
    g = group(5)
    start = timezone.localdate() + timedelta(days=3)
    circle_services.circle_schedule_set(
        circle=g.circle, rhythm=weekly(1, 19, "Europe/Madrid", start), user=None
    )
    assert g.reload().status == "active"
    schedule = {
        "kind": "weekly",
        "weekday": 4,
        "start_date": start.isoformat(),
        "start_time": "10:00",
        "duration_minutes": 90,
        "timezone": "Europe/Madrid",
    }
    r = send(client_for(g.users[1]), "put", f"/api/v1/groups/{g.circle.code}/schedule", schedule)
    assert r.status_code == 409 and "propose it to the group" in r.json()["detail"]
    assert g.reload().schedule_weekday == 1
    # A forming group still sets it directly.
    h = group(3)
    r = send(client_for(h.users[1]), "put", f"/api/v1/groups/{h.circle.code}/schedule", schedule)
    assert r.status_code == 200 and h.reload().schedule_weekday == 4

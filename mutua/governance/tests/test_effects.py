"""What a passed proposal changes, through the owning services: exactly once, all or nothing."""

from datetime import timedelta
from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from conftest import client_for, join
from mutua.accounts.services import api_token_create
from mutua.circles import services as circle_services
from mutua.circles.consent import ConsentRequired
from mutua.circles.models import Circle, CircleSlot, Membership, MembershipStatus, Pledge, PledgeAcceptance
from mutua.circles.policies import Need, access_circle
from mutua.core.errors import DomainError
from mutua.core.models import AuditEvent
from mutua.governance import selectors, services
from mutua.governance.models import (
    AgreementsDraft,
    Comment,
    OwnAgreement,
    ProfessionalInvitation,
    Proposal,
    ProposalStance,
    ProposalStatus,
    Voter,
)
from mutua.governance.tests.groups import Group, after
from mutua.meetings.models import Meeting
from mutua.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

ITEMS = [
    {"title": "Phones away", "text": "We put phones away."},
    {"title": "On time", "text": "We start on time."},
]


def passed(g: Group, *, voters: tuple[int, ...] | None = None, **kwargs: Any) -> Proposal:
    """Member 0 opens it and every voter agrees: it closes at the last stance."""
    p = g.open(0, **kwargs)
    for i in voters if voters is not None else range(len(g.users)):
        g.say(p, i, "agree")
    p.refresh_from_db()
    return p


def notified(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


def bearer(user: Any) -> dict[str, str]:
    _row, raw = api_token_create(user=user, name="t")
    return {"Authorization": f"Bearer {raw}"}


# --------------------------------------------------------------------------- agreements


def test_passed_agreements_are_the_next_version_and_every_member_accepts_again(group: Any) -> None:
    g = group(5)
    AgreementsDraft.objects.create(circle=g.circle, items=ITEMS[:1])
    p = passed(g, kind="agreements", payload={"items": ITEMS})
    assert (p.status, p.passed) == ("closed", True) and p.applied_at is not None
    circle = g.reload()
    assert circle.agreements_version == 2 and circle.agreements_adopted_at is not None
    rows = list(OwnAgreement.objects.filter(circle=circle).values_list("version", "order", "title", "text"))
    assert rows == [(2, 0, "Phones away", "We put phones away."), (2, 1, "On time", "We start on time.")]
    assert not AgreementsDraft.objects.filter(circle=circle).exists()
    member = g.users[1]
    with pytest.raises(ConsentRequired):
        access_circle(member, circle.code, Need.MEMBER)
    page = client_for(member).get(reverse("circles:home", args=[circle.code]))
    assert page.status_code == 302 and page["Location"] == reverse("circles:consent", args=[circle.code])
    api = client_for(None).get(f"/api/v1/groups/{circle.code}/home", headers=bearer(member))
    assert api.status_code == 409 and api.json()["code"] == "consent_required"
    pledge = Pledge.objects.order_by("-version").first()
    assert pledge is not None
    circle_services.membership_consent_renew(
        circle=circle, user=member, accepts_pledge=True, pledge_version=pledge.version, agreements_version=2
    )
    assert access_circle(member, circle.code, Need.MEMBER)[1].agreements_version == 2
    assert PledgeAcceptance.objects.filter(user=member, circle=circle, agreements_version=2).exists()


def test_a_second_adoption_replaces_the_set(group: Any) -> None:
    g = group(3)
    passed(g, kind="agreements", payload={"items": ITEMS})
    for i in range(3):
        pledge = Pledge.objects.order_by("-version").first()
        assert pledge is not None
        circle_services.membership_consent_renew(
            circle=g.circle,
            user=g.users[i],
            accepts_pledge=True,
            pledge_version=pledge.version,
            agreements_version=2,
        )
    passed(g, kind="agreements", payload={"items": ITEMS[1:]})
    assert g.reload().agreements_version == 3
    assert list(OwnAgreement.objects.filter(version=3).values_list("title", flat=True)) == ["On time"]
    assert OwnAgreement.objects.filter(version=2).count() == 2  # the earlier version stays, for the record


# --------------------------------------------------------------------------- schedule, capacity, openness


def test_a_passed_schedule_is_the_groups_rhythm(group: Any) -> None:
    g = group(5)
    start = (timezone.localdate() + timedelta(days=3)).isoformat()
    payload = {
        "kind": "monthly_nth",
        "start_date": start,
        "start_time": "18:30",
        "duration_minutes": 60,
        "timezone": "Europe/Madrid",
        "weekday": 1,
        "nth": 2,
    }
    passed(g, kind="schedule", payload=payload)
    circle = g.reload()
    rhythm = circle.rhythm
    assert rhythm is not None
    assert (rhythm.kind, rhythm.weekday, rhythm.nth, rhythm.duration_minutes) == ("monthly_nth", 1, 2, 60)
    assert rhythm.start_time.strftime("%H:%M") == "18:30"
    assert CircleSlot.objects.filter(circle=circle).exists()
    # A forming group with its minimum and now a schedule becomes active (the one recount).
    assert circle.status == "active"


def test_a_larger_size_offers_the_freed_seat_to_the_waiting_list(group: Any, make_user: Any) -> None:
    g = group(5, max_members=5)
    waiting = make_user()
    join(g.circle, waiting, "Queue")
    assert Membership.objects.get(user=waiting).status == MembershipStatus.WAITING
    passed(g, kind="capacity", payload={"max_members": 6})
    circle = g.reload()
    assert circle.max_members == 6 and circle.seats_held == 6
    assert Membership.objects.get(user=waiting).status == MembershipStatus.OFFERED
    assert notified(Kind.SEAT_OFFERED) == {waiting.pk}


def test_a_size_the_group_outgrew_meanwhile_closes_as_not_applied(group: Any, make_user: Any) -> None:
    g = group(5, max_members=10)
    p = g.open(0, kind="capacity", payload={"max_members": 5})
    for i in range(4):
        g.say(p, i, "agree")
    join(g.circle, make_user(), "Newcomer")  # six members now; not a voter
    g.say(p, 4, "agree")
    p.refresh_from_db()
    assert (p.status, p.passed, p.applied_at) == ("closed", True, None)
    assert g.reload().max_members == 10
    assert AuditEvent.objects.filter(action="proposal.not_applied").count() == 1
    assert not AuditEvent.objects.filter(action="circle.capacity_set").exists()
    fresh = selectors.proposal_in(circle=g.circle, code=p.code)
    assert fresh is not None
    results = selectors.proposal_view(proposal=fresh, membership=g.m(0)).results
    assert results is not None and results.not_applied and not results.applied


@pytest.mark.parametrize(("openness", "open_", "reviews"), [("review", True, True), ("closed", False, False)])
def test_openness(group: Any, make_user: Any, openness: str, open_: bool, reviews: bool) -> None:
    g = group(5)
    passed(g, kind="openness", payload={"openness": openness})
    circle = g.reload()
    assert (circle.open, circle.reviews_newcomers, circle.openness) == (open_, reviews, openness)
    passed(g, kind="openness", payload={"openness": "open"})
    circle = g.reload()
    assert (circle.open, circle.reviews_newcomers) == (True, False)


def test_a_closed_group_takes_no_newcomer(group: Any, make_user: Any) -> None:
    g = group(5)
    passed(g, kind="openness", payload={"openness": "closed"})
    with pytest.raises(DomainError, match="not taking newcomers"):
        join(g.reload(), make_user(), "Newcomer")


def test_a_passed_invitation_is_recorded_without_any_access(group: Any) -> None:
    g = group(5)
    starts, ends = timezone.localdate() + timedelta(days=10), timezone.localdate() + timedelta(days=20)
    p = passed(
        g,
        kind="professional",
        payload={"purpose": "A talk", "starts": starts.isoformat(), "ends": ends.isoformat()},
    )
    invitation = ProfessionalInvitation.objects.get(proposal=p)
    assert (invitation.circle_id, invitation.purpose, invitation.starts_on, invitation.ends_on) == (
        g.circle.pk,
        "A talk",
        starts,
        ends,
    )
    assert Membership.objects.filter(circle=g.circle).count() == 5


# --------------------------------------------------------------------------- removal


def test_the_person_a_removal_is_about_is_told_answers_and_does_not_vote(group: Any) -> None:
    g = group(5)
    p = g.open(
        0, kind="removal", subject_ref=g.m(4).pk, title="Ask M4 to leave", body="Broke confidentiality."
    )
    assert notified(Kind.PROPOSAL_ABOUT_YOU) == {g.users[4].pk}
    assert g.users[4].pk not in notified(Kind.PROPOSAL_OPENED)
    with pytest.raises(DomainError, match="about you"):
        g.say(p, 4, "object", "I did not.")
    services.comment_add(proposal=p, user=g.users[4], text="I did not mean harm.")
    view = selectors.proposal_view(proposal=p, membership=g.m(4))
    assert (view.is_subject, view.can_vote, view.is_voter, view.can_comment) == (True, False, False, True)
    assert view.participation.counted == 4  # the person concerned does not count
    assert [c.by_subject for c in view.comments] == [True]


def test_a_removal_needs_every_other_member(group: Any) -> None:
    g = group(5)
    p = g.open(0, kind="removal", subject_ref=g.m(4).pk, min_participation=0)
    for i in (0, 1, 2):
        g.say(p, i, "agree")
    closed = services.proposal_close(proposal_id=p.pk, now=after(p))
    assert closed is not None and (closed.passed, closed.reason) == (False, "not_everyone")
    assert g.m(4).status == MembershipStatus.MEMBER


def test_one_objection_stops_a_removal(group: Any) -> None:
    g = group(5)
    p = g.open(0, kind="removal", subject_ref=g.m(4).pk)
    for i in (0, 1, 2):
        g.say(p, i, "agree")
    g.say(p, 3, "object", "Let us talk first.")
    p.refresh_from_db()
    assert (p.status, p.passed, p.reason) == ("closed", False, "objection")
    assert g.m(4).status == MembershipStatus.MEMBER
    # Who wanted the removal is not shown, even after the close: counts only.
    fresh = selectors.proposal_in(circle=g.circle, code=p.code)
    assert fresh is not None
    results = selectors.proposal_view(proposal=fresh, membership=g.m(4)).results
    assert results is not None and results.stances == [] and results.names_shown is False
    assert results.counts == {"agree": 3, "abstain": 0, "disagree": 0, "object": 1}
    assert g.users[4].pk in notified(Kind.PROPOSAL_CLOSED)


def test_a_passed_removal_ends_the_membership_neutrally(group: Any, make_user: Any) -> None:
    g = group(5, max_members=5)
    waiting = make_user()
    join(g.circle, waiting, "Queue")
    subject = g.m(4)
    p = g.open(0, kind="removal", subject_ref=subject.pk, body="SECRET-WHY")
    services.comment_add(proposal=p, user=g.users[4], text="My answer.")
    for i in range(4):
        g.say(p, i, "agree")
    subject.refresh_from_db()
    assert subject.status == MembershipStatus.LEFT and subject.left_at and subject.removed_at
    circle = g.reload()
    assert circle.member_count == 4
    # The freed seat goes to the waiting list (the one recount).
    assert Membership.objects.get(user=waiting).status == MembershipStatus.OFFERED
    assert notified(Kind.MEMBERSHIP_ENDED) == {g.users[4].pk}
    assert notified(Kind.PROPOSAL_CLOSED) == {g.users[i].pk for i in range(4)}
    ended = Notification.objects.get(kind=Kind.MEMBERSHIP_ENDED)
    assert ended.url == reverse("circles:directory")
    removed = AuditEvent.objects.get(action="membership.removed")
    assert removed.data == {"proposal": p.code} and removed.member_ref is None
    assert not any("SECRET-WHY" in repr(e.data) for e in AuditEvent.objects.all())
    # Out of the group: the gate's 404, and no way back in by themself.
    with pytest.raises(Http404):
        access_circle(g.users[4], circle.code, Need.PARTICIPANT)
    with pytest.raises(DomainError, match="not taking newcomers"):
        join(circle, g.users[4], "Again")
    # Their words stay, under a neutral name.
    fresh = selectors.proposal_in(circle=circle, code=p.code)
    assert fresh is not None
    view = selectors.proposal_view(proposal=fresh, membership=g.m(0))
    assert view.subject == "a former member"
    assert [(c.author, c.text) for c in view.comments] == [("a former member", "My answer.")]
    assert Comment.objects.count() == 1


def test_someone_who_left_before_their_removal_closed_is_left_as_they_are(group: Any) -> None:
    g = group(5)
    p = g.open(0, kind="removal", subject_ref=g.m(4).pk)
    circle_services.membership_leave(circle=g.circle, user=g.users[4])
    for i in range(4):
        g.say(p, i, "agree")
    p.refresh_from_db()
    assert (p.passed, p.applied_at is not None) == (True, True)
    assert g.m(4).removed_at is None  # they left by themself and may come back
    assert not AuditEvent.objects.filter(action="membership.removed").exists()
    assert notified(Kind.MEMBERSHIP_ENDED) == set()


# --------------------------------------------------------------------------- dissolution and retention


def test_a_dissolved_group_leaves_the_directory_and_its_queue(
    group: Any, make_user: Any, client: Any
) -> None:
    g = group(5, max_members=5, name="Lighthouse keepers")
    waiting = make_user()
    join(g.circle, waiting, "Queue")
    other = g.open(1, title="Tea?")
    assert "Lighthouse keepers" in client.get(reverse("circles:directory")).content.decode()
    passed(g, kind="dissolution")
    circle = g.reload()
    assert circle.dissolved_at is not None and (circle.open, circle.listed, circle.openness) == (
        False,
        False,
        "closed",
    )
    assert "Lighthouse keepers" not in client.get(reverse("circles:directory")).content.decode()
    public = client.get(reverse("circles:public", args=[circle.code])).content.decode()
    assert "This group has ended." in public and reverse("circles:join", args=[circle.code]) not in public
    assert Membership.objects.get(user=waiting).status == MembershipStatus.LEFT
    assert notified(Kind.MEMBERSHIP_ENDED) == {waiting.pk}
    assert Proposal.objects.get(pk=other.pk).status == ProposalStatus.WITHDRAWN
    # The members stay until the retention job; a member leaving offers nobody a seat.
    access_circle(g.users[2], circle.code, Need.MEMBER)
    circle_services.membership_leave(circle=circle, user=g.users[2])
    assert g.reload().seats_held == 4
    with pytest.raises(DomainError, match="ended"):
        g.open(0)


@pytest.mark.parametrize("started_days_ago", [-2, 30])
def test_a_dissolved_group_has_no_more_meetings(group: Any, started_days_ago: int) -> None:
    """Pages, reminders and calendar feeds all read the rhythm: it ends the day before (a rhythm that
    had not started is cleared); past meetings stay readable."""
    from mutua.meetings import selectors as meeting_selectors
    from mutua.meetings.schedule import weekly

    g = group(5)
    start = timezone.now() - timedelta(days=started_days_ago)
    circle_services.circle_schedule_set(
        circle=g.circle, rhythm=weekly(start.weekday(), 19, "Europe/Madrid", start.date()), user=None
    )
    assert meeting_selectors.next_meeting(circle=g.reload()) is not None
    passed(g, kind="dissolution")
    circle = g.reload()
    assert meeting_selectors.next_meeting(circle=circle) is None
    assert (
        meeting_selectors.meetings_between(
            circle=circle, start=timezone.now(), end=timezone.now() + timedelta(days=60)
        )
        == []
    )
    past = meeting_selectors.meetings_between(
        circle=circle, start=timezone.now() - timedelta(days=60), end=timezone.now()
    )
    assert (len(past) > 0) == (started_days_ago > 7)


def test_a_dissolved_groups_content_is_deleted_after_the_retention_days(group: Any, settings: Any) -> None:
    settings.MUTUA_DISSOLVED_RETENTION_DAYS = 30
    g = group(5, name="Lighthouse keepers", description="We keep lights.")
    keep = group(5)
    kept = passed(keep, kind="question")
    Meeting.objects.create(circle=g.circle, key=timezone.now())
    p = passed(g, kind="dissolution")
    circle = g.reload()
    assert circle.dissolved_at is not None
    audits_before = AuditEvent.objects.filter(circle=circle).count()
    assert services.dissolved_groups_purge(now=circle.dissolved_at + timedelta(days=29)) == 0
    assert Membership.objects.filter(circle=circle).count() == 5
    assert services.dissolved_groups_purge(now=circle.dissolved_at + timedelta(days=30, seconds=1)) == 1
    circle.refresh_from_db()
    assert (circle.name, circle.description, circle.member_count) == ("", "", 0) and circle.purged_at
    for model in (Proposal, Membership, PledgeAcceptance, Meeting, CircleSlot):
        assert not model.objects.filter(circle=circle).exists(), model
    assert not Voter.objects.filter(proposal_id=p.pk).exists()
    assert not ProposalStance.objects.filter(proposal_id=p.pk).exists()
    assert AuditEvent.objects.filter(circle=circle).count() == audits_before + 1
    assert AuditEvent.objects.filter(circle=circle, action="circle.purged").exists()
    # Another group is untouched, and a second run does nothing.
    assert (
        Proposal.objects.filter(pk=kept.pk).exists()
        and Membership.objects.filter(circle=keep.circle).count() == 5
    )
    assert services.dissolved_groups_purge(now=circle.dissolved_at + timedelta(days=60)) == 0
    assert Circle.objects.filter(pk=circle.pk).exists()


# --------------------------------------------------------------------------- exactly once, all or nothing


def test_each_effect_is_applied_once_however_often_it_is_closed(group: Any) -> None:
    g = group(3)
    p = passed(g, kind="agreements", payload={"items": ITEMS})
    for _ in range(3):
        assert services.proposal_close(proposal_id=p.pk, now=after(p)) is None
        services.proposals_tick(now=after(p, days=1))
    assert g.reload().agreements_version == 2
    assert OwnAgreement.objects.count() == 2
    assert AuditEvent.objects.filter(action="agreements.adopted").count() == 1
    assert Notification.objects.filter(kind=Kind.PROPOSAL_CLOSED).count() == 3


def test_an_effect_that_fails_leaves_nothing_applied_and_is_retried(group: Any, monkeypatch: Any) -> None:
    g = group(3)
    real = circle_services.circle_agreements_adopt
    calls = {"n": 0}

    def half_then_boom(**kwargs: Any) -> Any:
        calls["n"] += 1
        real(**kwargs)  # everything written ...
        raise RuntimeError("disk on fire")  # ... then a failure

    monkeypatch.setattr(circle_services, "circle_agreements_adopt", half_then_boom)
    p = passed(g, kind="agreements", payload={"items": ITEMS})
    assert calls["n"] == 1
    # Nothing of it stays: the proposal is open, the agreements and the notices are as before.
    assert (p.status, p.passed, p.closed_at, p.counts, p.apply_failures) == ("open", None, None, {}, 1)
    assert g.reload().agreements_version == 1
    assert not OwnAgreement.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["agreements.adopted", "proposal.closed"]).exists()
    assert not Notification.objects.filter(kind=Kind.PROPOSAL_CLOSED).exists()
    # The stances that led to it stay: the last one too.
    assert ProposalStance.objects.filter(proposal=p).count() == 3
    # The tick tries again; after APPLY_ATTEMPTS failures it closes as passed but not applied.
    services.proposals_tick()
    assert Proposal.objects.get(pk=p.pk).apply_failures == 2
    services.proposals_tick()
    p.refresh_from_db()
    assert (p.status, p.passed, p.applied_at, p.apply_failures) == (
        "closed",
        True,
        None,
        services.APPLY_ATTEMPTS,
    )
    assert calls["n"] == services.APPLY_ATTEMPTS
    assert g.reload().agreements_version == 1 and not OwnAgreement.objects.exists()
    assert notified(Kind.PROPOSAL_CLOSED) == {u.pk for u in g.users}
    services.proposals_tick()
    assert calls["n"] == services.APPLY_ATTEMPTS  # never again


def test_a_failure_that_goes_away_is_applied_once_on_the_next_tick(group: Any, monkeypatch: Any) -> None:
    g = group(3)
    real = circle_services.circle_capacity_set
    state = {"fail": True}

    def flaky(**kwargs: Any) -> Any:
        if state["fail"]:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(circle_services, "circle_capacity_set", flaky)
    p = passed(g, kind="capacity", payload={"max_members": 7})
    assert p.status == ProposalStatus.OPEN
    state["fail"] = False
    services.proposals_tick()
    p.refresh_from_db()
    assert (p.status, p.passed) == ("closed", True) and p.applied_at is not None
    assert g.reload().max_members == 7
    assert AuditEvent.objects.filter(action="circle.capacity_set").count() == 1


def test_the_decisions_refuse_anything_but_a_passed_proposal_of_their_kind(group: Any) -> None:
    g = group(5)
    p = g.open(0, kind="capacity", payload={"max_members": 7})
    with pytest.raises(ValueError, match="passed proposal"):
        circle_services.circle_capacity_set(circle=g.circle, max_members=7, proposal=p)
    p.passed = True
    with pytest.raises(ValueError, match="passed proposal"):
        circle_services.circle_dissolve(circle=g.circle, proposal=p)
    other = group(5)
    with pytest.raises(ValueError, match="passed proposal"):
        circle_services.circle_capacity_set(circle=other.circle, max_members=7, proposal=p)
    q = g.open(0, kind="removal", subject_ref=g.m(3).pk)
    q.passed = True
    with pytest.raises(ValueError, match="it is about"):
        circle_services.membership_remove(circle=g.circle, membership=g.m(2), proposal=q)
    assert g.reload().max_members == 10 and g.m(2).status == MembershipStatus.MEMBER

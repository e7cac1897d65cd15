"""Proposals: opening each kind, frozen voters, stances, the discussion, withdrawal, hidden results,
closing early and at the deadline, outcome and review, and who is told what."""

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import join
from mutua.circles import services as circle_services
from mutua.circles.consent import ConsentRequired
from mutua.circles.models import Circle, Membership, MembershipStatus
from mutua.core.errors import DomainError
from mutua.core.models import AuditEvent
from mutua.governance import selectors, services
from mutua.governance.models import Proposal, ProposalStance, ProposalStatus, Voter
from mutua.governance.tests.groups import after
from mutua.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def today_plus(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def weekly(**change: Any) -> dict[str, Any]:
    payload = {
        "kind": "weekly",
        "start_date": today_plus(7),
        "start_time": "19:00",
        "duration_minutes": 90,
        "timezone": "Europe/Madrid",
        "weekday": 0,
    }
    return payload | change


def items(n: int = 2, **change: str) -> dict[str, Any]:
    return {"items": [{"title": f"Rule {i}", "text": f"We do {i}."} | change for i in range(n)]}


def notified(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


def ids(g: Any, *indexes: int) -> set[int]:
    return {g.users[i].pk for i in indexes}


# --------------------------------------------------------------------------- opening


@pytest.mark.parametrize(
    ("kind", "payload", "stored"),
    [
        ("agreements", items(2), items(2)),
        ("capacity", {"max_members": 7}, {"max_members": 7}),
        ("openness", {"openness": "review"}, {"openness": "review"}),
        ("dissolution", None, {}),
        ("question", None, {}),
    ],
)
def test_each_kind_opens_with_a_valid_payload(group: Any, kind: str, payload: Any, stored: Any) -> None:
    g = group(5, max_members=10)
    p = g.open(1, kind=kind, payload=payload)
    p.refresh_from_db()
    assert (p.kind, p.status, p.payload) == (kind, ProposalStatus.OPEN, stored)
    assert p.opened_by == g.m(1)


def test_a_schedule_proposal_keeps_the_rhythm_in_the_meetings_api_form(group: Any) -> None:
    g = group(5)
    # A field the kind does not use is dropped, as on the schedule page.
    p = g.open(kind="schedule", payload=weekly(monthday=3, start_time="19:00:00"))
    assert p.payload == weekly() | {"nth": None, "monthday": None, "rrule": "", "end_date": None}
    assert services.rhythm_from_payload(p.payload).weekday == 0


def test_a_professional_proposal_keeps_purpose_and_period(group: Any) -> None:
    g = group(5)
    p = g.open(
        kind="professional",
        payload={"purpose": "  A talk about grief  ", "starts": today_plus(10), "ends": today_plus(40)},
    )
    assert p.payload == {"purpose": "A talk about grief", "starts": today_plus(10), "ends": today_plus(40)}


def test_a_removal_is_about_a_current_member_and_by_consent_of_all(group: Any) -> None:
    g = group(5)
    p = g.open(0, kind="removal", subject_ref=g.m(2).pk, process="majority")
    assert p.subject == g.m(2) and p.process == "consent"
    voters = set(Voter.objects.filter(proposal=p).values_list("membership_id", flat=True))
    assert voters == {g.m(i).pk for i in (0, 1, 3, 4)}


INVALID = [
    ("agreements", {"items": []}),
    ("agreements", items(13)),
    ("agreements", items(1, title="x" * 121)),
    ("agreements", items(1, text="x" * 2001)),
    ("agreements", items(1, title="  ")),
    ("agreements", {"items": "not a list"}),
    ("agreements", None),
    ("schedule", weekly(kind="hourly")),
    ("schedule", weekly(weekday=None)),
    ("schedule", weekly(start_time="nonsense")),
    ("schedule", weekly(timezone="Mars/Olympus")),
    ("schedule", {}),
    ("capacity", {"max_members": 4}),
    ("capacity", {"max_members": 13}),
    ("capacity", {"max_members": "many"}),
    ("capacity", {"max_members": 10}),  # the size it has already
    ("capacity", {}),
    ("openness", {"openness": "ajar"}),
    ("openness", {"openness": "open"}),  # how it is already
    ("professional", {"purpose": "", "starts": today_plus(1), "ends": today_plus(2)}),
    ("professional", {"purpose": "x" * 1001, "starts": today_plus(1), "ends": today_plus(2)}),
    ("professional", {"purpose": "Talk", "starts": today_plus(5), "ends": today_plus(4)}),
    ("professional", {"purpose": "Talk", "starts": today_plus(1), "ends": today_plus(368)}),
    ("professional", {"purpose": "Talk", "starts": today_plus(-1), "ends": today_plus(4)}),
    ("professional", {"purpose": "Talk", "starts": "soon", "ends": today_plus(4)}),
    ("question", ["not", "a", "mapping"]),
]


@pytest.mark.parametrize(("kind", "payload"), INVALID)
def test_an_invalid_payload_is_refused_and_nothing_is_opened(group: Any, kind: str, payload: Any) -> None:
    g = group(5, max_members=10)
    with pytest.raises(DomainError):
        g.open(kind=kind, payload=payload)
    assert not Proposal.objects.exists()


def test_capacity_below_the_current_members_is_refused(group: Any) -> None:
    g = group(6, max_members=10)
    with pytest.raises(DomainError, match="more members"):
        g.open(kind="capacity", payload={"max_members": 5})
    assert g.open(kind="capacity", payload={"max_members": 6}).payload == {"max_members": 6}


def test_a_removal_must_name_another_current_member_of_this_group(group: Any, make_user: Any) -> None:
    g = group(5, max_members=5)
    other = group(5)
    waiting = make_user()
    join(g.circle, waiting, "Queue")  # the group is full: on the waiting list
    left = g.m(4)
    circle_services.membership_leave(circle=g.circle, user=g.users[4])
    refs = [None, g.m(0).pk, left.pk, other.m(1).pk, Membership.objects.get(user=waiting).pk, "1", True]
    for ref in refs:
        with pytest.raises(DomainError):
            g.open(0, kind="removal", subject_ref=ref)
    assert not Proposal.objects.exists()


def test_a_second_open_removal_about_the_same_member_is_refused(group: Any) -> None:
    g = group(5)
    g.open(0, kind="removal", subject_ref=g.m(2).pk)
    with pytest.raises(DomainError, match="already open"):
        g.open(1, kind="removal", subject_ref=g.m(2).pk)


def test_only_a_removal_names_a_member(group: Any) -> None:
    g = group(5)
    with pytest.raises(DomainError):
        g.open(0, kind="question", subject_ref=g.m(2).pk)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "   "},
        {"title": "x" * 121},
        {"body": "x" * 4001},
        {"process": "lottery"},
        {"days": 0},
        {"days": 31},
        {"days": "7"},
        {"min_participation": 1.5},
        {"quorum": -0.1},
        {"quorum": float("nan")},
        {"kind": "coup"},
    ],
)
def test_common_fields_are_checked(group: Any, change: dict[str, Any]) -> None:
    g = group(5)
    with pytest.raises(DomainError):
        g.open(**change)
    assert not Proposal.objects.exists()


def test_deadline_and_thresholds_default_to_the_settings(group: Any, settings: Any) -> None:
    settings.MUTUA_PROPOSAL_DAYS = 4
    settings.MUTUA_CONSENT_MIN_PARTICIPATION = 0.6
    settings.MUTUA_MAJORITY_QUORUM = 0.7
    g = group(5)
    before = timezone.now()
    p = g.open()
    assert before + timedelta(days=4) <= p.deadline <= timezone.now() + timedelta(days=4)
    assert (p.min_participation, p.quorum, p.process) == (0.6, 0.7, "consent")
    q = g.open(process="majority", days=30, quorum=0.25, min_participation=0)
    assert (q.process, q.quorum, q.min_participation) == ("majority", 0.25, 0.0)
    assert q.deadline - q.opened_at > timedelta(days=29, hours=23)


def test_only_current_members_open_proposals(group: Any, make_user: Any) -> None:
    g = group(5, max_members=5)
    waiting, outsider = make_user(), make_user()
    join(g.circle, waiting, "Queue")
    for user in (waiting, outsider):
        with pytest.raises(DomainError) as error:
            services.proposal_open(circle=g.circle, user=user, kind="question", title="Hi")
        assert error.value.code == "not_found"
    assert not Proposal.objects.exists()


def test_a_member_who_must_accept_new_agreements_first_is_sent_to_accept_them(group: Any) -> None:
    g = group(5)
    Circle.objects.filter(pk=g.circle.pk).update(agreements_version=2)
    with pytest.raises(ConsentRequired) as error:
        g.open(1)
    # What a client needs to re-accept (the API's 409 carries it).
    assert error.value.details["consent"]["agreements_version"] == 2
    assert not Proposal.objects.exists()


def test_an_ended_group_decides_nothing_more(group: Any) -> None:
    g = group(5)
    Circle.objects.filter(pk=g.circle.pk).update(dissolved_at=timezone.now(), open=False)
    with pytest.raises(DomainError, match="ended"):
        g.open()


# --------------------------------------------------------------------------- voters and stances


def test_the_voters_are_frozen_when_it_opens(group: Any, make_user: Any) -> None:
    g = group(5)
    p = g.open()
    late = make_user()
    join(g.circle, late, "Late")
    with pytest.raises(DomainError, match="joined after"):
        services.stance_set(proposal=p, user=late, stance="agree")
    view = selectors.proposal_view(proposal=p, membership=Membership.objects.get(user=late))
    assert (view.is_voter, view.can_vote, view.participation.counted) == (False, False, 5)
    # A newcomer still takes part in the discussion.
    services.comment_add(proposal=p, user=late, text="Hello, I am new.")


def test_a_leaver_does_not_count_and_the_tick_closes_when_the_rest_have_spoken(group: Any) -> None:
    g = group(4)
    p = g.open()
    g.say(p, 0, "agree")
    g.say(p, 1, "object", "Not tea.")
    g.say(p, 2, "agree")
    circle_services.membership_leave(circle=g.circle, user=g.users[1])
    view = selectors.proposal_view(proposal=p, membership=g.m(0))
    assert (view.participation.counted, view.participation.participated) == (3, 2)
    services.proposals_tick()
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.OPEN  # member 3 has not spoken
    circle_services.membership_leave(circle=g.circle, user=g.users[3])
    services.proposals_tick()
    p.refresh_from_db()
    # The objection left with its author: it passes with the two who stayed.
    assert (p.status, p.passed, p.counts["counted"], p.counts["object"]) == ("closed", True, 2, 0)


def test_disagreeing_or_objecting_needs_a_reason(group: Any) -> None:
    g = group(5)
    p = g.open()
    for stance in ("disagree", "object"):
        with pytest.raises(DomainError, match="reason"):
            g.say(p, 1, stance, "   ")
    with pytest.raises(DomainError):
        g.say(p, 1, "object", "x" * 1001)
    with pytest.raises(DomainError):
        g.say(p, 1, "maybe")
    assert not ProposalStance.objects.exists()
    g.say(p, 1, "agree")
    g.say(p, 2, "abstain")
    g.say(p, 3, "disagree", " Too early. ")
    assert ProposalStance.objects.get(membership=g.m(3)).reason == "Too early."


def test_a_stance_changes_until_the_close_and_not_after(group: Any) -> None:
    g = group(3)
    p = g.open(days=2)
    g.say(p, 1, "object", "Not yet.")
    g.say(p, 1, "agree")
    assert ProposalStance.objects.get(membership=g.m(1)).stance == "agree"
    assert ProposalStance.objects.count() == 1
    services.proposal_close(proposal_id=p.pk, now=after(p))
    with pytest.raises(DomainError, match="closed"):
        g.say(p, 1, "object", "Changed my mind.")
    assert ProposalStance.objects.get(membership=g.m(1)).stance == "agree"


def test_no_stance_after_the_deadline_even_before_the_tick(group: Any) -> None:
    g = group(3)
    p = g.open()
    Proposal.objects.filter(pk=p.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError, match="closed"):
        g.say(p, 1, "agree")


def test_nobody_takes_a_stance_for_someone_else_or_outside(group: Any, make_user: Any) -> None:
    g = group(3)
    p = g.open()
    with pytest.raises(DomainError):
        services.stance_set(proposal=p, user=make_user(), stance="agree")
    g.say(p, 1, "agree")
    # Each stance is the acting person's own row.
    assert list(ProposalStance.objects.values_list("membership_id", flat=True)) == [g.m(1).pk]


# --------------------------------------------------------------------------- hidden results


def test_results_are_hidden_while_open_only_participation_shows(group: Any) -> None:
    g = group(4)
    p = g.open(0)
    g.say(p, 1, "object", "SECRET-REASON-1")
    g.say(p, 2, "disagree", "SECRET-REASON-2")
    for viewer in (0, 1, 3):
        view = selectors.proposal_view(proposal=p, membership=g.m(viewer))
        assert view.results is None
        assert (view.participation.counted, view.participation.participated) == (4, 2)
        dumped = repr(dataclasses.asdict(view)) + repr(view.proposal.__dict__)
        assert "SECRET-REASON-2" not in dumped
        assert ("SECRET-REASON-1" in dumped) == (viewer == 1)  # one's own stance only
        assert view.proposal.counts == {} and view.proposal.passed is None
        rows = selectors.proposals_of(circle=g.circle, membership=g.m(viewer))
        assert rows[0].passed is None
    own = selectors.proposal_view(proposal=p, membership=g.m(1))
    assert (own.my_stance, own.my_reason) == ("object", "SECRET-REASON-1")


def test_after_the_close_counts_and_each_stance_with_its_pseudonym(group: Any) -> None:
    g = group(4)
    p = g.open(0)
    g.say(p, 0, "agree")
    g.say(p, 1, "object", "Not tea, coffee.")
    g.say(p, 2, "abstain")
    g.say(p, 3, "disagree", "Maybe later.")
    fresh = selectors.proposal_in(circle=g.circle, code=p.code)
    assert fresh is not None
    view = selectors.proposal_view(proposal=fresh, membership=g.m(3))
    r = view.results
    assert r is not None and r.passed is False and r.reason == "objection"
    assert r.counts == {"agree": 1, "abstain": 1, "disagree": 1, "object": 1}
    assert (r.counted, r.participated, r.names_shown) == (4, 4, True)
    shown = {(s.author, s.stance, s.reason, s.is_mine) for s in r.stances}
    assert shown == {
        ("M0", "agree", "", False),
        ("M1", "object", "Not tea, coffee.", False),
        ("M2", "abstain", "", False),
        ("M3", "disagree", "Maybe later.", True),
    }


def test_a_former_members_words_stay_under_a_neutral_name(group: Any) -> None:
    g = group(4)
    p = g.open(1)
    services.comment_add(proposal=p, user=g.users[1], text="I propose tea.")
    circle_services.membership_leave(circle=g.circle, user=g.users[1])
    fresh = selectors.proposal_in(circle=g.circle, code=p.code)
    assert fresh is not None
    view = selectors.proposal_view(proposal=fresh, membership=g.m(0))
    assert view.opened_by == "a former member"
    assert [(c.author, c.text) for c in view.comments] == [("a former member", "I propose tea.")]


def test_the_list_puts_open_proposals_first_and_says_what_awaits_me(group: Any) -> None:
    g = group(3)
    closed = g.open(0, title="Old")
    for i in range(3):
        g.say(closed, i, "agree")
    soon = g.open(0, title="Soon", days=1)
    later_ = g.open(0, title="Later", days=9)
    g.say(later_, 1, "agree")
    rows = selectors.proposals_of(circle=g.circle, membership=g.m(1))
    assert [r.title for r in rows] == ["Soon", "Later", "Old"]
    assert [r.awaiting_my_stance for r in rows] == [True, False, False]
    assert [r.passed for r in rows] == [None, None, True]
    assert rows[1].my_stance == "agree"
    assert soon.code in [r.code for r in rows]


def test_the_list_reads_a_bounded_number_of_queries(group: Any, django_assert_max_num_queries: Any) -> None:
    g = group(3)
    for _ in range(6):
        g.open()
    membership = g.m(1)
    with django_assert_max_num_queries(3):
        selectors.proposals_of(circle=g.circle, membership=membership)


# --------------------------------------------------------------------------- discussion, withdrawal


def test_the_discussion_is_plain_text_for_members_while_open(group: Any, make_user: Any) -> None:
    g = group(3)
    p = g.open()
    c = services.comment_add(proposal=p, user=g.users[2], text="  <b>Why</b> tea?  ")
    assert c.text == "<b>Why</b> tea?"
    for bad in ("", "   ", "x" * 2001):
        with pytest.raises(DomainError):
            services.comment_add(proposal=p, user=g.users[2], text=bad)
    with pytest.raises(DomainError):
        services.comment_add(proposal=p, user=make_user(), text="Hi")
    services.proposal_close(proposal_id=p.pk, now=after(p))
    with pytest.raises(DomainError, match="closed"):
        services.comment_add(proposal=p, user=g.users[2], text="Late")
    view = selectors.proposal_view(proposal=p, membership=g.m(2))
    assert [(x.author, x.is_mine) for x in view.comments] == [("M2", True)]


def test_the_opener_withdraws_while_nobody_has_answered(group: Any) -> None:
    g = group(3)
    p = g.open(1)
    with pytest.raises(DomainError, match="Only the member"):
        services.proposal_withdraw(proposal=p, user=g.users[0])
    assert selectors.proposal_view(proposal=p, membership=g.m(1)).can_withdraw
    assert not selectors.proposal_view(proposal=p, membership=g.m(0)).can_withdraw
    services.proposal_withdraw(proposal=p, user=g.users[1])
    p.refresh_from_db()
    assert p.status == ProposalStatus.WITHDRAWN
    with pytest.raises(DomainError):
        g.say(p, 0, "agree")
    assert services.proposal_close(proposal_id=p.pk, now=after(p)) is None


def test_no_withdrawal_once_someone_answered(group: Any) -> None:
    g = group(3)
    p = g.open(1)
    g.say(p, 2, "abstain")
    assert not selectors.proposal_view(proposal=p, membership=g.m(1)).can_withdraw
    with pytest.raises(DomainError, match="already answered"):
        services.proposal_withdraw(proposal=p, user=g.users[1])
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.OPEN


# --------------------------------------------------------------------------- closing


def test_it_closes_early_once_everyone_has_spoken_and_not_before(group: Any) -> None:
    g = group(4)
    p = g.open()
    for i in range(3):
        g.say(p, i, "agree")
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.OPEN
    g.say(p, 3, "abstain")
    p.refresh_from_db()
    assert (p.status, p.passed, p.reason) == ("closed", True, "passed")
    assert p.counts == {"agree": 3, "abstain": 1, "disagree": 0, "object": 0, "counted": 4, "participated": 4}


def test_the_tick_closes_at_the_deadline_and_only_then(group: Any) -> None:
    g = group(5)
    p = g.open(days=3)
    g.say(p, 0, "agree")
    g.say(p, 1, "agree")
    services.proposals_tick(now=p.deadline - timedelta(minutes=1))
    assert Proposal.objects.get(pk=p.pk).status == ProposalStatus.OPEN
    services.proposals_tick(now=after(p))
    p.refresh_from_db()
    # 2 of 5 is below the default minimum participation of one half.
    assert (p.status, p.passed, p.reason) == ("closed", False, "participation_too_low")
    services.proposals_tick(now=after(p, hours=1))  # idempotent
    assert AuditEvent.objects.filter(action="proposal.closed").count() == 1


def test_majority_with_quorum(group: Any) -> None:
    g = group(5)
    p = g.open(process="majority", quorum=0.6)
    g.say(p, 0, "agree")
    g.say(p, 1, "agree")
    g.say(p, 2, "object", "No.")
    closed = services.proposal_close(proposal_id=p.pk, now=after(p))
    assert closed is not None and (closed.passed, closed.reason) == (True, "passed")


def test_close_is_idempotent_and_returns_none_when_not_due(group: Any) -> None:
    g = group(3)
    p = g.open()
    assert services.proposal_close(proposal_id=p.pk) is None
    assert services.proposal_close(proposal_id=p.pk, now=after(p)) is not None
    assert services.proposal_close(proposal_id=p.pk, now=after(p)) is None
    assert services.proposal_close(proposal_id=999999, now=after(p)) is None


def test_outcome_and_review_after_the_close(group: Any) -> None:
    g = group(3)
    p = g.open()
    with pytest.raises(DomainError, match="closed"):
        services.outcome_set(proposal=p, user=g.users[1], outcome="Tea it is.")
    for i in range(3):
        g.say(p, i, "agree")
    tomorrow = timezone.localdate() + timedelta(days=1)
    for bad in (
        {"outcome": " "},
        {"outcome": "x" * 2001},
        {"outcome": "Ok", "review_on": timezone.localdate()},
    ):
        with pytest.raises(DomainError):
            services.outcome_set(proposal=p, user=g.users[1], **bad)
    services.outcome_set(proposal=p, user=g.users[2], outcome=" Tea it is. ", review_on=tomorrow)
    p.refresh_from_db()
    assert (p.outcome, p.review_on) == ("Tea it is.", tomorrow)
    view = selectors.proposal_view(proposal=p, membership=g.m(0))
    assert view.can_set_outcome and not view.can_vote


# --------------------------------------------------------------------------- notifications


def test_opening_tells_the_voters_but_the_opener(group: Any) -> None:
    g = group(4)
    p = g.open(1)
    assert notified(Kind.PROPOSAL_OPENED) == ids(g, 0, 2, 3)
    assert notified(Kind.PROPOSAL_ABOUT_YOU) == set()
    url = Notification.objects.filter(kind=Kind.PROPOSAL_OPENED).values_list("url", flat=True).first()
    assert url is not None and p.code in url and g.circle.name not in url


def test_a_removal_tells_its_subject_apart(group: Any) -> None:
    g = group(4)
    g.open(1, kind="removal", subject_ref=g.m(3).pk)
    assert notified(Kind.PROPOSAL_OPENED) == ids(g, 0, 2)
    assert notified(Kind.PROPOSAL_ABOUT_YOU) == ids(g, 3)


def test_closing_soon_reminds_only_the_silent_voters_once(group: Any) -> None:
    g = group(4)
    p = g.open(0, days=4)
    g.say(p, 1, "agree")
    circle_services.membership_leave(circle=g.circle, user=g.users[3])
    services.proposals_tick(now=p.deadline - timedelta(hours=25))
    assert notified(Kind.PROPOSAL_CLOSING) == set()
    services.proposals_tick(now=p.deadline - timedelta(hours=23))
    services.proposals_tick(now=p.deadline - timedelta(hours=22))
    assert notified(Kind.PROPOSAL_CLOSING) == ids(g, 0, 2)
    assert Notification.objects.filter(kind=Kind.PROPOSAL_CLOSING).count() == 2


def test_a_one_day_proposal_is_not_reminded_in_its_first_half(group: Any) -> None:
    g = group(3)
    p = g.open(0, days=1)
    services.proposals_tick(now=p.opened_at + timedelta(hours=11))
    assert notified(Kind.PROPOSAL_CLOSING) == set()
    services.proposals_tick(now=p.opened_at + timedelta(hours=13))
    assert notified(Kind.PROPOSAL_CLOSING) == ids(g, 0, 1, 2)


def test_closing_tells_every_current_member(group: Any, make_user: Any) -> None:
    g = group(3)
    p = g.open()
    late = make_user()
    join(g.circle, late, "Late")
    circle_services.membership_leave(circle=g.circle, user=g.users[2])
    services.proposal_close(proposal_id=p.pk, now=after(p))
    assert notified(Kind.PROPOSAL_CLOSED) == ids(g, 0, 1) | {late.pk}


def test_the_review_day_reminds_every_member_once(group: Any) -> None:
    g = group(3)
    p = g.open()
    for i in range(3):
        g.say(p, i, "agree")
    day = timezone.localdate() + timedelta(days=2)
    services.outcome_set(proposal=p, user=g.users[0], outcome="Tea.", review_on=day)
    services.proposals_tick(now=timezone.now() + timedelta(days=1))
    assert notified(Kind.REVIEW_DUE) == set()
    services.proposals_tick(now=timezone.now() + timedelta(days=2, hours=1))
    services.proposals_tick(now=timezone.now() + timedelta(days=2, hours=2))
    assert notified(Kind.REVIEW_DUE) == ids(g, 0, 1, 2)
    assert Notification.objects.filter(kind=Kind.REVIEW_DUE).count() == 3


def test_notifications_carry_no_group_words(group: Any) -> None:
    g = group(3, name="Grieving parents of Sabadell")
    p = g.open(0, title="Tea in the Sabadell grief circle", body="About grief")
    services.comment_add(proposal=p, user=g.users[1], text="grief grief")
    for i in range(3):
        g.say(p, i, "agree")
    rows = list(Notification.objects.values_list("kind", "url", "once_key"))
    assert {k for k, _u, _o in rows} == {Kind.PROPOSAL_OPENED, Kind.PROPOSAL_CLOSED}
    assert not any(
        "abadell" in repr(r) or "grief" in repr(r).lower() or "tea" in repr(r).lower() for r in rows
    )


def test_member_status_is_what_counts(group: Any) -> None:
    """Only status 'member' votes: the frozen list is read against each voter's current status."""
    g = group(3)
    p = g.open()
    Membership.objects.filter(pk=g.m(2).pk).update(status=MembershipStatus.WAITING)
    view = selectors.proposal_view(proposal=p, membership=g.m(0))
    assert view.participation.counted == 2

"""Joining a group that reviews newcomers (§3.2, decision 0021): a join request, the members' answers
(consent: no objection → member), the requester's neutral status, withdrawal, and who may do what."""

import inspect
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import client_for, join
from mutua.accounts.services import api_token_create
from mutua.circles import join_requests, services
from mutua.circles.join_requests import (
    join_request_respond,
    join_request_withdraw,
    join_requests_tick,
)
from mutua.circles.models import Circle, Membership, MembershipStatus, PledgeAcceptance, RequestOutcome
from mutua.core.errors import DomainError
from mutua.notifications.models import Kind, Notification

REASON = "We had a hard time with this person in another group."


def ask(circle, user, pseudonym="Newcomer", message=""):
    return services.membership_join(
        circle=circle,
        user=user,
        pseudonym=pseudonym,
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=1,
        message=message,
    )


def review(circle):
    Circle.objects.filter(pk=circle.pk).update(reviews_newcomers=True)
    circle.refresh_from_db()
    return circle


@pytest.fixture
def group(make_circle, make_user):
    """A group of three members (maximum 5) that reviews newcomers, and a newcomer."""
    founder = make_user()
    circle = make_circle(founder=founder, max_members=5)
    ana, bea = make_user(), make_user()
    join(circle, ana, "Ana")
    join(circle, bea, "Bea")
    return {
        "circle": review(circle),
        "members": [founder, ana, bea],
        "newcomer": make_user(),
        "outsider": make_user(),
    }


def status_of(user, circle):
    return Membership.objects.get(user=user, circle=circle).status


def ref_of(user, circle):
    return Membership.objects.get(user=user, circle=circle).request_ref


def api(user):
    _row, raw = api_token_create(user=user, name="t")
    return client_for(None), {"Authorization": f"Bearer {raw}"}


# --------------------------------------------------------------------------- asking


def test_joining_a_reviewing_group_asks_first_with_the_same_consent(group):
    circle, newcomer = group["circle"], group["newcomer"]
    before = timezone.now()
    m = ask(circle, newcomer, message="  I lost my son last year.  ")
    assert m.status == MembershipStatus.REQUESTED
    assert m.request_message == "I lost my son last year."
    assert len(m.request_ref) == 10
    assert before + timedelta(days=3) <= m.request_deadline <= timezone.now() + timedelta(days=3)
    # The consent is recorded now, as any join records it.
    assert m.pledge_version == 1 and m.agreements_version == circle.agreements_version
    assert PledgeAcceptance.objects.filter(user=newcomer, circle=circle).count() == 1
    # Not a member, holds no seat.
    circle.refresh_from_db()
    assert circle.member_count == 3 and circle.seats_held == 3
    # Every member is told, neutrally, with a link to the requests page; the newcomer is not.
    told = Notification.objects.filter(kind=Kind.JOIN_REQUEST)
    assert sorted(told.values_list("user_id", flat=True)) == sorted(u.pk for u in group["members"])
    assert {n.url for n in told} == {f"/groups/{circle.code}/requests/"}


def test_asking_needs_the_same_consent_as_joining(group):
    circle, newcomer = group["circle"], group["newcomer"]
    with pytest.raises(DomainError):
        services.membership_join(
            circle=circle,
            user=newcomer,
            pseudonym="N",
            confirms_experience=False,
            accepts_pledge=True,
            pledge_version=1,
        )
    with pytest.raises(DomainError):
        services.membership_join(
            circle=circle,
            user=newcomer,
            pseudonym="N",
            confirms_experience=True,
            accepts_pledge=False,
            pledge_version=1,
        )
    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_unverified_person_cannot_ask(group, make_user):
    with pytest.raises(DomainError):
        ask(group["circle"], make_user(verified=False))
    assert Membership.objects.filter(status=MembershipStatus.REQUESTED).count() == 0


def test_asking_counts_against_the_join_rate_limit(group):
    circle, newcomer = group["circle"], group["newcomer"]
    for _ in range(5):
        with pytest.raises(DomainError) as taken:
            ask(circle, newcomer, pseudonym="Ana")  # a member's pseudonym: refused, but counted
        assert taken.value.code == "invalid"
    with pytest.raises(DomainError) as limited:
        ask(circle, newcomer, pseudonym="Someone else")
    assert limited.value.code == "rate_limited"


def test_the_message_is_optional_and_short(group):
    circle = group["circle"]
    with pytest.raises(DomainError):
        ask(circle, group["newcomer"], message="x" * 501)
    assert ask(circle, group["newcomer"], message="").request_message == ""


def test_a_request_reserves_its_pseudonym(group, make_user):
    circle = group["circle"]
    ask(circle, group["newcomer"], pseudonym="Lark")
    with pytest.raises(DomainError):
        ask(circle, make_user(), pseudonym="lark")


def test_a_person_with_a_live_membership_cannot_ask_again(group):
    circle, newcomer = group["circle"], group["newcomer"]
    ask(circle, newcomer)
    with pytest.raises(DomainError) as again:
        ask(circle, newcomer, pseudonym="Other")
    assert again.value.code == "conflict"
    with pytest.raises(DomainError) as member:
        ask(circle, group["members"][1], pseudonym="Other")
    assert member.value.code == "conflict"
    assert Membership.objects.filter(user=newcomer).count() == 1


def test_a_closed_group_takes_no_requests(group):
    circle = group["circle"]
    Circle.objects.filter(pk=circle.pk).update(open=False)
    circle.refresh_from_db()
    with pytest.raises(DomainError):
        ask(circle, group["newcomer"])
    assert not Membership.objects.filter(user=group["newcomer"]).exists()


def test_a_direct_join_on_a_reviewing_group_is_refused_at_the_lock(group):
    """The page was read while the group was open; it began reviewing newcomers since: no direct join."""
    circle = group["circle"]
    stale = Circle.objects.get(pk=circle.pk)
    stale.reviews_newcomers = False  # what the join page saw
    with pytest.raises(DomainError) as changed:
        ask(stale, group["newcomer"])
    assert changed.value.code == "conflict"
    assert not Membership.objects.filter(user=group["newcomer"]).exists()


# --------------------------------------------------------------------------- answers and resolution


def test_welcomed_by_every_member_joins_at_once_with_the_consent_given(group):
    circle, newcomer = group["circle"], group["newcomer"]
    ask(circle, newcomer)
    ref = ref_of(newcomer, circle)
    for member in group["members"][:2]:
        join_request_respond(circle=circle, user=member, request_ref=ref, decision="welcome")
        assert status_of(newcomer, circle) == MembershipStatus.REQUESTED
    join_request_respond(circle=circle, user=group["members"][2], request_ref=ref, decision="welcome")
    m = Membership.objects.get(user=newcomer, circle=circle)
    assert m.status == MembershipStatus.MEMBER and m.joined_at is not None
    assert m.request_outcome == RequestOutcome.ADMITTED
    assert m.welcomed_at is None  # the welcome step comes next
    # The consent given when asking is the one on record: not written a second time.
    assert PledgeAcceptance.objects.filter(user=newcomer, circle=circle).count() == 1
    assert m.pledge_version == 1
    circle.refresh_from_db()
    assert circle.member_count == 4
    told = Notification.objects.get(user=newcomer, kind=Kind.JOIN_CONFIRMED)
    assert told.url == f"/groups/{circle.code}/welcome/"


def test_without_any_answer_the_deadline_admits(group):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer)
    assert join_requests_tick(now=m.request_deadline - timedelta(minutes=1)) == 0
    assert status_of(newcomer, circle) == MembershipStatus.REQUESTED
    assert join_requests_tick(now=m.request_deadline + timedelta(minutes=1)) == 1
    assert status_of(newcomer, circle) == MembershipStatus.MEMBER
    # Idempotent: a second tick changes nothing and tells nobody again.
    assert join_requests_tick(now=m.request_deadline + timedelta(minutes=6)) == 0
    assert Notification.objects.filter(user=newcomer, kind=Kind.JOIN_CONFIRMED).count() == 1


def test_some_welcomes_wait_for_the_deadline(group):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer)
    join_request_respond(
        circle=circle, user=group["members"][0], request_ref=m.request_ref, decision="welcome"
    )
    assert join_requests_tick() == 0
    assert status_of(newcomer, circle) == MembershipStatus.REQUESTED
    join_requests_tick(now=m.request_deadline)
    assert status_of(newcomer, circle) == MembershipStatus.MEMBER


def test_one_objection_closes_it_at_the_deadline_with_a_neutral_notice(group):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer)
    join_request_respond(
        circle=circle, user=group["members"][1], request_ref=m.request_ref, decision="object", reason=REASON
    )
    join_request_respond(
        circle=circle, user=group["members"][0], request_ref=m.request_ref, decision="welcome"
    )
    assert join_requests_tick() == 0  # not everyone answered, the deadline is ahead: still open
    assert join_requests_tick(now=m.request_deadline + timedelta(seconds=1)) == 1
    m.refresh_from_db()
    assert m.status == MembershipStatus.LEFT and m.request_outcome == RequestOutcome.CLOSED
    notice = Notification.objects.get(user=newcomer, kind=Kind.JOIN_REQUEST_CLOSED)
    assert notice.url == f"/groups/{circle.code}/"
    assert not Notification.objects.filter(user=newcomer, kind=Kind.JOIN_CONFIRMED).exists()


def test_everyone_answered_with_one_objection_closes_at_once(group):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer)
    join_request_respond(
        circle=circle, user=group["members"][0], request_ref=m.request_ref, decision="welcome"
    )
    join_request_respond(
        circle=circle, user=group["members"][1], request_ref=m.request_ref, decision="welcome"
    )
    join_request_respond(
        circle=circle, user=group["members"][2], request_ref=m.request_ref, decision="object", reason=REASON
    )
    assert status_of(newcomer, circle) == MembershipStatus.LEFT


def test_an_objection_can_be_changed_until_the_request_is_settled(group):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer)
    ana = group["members"][1]
    join_request_respond(circle=circle, user=ana, request_ref=m.request_ref, decision="object", reason=REASON)
    join_request_respond(
        circle=circle, user=ana, request_ref=m.request_ref, decision="welcome", reason="ignored"
    )
    from mutua.governance.models import JoinResponse

    answer = JoinResponse.objects.get(request=m)
    assert (answer.decision, answer.reason) == ("welcome", "")
    join_requests_tick(now=m.request_deadline)
    assert status_of(newcomer, circle) == MembershipStatus.MEMBER
    # Settled: nobody can answer it any more.
    with pytest.raises(DomainError) as closed:
        join_request_respond(
            circle=circle, user=ana, request_ref=m.request_ref, decision="object", reason="x"
        )
    assert closed.value.code == "not_found"


def test_an_objection_needs_a_reason_of_at_most_1000_characters(group):
    circle = group["circle"]
    m = ask(circle, group["newcomer"])
    member = group["members"][0]
    for reason in ("", "   ", "x" * 1001):
        with pytest.raises(DomainError):
            join_request_respond(
                circle=circle, user=member, request_ref=m.request_ref, decision="object", reason=reason
            )
    with pytest.raises(DomainError):
        join_request_respond(circle=circle, user=member, request_ref=m.request_ref, decision="maybe")
    join_request_respond(
        circle=circle, user=member, request_ref=m.request_ref, decision="object", reason="x" * 1000
    )


def test_a_member_who_left_stops_counting(group):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer)
    founder, ana, bea = group["members"]
    join_request_respond(circle=circle, user=bea, request_ref=m.request_ref, decision="object", reason=REASON)
    join_request_respond(circle=circle, user=founder, request_ref=m.request_ref, decision="welcome")
    services.membership_leave(circle=circle, user=bea)  # her objection leaves with her
    join_request_respond(circle=circle, user=ana, request_ref=m.request_ref, decision="welcome")
    assert status_of(newcomer, circle) == MembershipStatus.MEMBER


def test_welcomed_into_a_full_group_joins_its_waiting_list(group, make_user):
    circle, newcomer = group["circle"], group["newcomer"]
    Circle.objects.filter(pk=circle.pk).update(reviews_newcomers=False)
    circle.refresh_from_db()
    for _ in range(2):
        join(circle, make_user())
    circle = review(circle)
    assert circle.is_full
    m = ask(circle, newcomer)
    join_requests_tick(now=m.request_deadline)
    m.refresh_from_db()
    assert m.status == MembershipStatus.WAITING and m.request_outcome == RequestOutcome.ADMITTED
    notice = Notification.objects.get(user=newcomer, kind=Kind.JOIN_REQUEST_CLOSED)
    assert notice.url == f"/groups/{circle.code}/status/"
    page = client_for(newcomer).get(notice.url).content.decode()
    assert "The group welcomed you. It is full right now" in page


def test_a_forming_group_counts_normally(make_circle, make_user):
    founder = make_user()
    circle = review(make_circle(founder=founder))
    assert circle.status == "forming"
    newcomer = make_user()
    m = ask(circle, newcomer)
    join_request_respond(circle=circle, user=founder, request_ref=m.request_ref, decision="welcome")
    assert status_of(newcomer, circle) == MembershipStatus.MEMBER


def test_a_group_that_stops_reviewing_admits_pending_requests_at_the_next_tick(group):
    circle, newcomer = group["circle"], group["newcomer"]
    ask(circle, newcomer)
    Circle.objects.filter(pk=circle.pk).update(reviews_newcomers=False)
    assert join_requests_tick() == 1
    assert status_of(newcomer, circle) == MembershipStatus.MEMBER


def test_a_group_that_closes_closes_pending_requests_at_the_next_tick(group):
    circle, newcomer = group["circle"], group["newcomer"]
    ask(circle, newcomer)
    Circle.objects.filter(pk=circle.pk).update(open=False)
    assert join_requests_tick() == 1
    m = Membership.objects.get(user=newcomer)
    assert m.status == MembershipStatus.LEFT and m.request_outcome == RequestOutcome.CLOSED
    assert Notification.objects.filter(user=newcomer, kind=Kind.JOIN_REQUEST_CLOSED).count() == 1


def test_not_this_time_can_be_asked_again_only_after_a_pause(group):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer)
    founder, ana, bea = group["members"]
    join_request_respond(
        circle=circle, user=founder, request_ref=m.request_ref, decision="object", reason=REASON
    )
    join_request_respond(circle=circle, user=ana, request_ref=m.request_ref, decision="welcome")
    join_request_respond(circle=circle, user=bea, request_ref=m.request_ref, decision="welcome")
    assert status_of(newcomer, circle) == MembershipStatus.LEFT  # everyone answered: settled now
    with pytest.raises(DomainError) as soon:
        ask(circle, newcomer)
    assert soon.value.code == "conflict" and "ask again from" in str(soon.value)
    Membership.objects.filter(pk=m.pk).update(left_at=timezone.now() - timedelta(days=31))
    again = ask(circle, newcomer)
    assert again.status == MembershipStatus.REQUESTED and again.request_ref != m.request_ref
    # The earlier answers do not carry over to the new request.
    assert again.join_responses.count() == 0


# --------------------------------------------------------------------------- withdrawing


def test_withdrawing_is_one_step_after_a_confirmation(group):
    circle, newcomer = group["circle"], group["newcomer"]
    ask(circle, newcomer)
    c = client_for(newcomer)
    status = c.get(f"/groups/{circle.code}/status/").content.decode()
    assert f"/groups/{circle.code}/request/withdraw/" in status and "Withdraw my request" in status
    confirm = c.get(f"/groups/{circle.code}/request/withdraw/")
    assert confirm.status_code == 200 and status_of(newcomer, circle) == MembershipStatus.REQUESTED
    done = c.post(f"/groups/{circle.code}/request/withdraw/")
    assert done.status_code == 302 and done["Location"] == "/me/groups/"
    m = Membership.objects.get(user=newcomer)
    assert m.status == MembershipStatus.LEFT and m.request_outcome == RequestOutcome.WITHDRAWN
    # Nothing left to answer, and the requester is an outsider again.
    assert (
        join_requests.requests_open(
            circle=circle, membership=Membership.objects.get(user=group["members"][0])
        )
        == []
    )
    assert c.get(f"/groups/{circle.code}/status/").status_code == 404


def test_withdrawing_without_a_request_changes_nothing(group):
    with pytest.raises(DomainError):
        join_request_withdraw(circle=group["circle"], user=group["members"][0])
    assert status_of(group["members"][0], group["circle"]) == MembershipStatus.MEMBER


# --------------------------------------------------------------------------- what each person sees


def test_the_requester_sees_only_a_neutral_status_and_no_group_content(group):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer, message="Hello")
    join_request_respond(
        circle=circle, user=group["members"][0], request_ref=m.request_ref, decision="object", reason=REASON
    )
    c = client_for(newcomer)
    status = c.get(f"/groups/{circle.code}/status/")
    page = status.content.decode()
    assert status.status_code == 200
    assert "The group is looking at your request" in page and "Hello" in page
    assert REASON not in page and "Ana" not in page and "objects" not in page
    for path in ("home", "requests", f"requests/{m.request_ref}", "welcome", "meetings", "pseudonym"):
        assert c.get(f"/groups/{circle.code}/{path}/").status_code == 404, path
    client, auth = api(newcomer)
    for path in ("home", "requests", "meetings"):
        assert client.get(f"/api/v1/groups/{circle.code}/{path}", headers=auth).status_code == 404, path
    mine = client.get(f"/api/v1/groups/{circle.code}/request", headers=auth).json()
    assert mine["state"] == "requested" and mine["message"] == "Hello" and mine["answer_by"]


def test_not_this_time_never_shows_who_or_why(group):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer)
    join_request_respond(
        circle=circle, user=group["members"][1], request_ref=m.request_ref, decision="object", reason=REASON
    )
    join_requests_tick(now=m.request_deadline)
    c = client_for(newcomer)
    public = c.get(f"/groups/{circle.code}/").content.decode()
    assert "Your request to join this group was not accepted this time." in public
    assert REASON not in public and "Ana" not in public
    client, auth = api(newcomer)
    body = client.get(f"/api/v1/groups/{circle.code}/request", headers=auth).content.decode()
    assert json.loads(body) == {"state": "not_this_time", "message": "", "answer_by": None}
    assert REASON not in body and "Ana" not in body
    notes = client.get("/api/v1/me/notifications", headers=auth).content.decode()
    assert REASON not in notes and "Ana" not in notes and circle.name not in notes


def test_members_see_the_request_and_each_others_answers(group):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer, pseudonym="Lark", message="I would like to join")
    founder, ana, bea = group["members"]
    join_request_respond(circle=circle, user=ana, request_ref=m.request_ref, decision="object", reason=REASON)
    home = client_for(bea).get(f"/groups/{circle.code}/home/").content.decode()
    assert "Asking to join" in home and "Lark" in home and f"/groups/{circle.code}/requests/" in home
    page = client_for(bea).get(f"/groups/{circle.code}/requests/").content.decode()
    assert "Lark" in page and "I would like to join" in page
    assert "Ana objects:" in page and REASON in page
    assert "2 members have not answered yet." in page
    assert newcomer.email not in page


def test_a_member_answers_on_the_page(group):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer)
    c = client_for(group["members"][0])
    url = f"/groups/{circle.code}/requests/{m.request_ref}/"
    refused = c.post(url, {"decision": "object", "reason": ""})
    assert refused.status_code == 400 and "Please say why you object" in refused.content.decode()
    ok = c.post(url, {"decision": "object", "reason": REASON})
    assert ok.status_code == 302 and ok["Location"] == f"/groups/{circle.code}/requests/"
    page = c.get(ok["Location"]).content.decode()
    assert 'value="object" id="object-' in page and " checked" in page and REASON in page
    assert c.post(f"/groups/{circle.code}/requests/nosuchref/", {"decision": "welcome"}).status_code == 404


def test_the_requests_page_reads_a_bounded_number_of_queries(group, make_user, django_assert_max_num_queries):
    circle = group["circle"]
    member = Membership.objects.get(user=group["members"][0], circle=circle)
    for i in range(4):
        ask(circle, make_user(), pseudonym=f"New {i}")
    for r in Membership.objects.filter(status=MembershipStatus.REQUESTED):
        join_request_respond(
            circle=circle, user=group["members"][1], request_ref=r.request_ref, decision="welcome"
        )
    with django_assert_max_num_queries(3):
        rows = join_requests.requests_open(circle=circle, membership=member)
    assert len(rows) == 4 and all(len(r.answers) == 1 for r in rows)


# --------------------------------------------------------------------------- P2: who may act


def test_p2_a_requester_cannot_answer_any_request(group, make_user):
    circle, newcomer = group["circle"], group["newcomer"]
    other = make_user()
    mine = ask(circle, newcomer)
    theirs = ask(circle, other, pseudonym="Other")
    for ref in (mine.request_ref, theirs.request_ref):
        with pytest.raises(DomainError) as refused:
            join_request_respond(circle=circle, user=newcomer, request_ref=ref, decision="welcome")
        assert refused.value.code == "not_found"
        assert (
            client_for(newcomer)
            .post(f"/groups/{circle.code}/requests/{ref}/", {"decision": "welcome"})
            .status_code
            == 404
        )
        client, auth = api(newcomer)
        put = client.put(
            f"/api/v1/groups/{circle.code}/requests/{ref}",
            data=json.dumps({"decision": "welcome"}),
            content_type="application/json",
            headers=auth,
        )
        assert put.status_code == 404
    from mutua.governance.models import JoinResponse

    assert JoinResponse.objects.count() == 0


def test_p2_outsiders_and_members_of_other_groups_cannot_answer(group, make_circle):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer)
    elsewhere = make_circle()  # its founder is a member of another group only
    for user in (group["outsider"], elsewhere.memberships.get().user):
        with pytest.raises(DomainError):
            join_request_respond(circle=circle, user=user, request_ref=m.request_ref, decision="welcome")
    assert status_of(newcomer, circle) == MembershipStatus.REQUESTED


def test_p2_only_the_person_asks_and_nobody_withdraws_for_another(group):
    circle, newcomer, victim = group["circle"], group["newcomer"], group["outsider"]
    c = client_for(newcomer)
    c.post(
        f"/groups/{circle.code}/join/",
        {
            "pseudonym": "Alba",
            "confirms_experience": "on",
            "accepts_pledge": "on",
            "pledge_version": 1,
            "agreements_version": circle.agreements_version,
            "message": "Hi",
            "user": victim.pk,
            "user_id": victim.pk,
            "email": victim.email,
        },
    )
    assert not Membership.objects.filter(user=victim).exists()
    assert status_of(newcomer, circle) == MembershipStatus.REQUESTED
    # A member cannot withdraw the newcomer's request, by page or by API.
    member = group["members"][0]
    client_for(member).post(f"/groups/{circle.code}/request/withdraw/", {"user": newcomer.pk})
    client, auth = api(member)
    assert client.delete(f"/api/v1/groups/{circle.code}/request", headers=auth).status_code == 404
    assert status_of(newcomer, circle) == MembershipStatus.REQUESTED
    assert status_of(member, circle) == MembershipStatus.MEMBER


def test_p2_the_services_take_only_the_acting_person():
    for fn in (
        join_requests.join_request_create,
        join_requests.join_request_respond,
        join_requests.join_request_withdraw,
        join_requests.welcome_done,
    ):
        people = [
            p
            for p in inspect.signature(fn).parameters
            if p in {"user", "member", "person", "target", "users"}
        ]
        assert people == ["user"], fn.__name__


# --------------------------------------------------------------------------- pages and API


def test_the_join_page_of_a_reviewing_group_explains_and_offers_the_message(group):
    circle, newcomer = group["circle"], group["newcomer"]
    c = client_for(newcomer)
    page = c.get(f"/groups/{circle.code}/join/").content.decode()
    assert "This group welcomes newcomers first" in page
    assert 'name="message"' in page and "Ask to join" in page
    public = c.get(f"/groups/{circle.code}/").content.decode()
    assert "Ask to join" in public
    r = c.post(
        f"/groups/{circle.code}/join/",
        {
            "pseudonym": "Alba",
            "confirms_experience": "on",
            "accepts_pledge": "on",
            "pledge_version": 1,
            "agreements_version": circle.agreements_version,
            "message": "Hello, everyone",
        },
    )
    assert r.status_code == 302 and r["Location"] == f"/groups/{circle.code}/status/"
    m = Membership.objects.get(user=newcomer)
    assert m.status == MembershipStatus.REQUESTED and m.request_message == "Hello, everyone"
    # Asking again sends the person to their status.
    assert c.get(f"/groups/{circle.code}/join/")["Location"] == f"/groups/{circle.code}/status/"


def test_an_open_group_has_no_message_field(make_circle, make_user):
    circle = make_circle()
    page = client_for(make_user()).get(f"/groups/{circle.code}/join/").content.decode()
    assert 'name="message"' not in page and "Ask to join" not in page


def test_api_join_on_a_reviewing_group_answers_202_requested(group):
    circle, newcomer = group["circle"], group["newcomer"]
    client, auth = api(newcomer)
    body = {"pseudonym": "Alba", "confirms_experience": True, "accepts_pledge": True, "pledge_version": 1}
    r = client.post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps({**body, "message": "Hi"}),
        content_type="application/json",
        headers=auth,
    )
    assert r.status_code == 202
    assert r.json()["status"] == "requested" and r.json()["request_answer_by"]
    assert Membership.objects.get(user=newcomer).request_message == "Hi"
    too_long = client.post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps({**body, "message": "x" * 501}),
        content_type="application/json",
        headers=auth,
    )
    assert too_long.status_code == 422


def test_api_members_list_and_answer_requests(group):
    circle, newcomer = group["circle"], group["newcomer"]
    m = ask(circle, newcomer, pseudonym="Lark", message="Hi")
    founder, ana, bea = group["members"]
    client, auth = api(ana)
    listed = client.get(f"/api/v1/groups/{circle.code}/requests", headers=auth)
    assert listed.status_code == 200
    [row] = listed.json()
    assert row["ref"] == m.request_ref and row["pseudonym"] == "Lark" and row["message"] == "Hi"
    assert row["unanswered"] == 3 and row["answers"] == [] and row["your_decision"] == ""
    url = f"/api/v1/groups/{circle.code}/requests/{m.request_ref}"
    no_reason = client.put(
        url, data=json.dumps({"decision": "object"}), content_type="application/json", headers=auth
    )
    assert no_reason.status_code == 400
    put = client.put(
        url,
        data=json.dumps({"decision": "object", "reason": REASON}),
        content_type="application/json",
        headers=auth,
    )
    assert put.status_code == 200 and put.json() == {
        "decision": "object",
        "reason": REASON,
        "still_open": True,
    }
    again = client.get(f"/api/v1/groups/{circle.code}/requests", headers=auth).json()[0]
    assert again["your_decision"] == "object"
    assert again["answers"] == [{"pseudonym": "Ana", "decision": "object", "reason": REASON, "yours": True}]
    for user in (founder, bea):
        c, a = api(user)
        last = c.put(
            url, data=json.dumps({"decision": "welcome"}), content_type="application/json", headers=a
        )
    assert last.json()["still_open"] is False  # everyone answered: settled, not this time
    assert status_of(newcomer, circle) == MembershipStatus.LEFT


def test_api_withdraw(group):
    circle, newcomer = group["circle"], group["newcomer"]
    ask(circle, newcomer)
    client, auth = api(newcomer)
    assert client.delete(f"/api/v1/groups/{circle.code}/request", headers=auth).status_code == 204
    assert status_of(newcomer, circle) == MembershipStatus.LEFT
    assert client.get(f"/api/v1/groups/{circle.code}/request", headers=auth).json()["state"] == "withdrawn"
    assert client.delete(f"/api/v1/groups/{circle.code}/request", headers=auth).status_code == 404


def test_api_own_request_is_404_without_one(group):
    client, auth = api(group["outsider"])
    assert client.get(f"/api/v1/groups/{group['circle'].code}/request", headers=auth).status_code == 404
    assert client.get("/api/v1/groups/zzzzzzzzzz/request", headers=auth).status_code == 404


def test_a_requester_cannot_join_around_the_request_once_the_group_opens(group):
    """The group went back to open: the next tick admits the request; joining directly meanwhile is
    refused rather than recorded as a second consent."""
    circle, newcomer = group["circle"], group["newcomer"]
    ask(circle, newcomer)
    Circle.objects.filter(pk=circle.pk).update(reviews_newcomers=False)
    circle.refresh_from_db()
    client, auth = api(newcomer)
    body = {"pseudonym": "Newcomer", "confirms_experience": True, "accepts_pledge": True, "pledge_version": 1}
    r = client.post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps(body),
        content_type="application/json",
        headers=auth,
    )
    assert r.status_code == 409 and "already asked" in r.json()["detail"]
    assert status_of(newcomer, circle) == MembershipStatus.REQUESTED
    join_requests_tick()
    assert status_of(newcomer, circle) == MembershipStatus.MEMBER
    assert PledgeAcceptance.objects.filter(user=newcomer, circle=circle).count() == 1

"""Forming groups from people waiting (§3.6): interest → run → proposals → formed groups (P2)."""

import json
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import client_for
from mutua.circles import services as circle_services
from mutua.circles.consent import current_pledge_version
from mutua.circles.models import Circle, CircleStatus, Experience, Membership, MembershipStatus
from mutua.matching import selectors, services
from mutua.matching.demo import create_demo_seekers
from mutua.matching.models import (
    GroupOffer,
    Interest,
    InterestStatus,
    MatchingRun,
    OfferKind,
    OfferStatus,
    Proposal,
    ProposalStatus,
    RunStatus,
)
from mutua.meetings.schedule import weekly

EVENINGS = [d * 24 + h for d in range(5) for h in (18, 19, 20)]


def meet_on_tuesdays_at_19(circle: Circle) -> None:
    """Give the group its rhythm the way the app does (`circle_schedule_set`, which also makes a group
    with its minimum active): weekly, Tuesdays at 19:00 Madrid time, the slot matching reads back
    through `Circle.weekly_slot`."""
    circle_services.circle_schedule_set(
        circle=circle, rhythm=weekly(1, 19, "Europe/Madrid", date(2026, 1, 6)), user=None
    )
    circle.refresh_from_db()


@pytest.fixture
def loaded(db):
    call_command("load_content", verbosity=0)


def register(
    user, experience="alcohol", languages=("es",), availability=EVENINGS, mode="online", place=None, **kw
):
    return services.interest_save(
        user=user,
        experience=Experience.objects.get(slug=experience),
        other_experiences=[],
        languages=list(languages),
        timezone_name=kw.pop("tz", "Europe/Madrid"),
        availability=list(availability),
        mode=mode,
        place=place,
        max_travel_km=kw.pop("km", 20),
        women_only=kw.pop("women_only", False),
        is_woman=kw.pop("is_woman", False),
    )


def start_run(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_create(staff=staff)
    run.refresh_from_db()
    return run


def accept(user, offer, pseudonym=None):
    return services.proposal_accept(
        user=user,
        offer_code=offer.code,
        pseudonym=pseudonym or f"P{user.pk}",
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=current_pledge_version(),
    )


def test_interest_needs_hours_and_a_place_for_in_person(loaded, make_user):
    from mutua.core.errors import DomainError

    with pytest.raises(DomainError, match="hour"):
        register(make_user(), availability=[])
    with pytest.raises(DomainError, match="area"):
        register(make_user(), mode="in_person", place=None)
    with pytest.raises(DomainError, match="Women-only"):
        register(make_user(), women_only=True, is_woman=False)
    assert not Interest.objects.exists()


def test_only_staff_can_start_a_run(loaded, make_user):
    from mutua.core.errors import DomainError

    with pytest.raises(DomainError):
        services.run_create(staff=make_user())
    assert not MatchingRun.objects.exists()


def test_p2_a_run_only_proposes_and_a_group_forms_when_five_accept(
    loaded, make_user, django_capture_on_commit_callbacks
):
    people = [make_user() for _ in range(7)]
    for p in people:
        register(p)
    run = start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE and run.summary["placed"] == 7 and run.progress == 100
    offer = GroupOffer.objects.get()
    assert offer.kind == OfferKind.NEW_GROUP and offer.proposals.count() == 7
    # Nobody is in a group until they say yes.
    assert not Membership.objects.exists()
    assert set(Interest.objects.values_list("status", flat=True)) == {InterestStatus.PROPOSED}
    for p in people[:4]:
        accept(p, offer)
    assert not Circle.objects.exists()
    services.proposal_decline(user=people[6], offer_code=offer.code)
    assert Interest.objects.get(user=people[6]).status == InterestStatus.ACTIVE
    accept(people[4], offer, "Quinta")
    circle = Circle.objects.get()
    assert circle.member_count == 5 and circle.status == CircleStatus.ACTIVE
    assert set(Membership.objects.filter(circle=circle).values_list("user_id", flat=True)) == {
        p.pk for p in people[:5]
    }
    # The group's rhythm is the slot it was matched on: weekly, at one of the hours everyone is free.
    assert circle.schedule_kind == "weekly" and circle.weekly_slot is not None
    assert circle.weekly_slot[1] in (18, 19, 20) and circle.schedule_start_time.minute == 0
    assert circle.experience.slug == "alcohol" and circle.languages == ["es"]
    # A later yes joins the formed group directly.
    accept(people[5], offer)
    circle.refresh_from_db()
    assert circle.member_count == 6
    assert Membership.objects.filter(user=people[6]).count() == 0


def test_proposal_shows_group_facts_but_never_the_other_people(
    loaded, make_user, django_capture_on_commit_callbacks
):
    people = [make_user() for _ in range(5)]
    for p in people:
        register(p)
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    offer = GroupOffer.objects.get()
    body = client_for(people[0]).get(f"/find/proposals/{offer.code}/").content.decode()
    assert "Alcohol" in body
    for other in people[1:]:
        assert other.email not in body and other.display_name not in body
    assert client_for(make_user()).get(f"/find/proposals/{offer.code}/").status_code == 404


def test_unaccepted_offer_lapses_and_acceptors_keep_priority(
    loaded, make_user, django_capture_on_commit_callbacks
):
    people = [make_user() for _ in range(5)]
    for p in people:
        register(p)
    before = Interest.objects.get(user=people[0]).waiting_since
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    offer = GroupOffer.objects.get()
    accept(people[0], offer)
    accept(people[1], offer)
    GroupOffer.objects.filter(pk=offer.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert services.offers_expire() == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.LAPSED and not Circle.objects.exists()
    i = Interest.objects.get(user=people[0])
    assert i.status == InterestStatus.ACTIVE and i.waiting_since == before
    assert Proposal.objects.filter(status=ProposalStatus.PENDING).count() == 0


def test_unplaced_person_gets_a_plain_explanation(loaded, make_user, django_capture_on_commit_callbacks):
    lonely = make_user()
    register(lonely, experience="tobacco")
    for _ in range(2):
        register(make_user(), experience="tobacco")
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    interest = Interest.objects.get(user=lonely)
    assert interest.status == InterestStatus.ACTIVE
    assert interest.explanation["reason"] == "too_few_peers"
    lines = selectors.explain(interest=interest)
    assert lines == ["2 more people who share your experience and language are needed to form a group."]


def test_free_seat_in_an_existing_group_is_offered(
    make_user, make_circle, django_capture_on_commit_callbacks
):
    from conftest import join

    circle = make_circle(experience=Experience.objects.get(slug="alcohol"), mode="online", place=None)
    for _ in range(4):
        join(circle, make_user())
    meet_on_tuesdays_at_19(circle)
    seeker = make_user()
    register(seeker, availability=[1 * 24 + 19])
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    offer = GroupOffer.objects.get()
    assert offer.kind == OfferKind.SEAT and offer.circle_id == circle.pk
    accept(seeker, offer, "Nueva")
    assert Membership.objects.get(user=seeker, circle=circle).status == MembershipStatus.MEMBER


def test_end_to_end_200_demo_seekers_form_groups(loaded, make_user, django_capture_on_commit_callbacks):
    seekers = create_demo_seekers(200, seed=3)
    run = start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE
    s = run.summary
    assert s["waiting"] == 200 and s["placed"] + s["unplaced"] == 200
    assert 0 < s["placed"] <= s["upper_bound"]
    counts = Counter(Proposal.objects.values_list("user_id", flat=True))
    assert counts and max(counts.values()) == 1  # nobody proposed twice
    offers = list(GroupOffer.objects.filter(kind=OfferKind.NEW_GROUP))
    assert offers and all(5 <= o.proposals.count() <= 10 for o in offers)
    # Everyone proposed says yes: each offer becomes a group with exactly its people.
    by_user = {u.pk: u for u in seekers}
    for o in offers:
        for p in o.proposals.all():
            accept(by_user[p.user_id], o)
    for o in offers:
        o.refresh_from_db()
        assert o.status == OfferStatus.FORMED and o.circle is not None
        members = set(
            Membership.objects.filter(circle=o.circle, status="member").values_list("user_id", flat=True)
        )
        assert members == set(o.proposals.values_list("user_id", flat=True))
        interests = Interest.objects.filter(user_id__in=members)
        assert all(o.language in i.languages and i.experience_id == o.experience_id for i in interests)
    assert Circle.objects.count() == len(offers)
    unplaced = Interest.objects.filter(status=InterestStatus.ACTIVE)
    assert all(selectors.explain(interest=i) for i in unplaced)


def test_find_page_registers_interest_with_the_grid(loaded, make_user):
    user = make_user()
    c = client_for(user)
    assert c.get("/find/").status_code == 200
    response = c.post(
        "/find/",
        {
            "experience": "alcohol",
            "languages": ["es"],
            "timezone": "Europe/Madrid",
            "availability": [42, 43, "zz"],
            "mode": "online",
            "max_travel_km": 15,
        },
    )
    assert response.status_code == 400  # "zz" is not an hour: nothing saved, input kept
    assert not Interest.objects.exists()
    assert 'value="42" id="av-42" checked' in response.content.decode()
    response = c.post(
        "/find/",
        {
            "experience": "alcohol",
            "languages": ["es"],
            "timezone": "Europe/Madrid",
            "availability": [42, 43],
            "mode": "online",
            "max_travel_km": 15,
        },
    )
    assert response.status_code == 302
    assert Interest.objects.get(user=user).availability == [42, 43]
    assert c.post("/find/withdraw/").status_code == 302
    assert Interest.objects.get(user=user).status == InterestStatus.WITHDRAWN


def test_matching_via_api(loaded, make_user, django_capture_on_commit_callbacks):
    from mutua.accounts.services import api_token_create

    people = [make_user() for _ in range(5)]
    headers = {}
    for p in people:
        _row, raw = api_token_create(user=p, name="t")
        headers[p.pk] = {"Authorization": f"Bearer {raw}"}
        r = client_for(None).put(
            "/api/v1/me/interest",
            data=json.dumps(
                {
                    "experience": "alcohol",
                    "languages": ["es"],
                    "timezone": "Europe/Madrid",
                    "availability": EVENINGS,
                    "mode": "online",
                }
            ),
            content_type="application/json",
            headers=headers[p.pk],
        )
        assert r.status_code == 200, r.content
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    for p in people:
        c = client_for(None)
        props = c.get("/api/v1/me/proposals", headers=headers[p.pk]).json()
        assert len(props) == 1 and props[0]["status"] == "pending"
        r = c.post(
            f"/api/v1/proposals/{props[0]['code']}/accept",
            data=json.dumps(
                {
                    "pseudonym": f"A{p.pk}",
                    "confirms_experience": True,
                    "accepts_pledge": True,
                    "pledge_version": current_pledge_version(),
                }
            ),
            content_type="application/json",
            headers=headers[p.pk],
        )
        assert r.status_code == 200, r.content
    assert Circle.objects.get().member_count == 5
    assert client_for(None).get("/api/v1/me/proposals", headers=headers[people[0].pk]).json()[0]["group"]


def test_weekly_command_runs_a_matching(loaded, make_user):
    from io import StringIO

    for _ in range(5):
        register(make_user())
    out = StringIO()
    call_command("matching_run", "--wait", stdout=out)
    run = MatchingRun.objects.get()
    assert run.status == RunStatus.DONE and run.created_by is None
    assert "'placed': 5" in out.getvalue()


def test_interest_rejects_unknown_time_zone_and_language_in_the_service(loaded, make_user):
    from mutua.core.errors import DomainError

    with pytest.raises(DomainError, match="time zone"):
        register(make_user(), tz="Mars/Olympus")
    with pytest.raises(DomainError, match="language"):
        register(make_user(), languages=("xx",))
    assert not Interest.objects.exists()


def _group_with_a_free_tuesday_seat(make_user, make_circle):
    from conftest import join

    circle = make_circle(experience=Experience.objects.get(slug="alcohol"), mode="online", place=None)
    for _ in range(4):
        join(circle, make_user())
    meet_on_tuesdays_at_19(circle)
    return circle


def test_a_group_that_reviews_newcomers_is_not_offered_by_matching(
    make_user, make_circle, django_capture_on_commit_callbacks
):
    """Such a group hears each newcomer ask first (decision 0021); matching must not go around it."""
    circle = _group_with_a_free_tuesday_seat(make_user, make_circle)
    Circle.objects.filter(pk=circle.pk).update(reviews_newcomers=True)
    register(make_user(), availability=[1 * 24 + 19])
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    assert not GroupOffer.objects.filter(kind=OfferKind.SEAT).exists()


def test_a_person_the_group_removed_is_never_offered_its_seat(
    make_user, make_circle, django_capture_on_commit_callbacks
):
    circle = _group_with_a_free_tuesday_seat(make_user, make_circle)
    seeker = make_user()
    Membership.objects.create(
        circle=circle,
        user=seeker,
        status=MembershipStatus.LEFT,
        pseudonym="Gone",
        left_at=timezone.now(),
        removed_at=timezone.now(),
    )
    register(seeker, availability=[1 * 24 + 19])
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    assert not GroupOffer.objects.filter(kind=OfferKind.SEAT, circle=circle).exists()
    # The same person who merely left (no removal) is offered it again, as anyone would be.
    Membership.objects.filter(user=seeker).update(removed_at=None)
    Interest.objects.filter(user=seeker).update(status=InterestStatus.ACTIVE)
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    assert GroupOffer.objects.filter(kind=OfferKind.SEAT, circle=circle).exists()

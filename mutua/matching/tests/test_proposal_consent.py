"""Accepting a proposal records the consent given then, and the group forms with exactly that (P1,
P2, P7). Pseudonym clashes are resolved by asking the person, never by failing the group."""

import json

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from conftest import client_for, join, names
from mutua.accounts.services import api_token_create
from mutua.circles.consent import current_pledge_version
from mutua.circles.models import Circle, Membership, MembershipStatus, Pledge, PledgeAcceptance
from mutua.circles.policies import ConsentRequired, Need, access_circle
from mutua.core.errors import DomainError
from mutua.matching import services
from mutua.matching.models import GroupOffer, OfferKind, Proposal, ProposalStatus
from mutua.matching.tests.test_matching_flow import meet_on_tuesdays_at_19, register, start_run


@pytest.fixture
def offer_for(db, make_user, django_capture_on_commit_callbacks):
    """`offer_for(n)`: n people registered and proposed one new group; returns (offer, people)."""
    call_command("load_content", verbosity=0)

    def make(n: int = 6):
        people = [make_user() for _ in range(n)]
        for p in people:
            register(p)
        start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
        offer = GroupOffer.objects.get(kind=OfferKind.NEW_GROUP)
        return offer, people

    return make


def accept(user, offer, pseudonym, **kw):
    consent = {
        "confirms_experience": True,
        "accepts_pledge": True,
        "pledge_version": current_pledge_version(),
        **kw,
    }
    return services.proposal_accept(user=user, offer_code=offer.code, pseudonym=pseudonym, **consent)


def bump_pledge():
    return Pledge.objects.create(
        version=current_pledge_version() + 1, **names("title", "Pledge 2"), **names("text", "New text.")
    )


# --------------------------------------------------------------------------- consent checked and stored


def test_accepting_without_accepting_the_pledge_is_refused(offer_for):
    offer, people = offer_for(5)
    with pytest.raises(DomainError, match="confidentiality pledge"):
        accept(people[0], offer, "Alba", accepts_pledge=False)
    with pytest.raises(DomainError, match="share this group's experience"):
        accept(people[0], offer, "Alba", confirms_experience=False)
    with pytest.raises(DomainError, match="changed"):
        accept(people[0], offer, "Alba", pledge_version=0)
    assert Proposal.objects.get(user=people[0]).status == ProposalStatus.PENDING


def test_proposal_page_without_the_pledge_checkbox_is_a_400(offer_for):
    offer, people = offer_for(5)
    r = client_for(people[0]).post(
        f"/find/proposals/{offer.code}/",
        {"pseudonym": "Alba", "confirms_experience": "on", "pledge_version": current_pledge_version()},
    )
    assert r.status_code == 400
    assert Proposal.objects.get(user=people[0]).status == ProposalStatus.PENDING


@pytest.mark.parametrize(
    "extra,status", [({}, 422), ({"accepts_pledge": False}, 400)], ids=["missing", "false"]
)
def test_api_accept_requires_accepts_pledge_true(offer_for, extra, status):
    offer, people = offer_for(5)
    _row, raw = api_token_create(user=people[0], name="t")
    body = {
        "pseudonym": "Alba",
        "confirms_experience": True,
        "pledge_version": current_pledge_version(),
        **extra,
    }
    r = client_for(None).post(
        f"/api/v1/proposals/{offer.code}/accept",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert r.status_code == status, r.content
    assert Proposal.objects.get(user=people[0]).status == ProposalStatus.PENDING


def test_acceptance_stores_what_was_accepted_and_when(offer_for):
    offer, people = offer_for(5)
    before = timezone.now()
    accept(people[0], offer, "Alba")
    p = Proposal.objects.get(user=people[0])
    assert (p.confirms_experience, p.pledge_version, p.agreements_version) == (
        True,
        current_pledge_version(),
        1,
    )
    assert p.consented_at is not None and p.consented_at >= before


def test_formation_uses_the_stored_consent_not_the_pledge_at_formation(offer_for):
    offer, people = offer_for(6)
    for i, p in enumerate(people[:4]):
        accept(p, offer, f"Early{i}")
    early = Proposal.objects.get(user=people[0]).consented_at
    v = current_pledge_version()
    bump_pledge()
    accept(people[4], offer, "Late", pledge_version=v + 1)
    circle = Circle.objects.get()
    by_user = {m.user_id: m for m in Membership.objects.filter(circle=circle)}
    assert len(by_user) == 5 and all(m.status == MembershipStatus.MEMBER for m in by_user.values())
    # The four early people accepted pledge v1: that is what is recorded, with the moment they said yes.
    assert [by_user[p.pk].pledge_version for p in people[:4]] == [v, v, v, v]
    assert by_user[people[4].pk].pledge_version == v + 1
    founder_acceptance = PledgeAcceptance.objects.get(user=people[0], circle=circle)
    assert founder_acceptance.pledge_version == v and founder_acceptance.accepted_at == early
    # They are members, and the gate asks them to accept v2 before they see anything.
    with pytest.raises(ConsentRequired):
        access_circle(people[0], circle.code, Need.MEMBER)
    r = client_for(people[0]).get(f"/groups/{circle.code}/home/")
    assert r.status_code == 302 and r["Location"] == f"/groups/{circle.code}/consent/"
    assert access_circle(people[4], circle.code, Need.MEMBER)[0].pk == circle.pk


def test_formation_refuses_consent_without_the_shared_experience(offer_for):
    """Stored consent is used as stored: a proposal whose person never confirmed the shared experience
    (P1) does not become a membership because formation assumes it."""
    offer, people = offer_for(5)
    for i, p in enumerate(people[:4]):
        accept(p, offer, f"P{i}")
    Proposal.objects.filter(user=people[3]).update(confirms_experience=False)
    with pytest.raises(DomainError, match="share this group's experience"):
        accept(people[4], offer, "Last")
    assert not Circle.objects.exists()
    assert not Membership.objects.filter(user=people[3]).exists()


# --------------------------------------------------------------------------- pseudonym clashes


def test_fifth_accept_with_sam_after_sam_is_asked_to_choose_and_the_group_forms(offer_for):
    offer, people = offer_for(6)
    accept(people[0], offer, "Sam")
    for i, p in enumerate(people[1:4]):
        accept(p, offer, f"P{i}")
    with pytest.raises(DomainError, match="already uses that pseudonym"):
        accept(people[4], offer, "sam")
    assert Proposal.objects.get(user=people[4]).status == ProposalStatus.PENDING
    assert not Circle.objects.exists()
    accept(people[4], offer, "Wren")
    circle = Circle.objects.get()
    assert circle.member_count == 5
    assert sorted(Membership.objects.filter(circle=circle).values_list("pseudonym", flat=True)) == [
        "P0",
        "P1",
        "P2",
        "Sam",
        "Wren",
    ]


@pytest.mark.parametrize("variant", ["sam", "Ѕаm", "ЅАМ", "S\u200bam", "Ｓａｍ"])
def test_look_alike_pseudonyms_are_refused_at_acceptance(offer_for, variant):
    offer, people = offer_for(5)
    accept(people[0], offer, "Sam")
    with pytest.raises(DomainError, match="already uses"):
        accept(people[1], offer, variant)


def test_clash_at_formation_never_fails_the_group(offer_for):
    """Last-resort safety net (e.g. proposals accepted before the check existed): the later person
    gets a neutral placeholder and is asked to choose a pseudonym; the group forms."""
    offer, people = offer_for(5)
    for i, p in enumerate(people[:4]):
        accept(p, offer, f"P{i}")
    Proposal.objects.filter(user=people[1]).update(pseudonym="Sam")
    Proposal.objects.filter(user=people[2]).update(pseudonym="sam")
    accept(people[4], offer, "Last")
    circle = Circle.objects.get()
    assert circle.member_count == 5
    later = Membership.objects.get(circle=circle, user=people[2])
    # The placeholder is written in the group's language (the offer's), like the group's name.
    with translation.override(offer.language):
        prefix = gettext("Member %(n)s") % {"n": ""}
    assert later.must_choose_pseudonym and later.pseudonym.startswith(prefix)
    assert later.pseudonym[len(prefix) :].isdigit()
    assert Membership.objects.get(circle=circle, user=people[1]).pseudonym == "Sam"
    # A newcomer lands on the group's welcome step first, which asks for a pseudonym too.
    home = client_for(people[2]).get(f"/groups/{circle.code}/home/", follow=True).content.decode()
    assert f"/groups/{circle.code}/pseudonym/" in home and "Please choose a pseudonym" in home
    r = client_for(people[2]).post(f"/groups/{circle.code}/pseudonym/", {"pseudonym": "Lluna"})
    assert r.status_code == 302
    later.refresh_from_db()
    assert (later.pseudonym, later.must_choose_pseudonym) == ("Lluna", False)


def test_seat_proposal_clash_with_an_existing_member_is_asked(
    make_user, make_circle, django_capture_on_commit_callbacks
):
    call_command("load_content", verbosity=0)
    from mutua.circles.models import Experience

    circle = make_circle(experience=Experience.objects.get(slug="alcohol"), mode="online", place=None)
    join(circle, make_user(), "Kestrel")
    for _ in range(3):
        join(circle, make_user())
    meet_on_tuesdays_at_19(circle)
    seeker = make_user()
    register(seeker, availability=[1 * 24 + 19])
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    offer = GroupOffer.objects.get(kind=OfferKind.SEAT)
    with pytest.raises(DomainError, match="already uses"):
        accept(seeker, offer, "KESTREL")
    assert not Membership.objects.filter(user=seeker).exists()
    accept(seeker, offer, "Nueva")
    assert Membership.objects.get(user=seeker, circle=circle).status == MembershipStatus.MEMBER

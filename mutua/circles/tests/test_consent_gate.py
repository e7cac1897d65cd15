"""P2/P7: consent is explicit everywhere, and a new pledge or new agreements close the gate until the
member accepts them again (the gate's rule, one place)."""

import inspect
import json
import re

import pytest
from django.db.models import F

from conftest import client_for, join, names
from mutua.accounts.services import api_token_create
from mutua.circles import services
from mutua.circles.consent import ConsentRequired, check_consent
from mutua.circles.forms import JoinForm
from mutua.circles.models import Circle, Membership, MembershipStatus, Pledge, PledgeAcceptance
from mutua.circles.policies import Need, access_circle
from mutua.core.errors import DomainError


def new_pledge(version: int = 2) -> Pledge:
    return Pledge.objects.create(
        version=version, **names("title", "Pledge v2"), **names("text", "What is said here stays here, v2.")
    )


def bearer(user):
    _row, raw = api_token_create(user=user, name="t")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def group(make_circle, make_user):
    circle = make_circle()
    member = make_user()
    join(circle, member, "Alba")
    return circle, member


# --------------------------------------------------------------------------- explicit pledge acceptance


def test_check_consent_refuses_without_an_explicit_pledge_acceptance(content):
    for value in (False, None, "on", 1):
        with pytest.raises(DomainError, match="accept the agreements and the confidentiality pledge"):
            check_consent(confirms_experience=True, accepts_pledge=value, pledge_version=1)  # type: ignore[arg-type]
    assert check_consent(confirms_experience=True, accepts_pledge=True, pledge_version=1).pledge_version == 1


def test_every_consent_taking_service_requires_accepts_pledge_with_no_default():
    from mutua.circles import consent
    from mutua.matching import services as matching

    for fn in (
        consent.check_pledge,
        consent.check_consent,
        services.membership_join,
        services.circle_create,
        services.membership_consent_renew,
        matching.proposal_accept,
    ):
        param = inspect.signature(fn).parameters["accepts_pledge"]
        assert param.kind is inspect.Parameter.KEYWORD_ONLY, fn.__name__
        assert param.default is inspect.Parameter.empty, fn.__name__


def test_service_join_without_accepting_the_pledge_is_refused(make_circle, make_user):
    circle, person = make_circle(), make_user()
    with pytest.raises(DomainError, match="confidentiality pledge"):
        services.membership_join(
            circle=circle,
            user=person,
            pseudonym="Alba",
            confirms_experience=True,
            accepts_pledge=False,
            pledge_version=1,
        )
    assert not Membership.objects.filter(user=person).exists()
    assert not PledgeAcceptance.objects.filter(user=person).exists()


def test_creating_a_group_without_accepting_the_pledge_is_refused(make_circle, make_user):
    founder = make_user()
    with pytest.raises(DomainError, match="confidentiality pledge"):
        make_circle(founder=founder, accepts_pledge=False)
    assert not Circle.objects.exists()


def test_join_form_requires_the_pledge_checkbox():
    data = {"pseudonym": "Alba", "confirms_experience": "on", "pledge_version": 1}
    form = JoinForm(data)
    assert not form.is_valid() and "accepts_pledge" in form.errors
    assert JoinForm({**data, "accepts_pledge": "on"}).is_valid()


@pytest.mark.parametrize("extra", [{}, {"accepts_pledge": "false"}, {"accepts_pledge": ""}])
def test_join_page_without_the_pledge_checkbox_is_a_400_and_no_membership(make_circle, make_user, extra):
    circle, person = make_circle(), make_user()
    response = client_for(person).post(
        f"/groups/{circle.code}/join/",
        {"pseudonym": "Alba", "confirms_experience": "on", "pledge_version": 1, **extra},
    )
    assert response.status_code == 400
    assert b"error-summary" in response.content
    assert not Membership.objects.filter(user=person).exists()


@pytest.mark.parametrize(
    "body,status",
    [
        ({"pseudonym": "Alba", "confirms_experience": True, "pledge_version": 1}, 422),
        (
            {"pseudonym": "Alba", "confirms_experience": True, "accepts_pledge": False, "pledge_version": 1},
            400,
        ),
    ],
)
def test_api_join_requires_accepts_pledge_true(make_circle, make_user, body, status):
    circle, person = make_circle(), make_user()
    r = client_for(None).post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps(body),
        content_type="application/json",
        headers=bearer(person),
    )
    assert r.status_code == status, r.content
    assert not Membership.objects.filter(user=person).exists()


def test_schema_documents_accepts_pledge_as_required(client, db):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("JoinIn", "AcceptIn", "ConsentIn"):
        assert "accepts_pledge" in schemas[name]["required"], name
        prop = schemas[name]["properties"]["accepts_pledge"]
        assert prop["type"] == "boolean" and "true" in prop["description"], name


# --------------------------------------------------------------------------- the gate


def test_gate_lets_a_member_with_current_consent_in(group):
    circle, member = group
    got, membership = access_circle(member, circle.code, Need.MEMBER)
    assert got.pk == circle.pk and membership.user_id == member.pk


def test_gate_refuses_a_member_after_a_new_pledge_version(group):
    circle, member = group
    new_pledge(2)
    with pytest.raises(ConsentRequired):
        access_circle(member, circle.code, Need.MEMBER)
    # Still a participant: they may read the status, re-accept or leave.
    assert access_circle(member, circle.code, Need.PARTICIPANT)[0].pk == circle.pk


def test_gate_refuses_a_member_after_new_agreements(group):
    circle, member = group
    Circle.objects.filter(pk=circle.pk).update(agreements_version=F("agreements_version") + 1)
    with pytest.raises(ConsentRequired):
        access_circle(member, circle.code, Need.MEMBER)


def test_gate_refuses_a_member_who_never_accepted_a_pledge(group):
    circle, member = group
    Membership.objects.filter(user=member).update(pledge_version=0)
    with pytest.raises(ConsentRequired):
        access_circle(member, circle.code, Need.MEMBER)


def test_stale_member_page_redirects_to_reaccept_and_api_answers_409(group):
    circle, member = group
    new_pledge(2)
    page = client_for(member).get(f"/groups/{circle.code}/home/")
    assert page.status_code == 302 and page["Location"] == f"/groups/{circle.code}/consent/"
    r = client_for(None).get(f"/api/v1/groups/{circle.code}/home", headers=bearer(member))
    assert r.status_code == 409
    assert r.json()["code"] == "consent_required" and r.json()["detail"]
    mine = client_for(None).get("/api/v1/me/groups", headers=bearer(member)).json()
    assert mine[0]["consent_required"] is True


def test_outsider_still_gets_the_identical_404_when_the_pledge_changed(group, make_user):
    circle, _member = group
    new_pledge(2)
    outsider = client_for(make_user())

    def normalise(body: bytes, code: str) -> bytes:
        body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)
        return body.replace(code.encode(), b"X")

    real = outsider.get(f"/groups/{circle.code}/home/")
    fake = outsider.get("/groups/zzzzzzzzzz/home/")
    assert real.status_code == fake.status_code == 404
    assert normalise(real.content, circle.code) == normalise(fake.content, "zzzzzzzzzz")
    assert outsider.get(f"/groups/{circle.code}/consent/").status_code == 404


def test_reaccept_page_shows_agreements_and_pledge_and_needs_the_checkbox(group):
    circle, member = group
    new_pledge(2)
    c = client_for(member)
    page = c.get(f"/groups/{circle.code}/consent/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Respect" in body and "stays here, v2" in body
    assert 'name="pledge_version" value="2"' in body and 'name="agreements_version" value="1"' in body
    refused = c.post(f"/groups/{circle.code}/consent/", {"pledge_version": 2, "agreements_version": 1})
    assert refused.status_code == 400
    assert not PledgeAcceptance.objects.filter(user=member, pledge_version=2).exists()
    assert c.get(f"/groups/{circle.code}/home/").status_code == 302
    ok = c.post(
        f"/groups/{circle.code}/consent/",
        {"accepts_pledge": "on", "pledge_version": 2, "agreements_version": 1},
    )
    assert ok.status_code == 302 and ok["Location"] == f"/groups/{circle.code}/home/"
    assert PledgeAcceptance.objects.filter(user=member, circle=circle, pledge_version=2).count() == 1
    assert c.get(f"/groups/{circle.code}/home/").status_code == 200


def test_reaccepting_an_outdated_version_is_refused(group):
    circle, member = group
    new_pledge(2)
    with pytest.raises(DomainError, match="changed"):
        services.membership_consent_renew(
            circle=circle, user=member, accepts_pledge=True, pledge_version=1, agreements_version=1
        )
    with pytest.raises(DomainError, match="changed"):
        services.membership_consent_renew(
            circle=circle, user=member, accepts_pledge=True, pledge_version=2, agreements_version=0
        )
    with pytest.raises(DomainError, match="confidentiality pledge"):
        services.membership_consent_renew(
            circle=circle, user=member, accepts_pledge=False, pledge_version=2, agreements_version=1
        )
    assert Membership.objects.get(user=member).pledge_version == 1


def test_reaccept_via_api(group):
    circle, member = group
    new_pledge(2)
    h = bearer(member)
    c = client_for(None)
    body = {"accepts_pledge": True, "pledge_version": 2, "agreements_version": 1}
    r = c.post(
        f"/api/v1/groups/{circle.code}/consent",
        data=json.dumps({**body, "accepts_pledge": False}),
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 400
    r = c.post(
        f"/api/v1/groups/{circle.code}/consent",
        data=json.dumps(body),
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 200 and r.json()["consent_required"] is False
    assert c.get(f"/api/v1/groups/{circle.code}/home", headers=h).status_code == 200


# --------------------------------------------------------------------------- seat accept re-checks consent


@pytest.fixture
def offered(make_circle, make_user):
    """A full group of 5 where one member left, so the waiting person holds an open seat offer."""
    circle = make_circle(max_members=5)
    members = [make_user() for _ in range(4)]
    for u in members:
        join(circle, u)
    waiting = make_user()
    join(circle, waiting, "Heron")
    services.membership_leave(circle=circle, user=members[0])
    assert Membership.objects.get(user=waiting).status == MembershipStatus.OFFERED
    return circle, waiting


def test_seat_accept_after_a_new_pledge_requires_accepting_again(offered):
    circle, waiting = offered
    new_pledge(2)
    with pytest.raises(ConsentRequired):
        services.seat_accept(circle=circle, user=waiting)
    assert Membership.objects.get(user=waiting).status == MembershipStatus.OFFERED
    services.membership_consent_renew(
        circle=circle, user=waiting, accepts_pledge=True, pledge_version=2, agreements_version=1
    )
    assert services.seat_accept(circle=circle, user=waiting).status == MembershipStatus.MEMBER
    assert access_circle(waiting, circle.code, Need.MEMBER)[1].pledge_version == 2


def test_seat_accept_page_sends_a_stale_person_to_the_reaccept_page(offered):
    circle, waiting = offered
    Circle.objects.filter(pk=circle.pk).update(agreements_version=2)
    c = client_for(waiting)
    status = c.get(f"/groups/{circle.code}/status/").content.decode()
    assert f"/groups/{circle.code}/consent/" in status
    r = c.post(f"/groups/{circle.code}/seat/accept/")
    assert r.status_code == 302 and r["Location"] == f"/groups/{circle.code}/consent/"
    assert Membership.objects.get(user=waiting).status == MembershipStatus.OFFERED
    r = c.post(
        f"/groups/{circle.code}/consent/",
        {"accepts_pledge": "on", "pledge_version": 1, "agreements_version": 2},
    )
    assert r.status_code == 302 and r["Location"] == f"/groups/{circle.code}/status/"
    assert c.post(f"/groups/{circle.code}/seat/accept/")["Location"] == f"/groups/{circle.code}/home/"
    # In: the group's home sends a newcomer to its welcome step first (test_welcome.py).
    assert c.get(f"/groups/{circle.code}/home/")["Location"] == f"/groups/{circle.code}/welcome/"
    assert c.get(f"/groups/{circle.code}/welcome/").status_code == 200


def test_seat_accept_api_answers_consent_required(offered):
    circle, waiting = offered
    new_pledge(2)
    r = client_for(None).post(f"/api/v1/groups/{circle.code}/seat/accept", headers=bearer(waiting))
    assert r.status_code == 409 and r.json()["code"] == "consent_required"
    assert Membership.objects.get(user=waiting).status == MembershipStatus.OFFERED

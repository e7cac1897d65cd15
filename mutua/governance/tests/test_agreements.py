"""A group's agreements (§3.4, P5, P7): the host's basic ones plus the group's own, one versioned set;
the first member's draft and its end at adoption; the gate that sends every member to accept a new
version again, in the pages (a redirect) and in the API (409 `consent_required` with what to accept)."""

import json

import pytest

from conftest import client_for, join
from mutua.accounts.services import api_token_create
from mutua.circles import services as circle_services
from mutua.circles.models import Circle, Membership, MembershipStatus, PledgeAcceptance
from mutua.circles.policies import Need, access_circle
from mutua.core.errors import DomainError
from mutua.governance import agreements
from mutua.governance.models import AgreementsDraft, OwnAgreement, Proposal, ProposalKind
from mutua.governance.tests.adoption import adopt

ITEMS = [
    {"title": "Phones away", "text": "We put our phones away during the meeting."},
    {"title": "Start on time", "text": "We start at the time we agreed."},
]


def bearer(user):
    _row, raw = api_token_create(user=user, name="t")
    return {"Authorization": f"Bearer {raw}"}


def api(user, method, path, body=None):
    kwargs = {"headers": bearer(user)}
    if body is not None:
        kwargs |= {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client_for(None), method)(f"/api/v1{path}", **kwargs)


@pytest.fixture
def group(make_circle, make_user):
    """A forming group: its founder and two members who joined after."""
    founder = make_user()
    circle = make_circle(founder=founder)
    alba, bruno = make_user(), make_user()
    join(circle, alba, "Alba")
    join(circle, bruno, "Bruno")
    circle.refresh_from_db()
    return {"circle": circle, "founder": founder, "alba": alba, "bruno": bruno}


# --------------------------------------------------------------------------- the first member


def test_the_founding_membership_is_the_groups_creator(group):
    circle = group["circle"]
    assert agreements.founding_membership(circle).user == group["founder"]


def test_a_group_formed_by_matching_has_a_first_member_too(content, make_user):
    """Matching creates the group with the first person who accepted, then the others join."""
    from mutua.circles.consent import check_consent

    people = [make_user() for _ in range(5)]
    consent = check_consent(confirms_experience=True, accepts_pledge=True, pledge_version=1)
    circle = circle_services.circle_create_consented(
        founder=people[0],
        name="Matched",
        experience=content["child"],
        languages=["es"],
        mode="online",
        place=None,
        description="Formed by matching.",
        pseudonym="First",
        consent=consent,
    )
    for n, person in enumerate(people[1:]):
        circle_services.membership_join_consented(
            circle=circle, user=person, pseudonym=f"P{n}", consent=consent
        )
    assert agreements.founding_membership(circle).user == people[0]
    assert agreements.may_draft(circle=circle, membership=agreements.founding_membership(circle))
    circle_services.membership_leave(circle=circle, user=people[0])
    # A first member who leaves is no longer first: the next one who joined is.
    assert agreements.founding_membership(circle).user == people[1]


def test_only_the_first_member_may_draft(group):
    circle = group["circle"]
    draft = agreements.agreements_draft_save(circle=circle, user=group["founder"], items=ITEMS)
    assert draft.items == ITEMS
    for other in ("alba", "bruno"):
        with pytest.raises(DomainError) as refused:
            agreements.agreements_draft_save(circle=circle, user=group[other], items=ITEMS[:1])
        assert refused.value.code == "conflict"
    assert AgreementsDraft.objects.get(circle=circle).items == ITEMS


def test_an_outsider_cannot_draft(group, make_user):
    with pytest.raises(DomainError) as refused:
        agreements.agreements_draft_save(circle=group["circle"], user=make_user(), items=ITEMS)
    assert refused.value.code == "not_found"
    assert not AgreementsDraft.objects.exists()


def test_nobody_drafts_once_own_agreements_are_adopted(group):
    circle = group["circle"]
    agreements.agreements_draft_save(circle=circle, user=group["founder"], items=ITEMS)
    adopt(circle, ITEMS)
    for who in ("founder", "alba"):
        with pytest.raises(DomainError, match="first agreements"):
            agreements.agreements_draft_save(circle=circle, user=group[who], items=ITEMS)
    founding = agreements.founding_membership(circle)
    assert not agreements.may_draft(circle=circle, membership=founding)
    view = agreements.agreements_view(circle=circle, membership=founding)
    assert view.can_draft is False and view.draft == []


def test_a_passed_agreements_proposal_ends_drafting_even_with_no_rows(group):
    """A group that adopted an empty set of its own has still decided: the first member's right ends."""
    circle = group["circle"]
    founding = agreements.founding_membership(circle)
    Proposal.objects.create(
        circle=circle,
        kind=ProposalKind.AGREEMENTS,
        title="None of our own",
        deadline="2030-01-01T00:00:00Z",
        status="closed",
        passed=True,
    )
    assert not OwnAgreement.objects.filter(circle=circle).exists()
    assert not agreements.may_draft(circle=circle, membership=founding)
    # A proposal that did not pass changes nothing.
    Proposal.objects.filter(circle=circle).update(passed=False)
    assert agreements.may_draft(circle=circle, membership=founding)


@pytest.mark.parametrize(
    "items,message",
    [
        ([], "at least one"),
        ([{"title": "", "text": "x"}], "title and a text"),
        ([{"title": "x", "text": "   "}], "title and a text"),
        ([{"title": "x"}], "title and a text"),
        (["just text"], "title and a text"),
        ("not a list", "as a list"),
        ([{"title": "t" * 121, "text": "x"}], "120"),
        ([{"title": "x", "text": "t" * 2001}], "2000"),
        ([{"title": f"A{n}", "text": "x"} for n in range(13)], "12"),
    ],
)
def test_the_draft_is_checked(group, items, message):
    with pytest.raises(DomainError, match=message):
        agreements.agreements_draft_save(circle=group["circle"], user=group["founder"], items=items)
    assert not AgreementsDraft.objects.exists()


def test_the_limits_themselves_are_allowed(group):
    items = [{"title": "t" * 120, "text": "x" * 2000}] + [{"title": f"A{n}", "text": "x"} for n in range(11)]
    draft = agreements.agreements_draft_save(circle=group["circle"], user=group["founder"], items=items)
    assert len(draft.items) == 12
    spaced = [{"title": "  Two   words ", "text": " line one\nline two "}]
    draft = agreements.agreements_draft_save(circle=group["circle"], user=group["founder"], items=spaced)
    assert draft.items == [{"title": "Two words", "text": "line one\nline two"}]


# --------------------------------------------------------------------------- the set in force


def test_agreements_current_is_the_basic_ones_then_the_own_of_the_version_in_force(group):
    circle = group["circle"]
    basic, own, version = agreements.agreements_current(circle=circle)
    assert [a.slug for a in basic] == ["respect"] and own == [] and version == 1
    adopt(circle, ITEMS)
    adopt(circle, [{"title": "Start on time", "text": "Five minutes late at most."}])
    circle.refresh_from_db()
    basic, own, version = agreements.agreements_current(circle=circle)
    assert version == 3
    assert [(a.title, a.text) for a in own] == [("Start on time", "Five minutes late at most.")]


def test_changes_name_what_was_added_changed_and_removed(group):
    circle = group["circle"]
    adopt(circle, ITEMS)
    adopt(
        circle,
        [
            {"title": "Start on time", "text": "Five minutes late at most."},
            {"title": "Tea", "text": "Someone brings tea."},
        ],
    )
    circle.refresh_from_db()
    changes = agreements.agreements_changes(circle=circle, since_version=2)
    assert changes is not None
    assert (
        changes.added == ["Tea"]
        and changes.changed == ["Start on time"]
        and changes.removed == ["Phones away"]
    )
    assert agreements.agreements_changes(circle=circle, since_version=3) is None


# --------------------------------------------------------------------------- the gate (P7)


def test_a_new_version_sends_every_member_to_accept_again(group):
    circle = group["circle"]
    adopt(circle, ITEMS)
    for who in ("founder", "alba", "bruno"):
        page = client_for(group[who]).get(f"/groups/{circle.code}/home/")
        assert page.status_code == 302 and page["Location"] == f"/groups/{circle.code}/consent/", who
        assert client_for(group[who]).get(f"/groups/{circle.code}/agreements/").status_code == 302


def test_the_api_answers_409_with_what_to_accept_and_where(group):
    circle = group["circle"]
    adopt(circle, ITEMS)
    r = api(group["alba"], "get", f"/groups/{circle.code}/home")
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "consent_required" and body["detail"]
    consent = body["consent"]
    assert consent["agreements_version"] == 2 and consent["accepted_agreements_version"] == 1
    assert consent["pledge_version"] == 1 and consent["accepted_pledge_version"] == 1
    assert consent["accept_url"] == f"/api/v1/groups/{circle.code}/consent"
    assert consent["page_url"] == f"/groups/{circle.code}/consent/"
    # The client reads what it accepts where the answer says, while the gate is still closed...
    read = client_for(None).get(consent["agreements_url"], headers=bearer(group["alba"]))
    assert read.status_code == 200
    assert [a["title"] for a in read.json()["own"]] == ["Phones away", "Start on time"]
    assert read.json()["consent_required"] is True and read.json()["version"] == 2
    # ...and accepts with exactly the versions it was given.
    accept = client_for(None).post(
        consent["accept_url"],
        data=json.dumps(
            {
                "accepts_pledge": True,
                "pledge_version": consent["pledge_version"],
                "agreements_version": consent["agreements_version"],
            }
        ),
        content_type="application/json",
        headers=bearer(group["alba"]),
    )
    assert accept.status_code == 200, accept.content
    assert api(group["alba"], "get", f"/groups/{circle.code}/home").status_code == 200
    # The others still must accept.
    assert api(group["bruno"], "get", f"/groups/{circle.code}/home").status_code == 409


def test_every_gated_operation_says_the_same(group):
    """Writes answer the same 409 with the same body (the gate is one place)."""
    circle = group["circle"]
    adopt(circle, ITEMS)
    r = api(group["alba"], "post", f"/groups/{circle.code}/pseudonym", {"pseudonym": "Lark"})
    assert r.status_code == 409 and r.json()["code"] == "consent_required"
    assert r.json()["consent"]["agreements_version"] == 2
    assert Membership.objects.get(user=group["alba"]).pseudonym == "Alba"


def test_the_409_body_is_in_the_schema(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    body = schema["components"]["schemas"]["ConsentRequiredMessage"]
    assert {"detail", "code", "consent"} <= set(body["properties"])
    accept = schema["components"]["schemas"]["ConsentToAccept"]
    assert {"agreements_version", "pledge_version", "accept_url", "agreements_url"} <= set(accept["required"])
    put = schema["paths"]["/api/v1/groups/{code}/agreements/draft"]["put"]["responses"]["409"]
    assert put["content"]["application/json"]["schema"]["$ref"].endswith("/ConsentRequiredMessage")
    # Every operation inside a group that documents a 409 says it may be the gate's, with its body.
    conflicts = [
        op["responses"]["409"]["content"]["application/json"]["schema"].get("$ref", "")
        for path, ops in schema["paths"].items()
        if "/groups/{code}/" in path
        for op in ops.values()
        if "409" in op["responses"]
    ]
    assert len(conflicts) > 10
    assert all(ref.endswith("/ConsentRequiredMessage") for ref in conflicts)


def test_the_consent_page_lists_the_new_own_agreements_and_what_changed(group):
    circle = group["circle"]
    adopt(circle, ITEMS)
    new = [
        {"title": "Start on time", "text": "Five minutes late at most."},
        {"title": "Tea", "text": "Someone brings tea."},
    ]
    adopt(circle, new)
    c = client_for(group["alba"])
    body = c.get(f"/groups/{circle.code}/consent/").content.decode()
    assert "Respect" in body
    assert (
        body.index("Respect") < body.index("Five minutes late at most.") < body.index("Someone brings tea.")
    )
    # Only the version in force: the text of version 2 is not offered for acceptance.
    assert "We start at the time we agreed." not in body
    assert "version 3" in body
    assert "New: Tea" in body and "Changed: Start on time" in body and "Removed: Phones away" in body
    assert 'name="agreements_version" value="3"' in body
    ok = c.post(
        f"/groups/{circle.code}/consent/",
        {"accepts_pledge": "on", "pledge_version": 1, "agreements_version": 3},
    )
    assert ok.status_code == 302
    assert PledgeAcceptance.objects.filter(user=group["alba"], circle=circle, agreements_version=3).exists()
    assert c.get(f"/groups/{circle.code}/agreements/").status_code == 200


def test_home_and_join_pages_show_the_own_agreements_after_the_basic_ones(group, make_user):
    circle = group["circle"]
    adopt(circle, ITEMS)
    join_page = client_for(make_user()).get(f"/groups/{circle.code}/join/").content.decode()
    assert join_page.index("Respect") < join_page.index("Phones away") < join_page.index("Start on time")
    assert 'name="agreements_version" value="2"' in join_page
    Membership.objects.filter(circle=circle).update(agreements_version=2)
    home = client_for(group["founder"]).get(f"/groups/{circle.code}/home/").content.decode()
    assert home.index("Respect") < home.index("Phones away")


def test_joining_with_a_page_of_older_agreements_is_refused(group, make_user):
    circle = group["circle"]
    person = make_user()
    c = client_for(person)
    form = {"pseudonym": "Newcomer", "confirms_experience": "on", "accepts_pledge": "on", "pledge_version": 1}
    adopt(circle, ITEMS)  # the group adopted version 2 while the person read version 1
    refused = c.post(f"/groups/{circle.code}/join/", {**form, "agreements_version": 1})
    assert refused.status_code == 400 and b"changed" in refused.content
    assert not Membership.objects.filter(user=person).exists()
    ok = c.post(f"/groups/{circle.code}/join/", {**form, "agreements_version": 2})
    assert ok.status_code == 302
    assert Membership.objects.get(user=person).agreements_version == 2


# --------------------------------------------------------------------------- the page


def test_the_founder_sees_the_draft_editor_and_others_do_not(group):
    circle = group["circle"]
    founder_page = client_for(group["founder"]).get(f"/groups/{circle.code}/agreements/").content.decode()
    member_page = client_for(group["alba"]).get(f"/groups/{circle.code}/agreements/").content.decode()
    draft_action = f'action="/groups/{circle.code}/agreements/draft/"'
    assert draft_action in founder_page and draft_action not in member_page
    assert "Any member can propose a change" in member_page
    new_proposal = f'href="/groups/{circle.code}/decisions/new/?kind=agreements"'
    assert new_proposal in member_page and new_proposal in founder_page
    assert "Respect" in member_page and "no agreements of its own yet" in member_page


def test_the_founder_saves_the_draft_in_the_page(group):
    circle = group["circle"]
    c = client_for(group["founder"])
    data = {
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-0-title": "Phones away",
        "items-0-text": "We put our phones away during the meeting.",
        "items-1-title": "",
        "items-1-text": "",
        "items-2-title": "Start on time",
        "items-2-text": "We start at the time we agreed.",
    }
    r = c.post(f"/groups/{circle.code}/agreements/draft/", data)
    assert r.status_code == 302 and r["Location"] == f"/groups/{circle.code}/agreements/"
    assert AgreementsDraft.objects.get(circle=circle).items == ITEMS
    page = c.get(r["Location"]).content.decode()
    assert "We start at the time we agreed." in page
    assert f'href="/groups/{circle.code}/agreements/propose/"' in page
    # Remove a row and leave a half-filled one: the half-filled row is refused with a reason.
    removed = c.post(
        f"/groups/{circle.code}/agreements/draft/",
        {**data, "items-0-remove": "on", "items-1-title": "Tea"},
    )
    assert removed.status_code == 400 and b"what this agreement means" in removed.content
    assert AgreementsDraft.objects.get(circle=circle).items == ITEMS
    removed = c.post(f"/groups/{circle.code}/agreements/draft/", {**data, "items-0-remove": "on"})
    assert removed.status_code == 302
    assert AgreementsDraft.objects.get(circle=circle).items == ITEMS[1:]


def test_a_member_posting_a_draft_is_refused_in_the_page(group):
    circle = group["circle"]
    data = {"items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-0-title": "X", "items-0-text": "Y"}
    r = client_for(group["alba"]).post(f"/groups/{circle.code}/agreements/draft/", data)
    assert r.status_code == 400 and b"first agreements" in r.content
    assert not AgreementsDraft.objects.exists()


def test_the_page_shows_the_version_and_the_own_agreements(group):
    circle = group["circle"]
    adopt(circle, ITEMS)
    Membership.objects.filter(circle=circle).update(agreements_version=2)
    page = client_for(group["founder"]).get(f"/groups/{circle.code}/agreements/").content.decode()
    assert "Version 2" in page and "Phones away" in page
    assert f"/groups/{circle.code}/agreements/draft/" not in page


def test_outsiders_get_404_everywhere(group, make_user):
    circle = group["circle"]
    c = client_for(make_user())
    for path in ("", "draft/", "propose/"):
        assert c.get(f"/groups/{circle.code}/agreements/{path}").status_code in (404, 405)
        assert c.post(f"/groups/{circle.code}/agreements/{path}").status_code == 404
    assert api(make_user(), "get", f"/groups/{circle.code}/agreements").status_code == 404
    put = api(make_user(), "put", f"/groups/{circle.code}/agreements/draft", {"items": ITEMS})
    assert put.status_code == 404


# --------------------------------------------------------------------------- the API


def test_api_draft_by_the_founder_and_refused_to_others(group):
    circle = group["circle"]
    r = api(group["founder"], "put", f"/groups/{circle.code}/agreements/draft", {"items": ITEMS})
    assert r.status_code == 200 and r.json()["items"] == ITEMS
    mine = api(group["founder"], "get", f"/groups/{circle.code}/agreements").json()
    assert mine["can_draft"] is True and mine["draft"] == ITEMS
    theirs = api(group["alba"], "get", f"/groups/{circle.code}/agreements").json()
    assert theirs["can_draft"] is False and theirs["draft"] is None
    r = api(group["alba"], "put", f"/groups/{circle.code}/agreements/draft", {"items": ITEMS[:1]})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = api(group["alba"], "post", f"/groups/{circle.code}/agreements/draft/propose")
    assert r.status_code == 409
    r = api(group["founder"], "put", f"/groups/{circle.code}/agreements/draft", {"items": []})
    assert r.status_code == 422
    assert AgreementsDraft.objects.get(circle=circle).items == ITEMS


def test_api_waiting_people_read_the_agreements_but_cannot_draft(make_circle, make_user):
    circle = make_circle(max_members=5)
    for _ in range(4):
        join(circle, make_user())
    waiting = make_user()
    assert join(circle, waiting).status == MembershipStatus.WAITING
    r = api(waiting, "get", f"/groups/{circle.code}/agreements")
    assert r.status_code == 200 and r.json()["can_draft"] is False
    r = api(waiting, "put", f"/groups/{circle.code}/agreements/draft", {"items": ITEMS})
    assert r.status_code == 404


def test_a_gate_with_the_right_versions_lets_the_member_in(group):
    circle = group["circle"]
    adopt(circle, ITEMS)
    circle_services.membership_consent_renew(
        circle=circle, user=group["bruno"], accepts_pledge=True, pledge_version=1, agreements_version=2
    )
    assert access_circle(group["bruno"], circle.code, Need.MEMBER)[1].agreements_version == 2
    assert Circle.objects.get(pk=circle.pk).agreements_version == 2


# --------------------------------------------------------------------------- proposing the draft


def test_the_founder_proposes_the_draft_and_the_group_adopts_it(group):
    """The whole path: draft, confirm, propose, everyone agrees, adopted; then the draft is gone and
    nobody drafts any more (P5)."""
    from mutua.governance.services import stance_set

    circle = group["circle"]
    c = client_for(group["founder"])
    agreements.agreements_draft_save(circle=circle, user=group["founder"], items=ITEMS)
    confirm = c.get(f"/groups/{circle.code}/agreements/propose/")
    assert confirm.status_code == 200 and b"Phones away" in confirm.content
    r = c.post(f"/groups/{circle.code}/agreements/propose/")
    assert r.status_code == 302
    proposal = Proposal.objects.get(circle=circle)
    assert r["Location"] == f"/groups/{circle.code}/decisions/{proposal.code}/"
    assert proposal.kind == ProposalKind.AGREEMENTS and proposal.payload == {"items": ITEMS}
    assert proposal.opened_by == agreements.founding_membership(circle)
    # The page now links to the open proposal instead of offering to propose again; a second one is refused.
    again = c.post(f"/groups/{circle.code}/agreements/propose/")
    assert again.status_code == 400 and b"still open" in again.content
    assert Proposal.objects.filter(circle=circle).count() == 1
    page = c.get(f"/groups/{circle.code}/agreements/").content.decode()
    assert f'href="/groups/{circle.code}/decisions/{proposal.code}/"' in page
    assert f'href="/groups/{circle.code}/agreements/propose/"' not in page
    for who in ("founder", "alba", "bruno"):
        stance_set(proposal=proposal, user=group[who], stance="agree")
    proposal.refresh_from_db()
    circle.refresh_from_db()
    assert proposal.passed is True and circle.agreements_version == 2
    assert [a.title for a in agreements.agreements_current(circle=circle)[1]] == [
        "Phones away",
        "Start on time",
    ]
    assert not AgreementsDraft.objects.filter(circle=circle).exists()
    with pytest.raises(DomainError):
        agreements.agreements_draft_save(circle=circle, user=group["founder"], items=ITEMS)
    with pytest.raises(DomainError):
        agreements.agreements_propose(circle=circle, user=group["founder"])
    # After accepting the new version, the founder's page is everyone's page.
    c.post(
        f"/groups/{circle.code}/consent/",
        {"accepts_pledge": "on", "pledge_version": 1, "agreements_version": 2},
    )
    page = c.get(f"/groups/{circle.code}/agreements/").content.decode()
    assert "Phones away" in page and f"/groups/{circle.code}/agreements/draft/" not in page
    assert (
        c.get(f"/groups/{circle.code}/agreements/propose/")["Location"]
        == f"/groups/{circle.code}/agreements/"
    )


def test_proposing_without_a_draft_is_refused(group):
    with pytest.raises(DomainError, match="at least one"):
        agreements.agreements_propose(circle=group["circle"], user=group["founder"])
    assert not Proposal.objects.exists()


def test_only_the_first_member_proposes_from_the_draft(group):
    circle = group["circle"]
    agreements.agreements_draft_save(circle=circle, user=group["founder"], items=ITEMS)
    with pytest.raises(DomainError, match="first agreements"):
        agreements.agreements_propose(circle=circle, user=group["alba"])
    r = client_for(group["alba"]).post(f"/groups/{circle.code}/agreements/propose/")
    assert r.status_code == 302 and r["Location"] == f"/groups/{circle.code}/agreements/"
    assert not Proposal.objects.exists()


def test_api_propose_opens_the_proposal(group):
    circle = group["circle"]
    api(group["founder"], "put", f"/groups/{circle.code}/agreements/draft", {"items": ITEMS})
    r = api(group["founder"], "post", f"/groups/{circle.code}/agreements/draft/propose")
    assert r.status_code == 201, r.content
    proposal = Proposal.objects.get(code=r.json()["code"])
    assert proposal.payload == {"items": ITEMS} and r.json()["status"] == "open"
    again = api(group["founder"], "post", f"/groups/{circle.code}/agreements/draft/propose")
    assert again.status_code == 409

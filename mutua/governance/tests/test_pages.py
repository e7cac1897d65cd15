"""The decisions pages: the list, a new proposal of each kind, one proposal (stance, thread, withdraw,
outcome), through the same services as the API. Only members reach them (P7); results stay hidden
until the close; the person a removal is about reads it and answers, but takes no stance; a GET never
writes; an active group's schedule page sends members to a proposal."""

import html as html_lib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import client_for, join
from mutua.circles import services as circle_services
from mutua.circles.models import MembershipStatus
from mutua.core.models import AuditEvent
from mutua.governance import services
from mutua.governance.models import Comment, Proposal, ProposalStance, ProposalStatus
from mutua.governance.tests.adoption import adopt
from mutua.governance.tests.groups import after
from mutua.meetings import display
from mutua.meetings.schedule import weekly

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    """The page's main content as plain text (tags dropped, spaces collapsed)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def base(g: Any) -> str:
    return f"/groups/{g.circle.code}/decisions/"


def at(g: Any, p: Proposal, suffix: str = "") -> str:
    return f"{base(g)}{p.code}/{suffix}"


def common(**change: Any) -> dict[str, Any]:
    return {"title": "A title", "body": "Why we want it.", "process": "consent", "days": "7"} | change


def opened(g: Any) -> Proposal:
    return Proposal.objects.filter(circle=g.circle).latest("opened_at")


def close_now(p: Proposal) -> Proposal:
    closed = services.proposal_close(proposal_id=p.pk, now=after(p))
    assert closed is not None
    p.refresh_from_db()
    return p


# --------------------------------------------------------------------------- the list


def test_the_list_shows_open_proposals_first_with_their_deadline_then_the_decided(group: Any) -> None:
    g = group(5)
    g.users[1].timezone = "America/New_York"
    g.users[1].save(update_fields=["timezone"])
    done = g.open(0, title="Tea or coffee")
    for i in range(5):
        g.say(done, i, "agree")
    services.outcome_set(proposal=done, user=g.users[2], outcome="Tea, and coffee for whoever asks.")
    g.open(0, title="Later question", days=9)
    sooner = g.open(2, title="Sooner question", days=2)
    withdrawn = g.open(3, title="Taken back")
    services.proposal_withdraw(proposal=withdrawn, user=g.users[3])
    page = text(client_for(g.users[1]).get(base(g)))
    assert page.index("Sooner question") < page.index("Later question") < page.index("Tea or coffee")
    assert page.index("Open proposals") < page.index("Sooner question")
    assert page.index("Decided before") < page.index("Tea or coffee")
    sooner.refresh_from_db()
    assert f"Closes on {display.day_and_time(sooner.deadline, 'America/New_York')} (New York time)" in page
    assert "Passed" in page and "Withdrawn" in page
    assert page.index("Tea or coffee") < page.index("Tea, and coffee for whoever asks.")  # its outcome
    assert "Waiting for your stance" in page


def test_the_home_and_the_meetings_page_link_to_the_decisions(group: Any) -> None:
    g = group(3)
    c = client_for(g.users[1])
    for path in (f"/groups/{g.circle.code}/home/", f"/groups/{g.circle.code}/meetings/"):
        assert f'href="{base(g)}"' in c.get(path).content.decode(), path


# --------------------------------------------------------------------------- a new proposal


def test_the_kind_chooser_offers_every_kind(group: Any) -> None:
    g = group(3)
    page = client_for(g.users[1]).get(base(g) + "new/").content.decode()
    for kind in ("agreements", "schedule", "capacity", "openness", "professional", "removal", "dissolution"):
        assert f"?kind={kind}" in page
    assert "?kind=question" in page


def test_an_unknown_kind_is_the_chooser_and_a_post_without_a_kind_opens_nothing(group: Any) -> None:
    g = group(3)
    c = client_for(g.users[1])
    assert "What is it about?" in text(c.get(base(g) + "new/?kind=nonsense"))
    r = c.post(base(g) + "new/", common())
    assert r.status_code == 400 and "What is it about?" in text(r)
    assert not Proposal.objects.exists()


def test_a_question_opens_and_everyone_is_told(group: Any) -> None:
    g = group(4)
    r = client_for(g.users[1]).post(base(g) + "new/?kind=question", common(title="Shall we meet in summer?"))
    p = opened(g)
    assert r.status_code == 302 and r["Location"] == at(g, p)
    assert (p.kind, p.title, p.body, p.process, p.opened_by.user) == (
        "question",
        "Shall we meet in summer?",
        "Why we want it.",
        "consent",
        g.users[1],
    )
    assert p.deadline - p.opened_at == timedelta(days=7) or abs(
        (p.deadline - p.opened_at) - timedelta(days=7)
    ) < timedelta(seconds=5)


def test_the_agreements_form_starts_from_the_groups_own_agreements(group: Any) -> None:
    g = group(3)
    adopt(g.circle, [{"title": "Phones away", "text": "We silence our phones."}])
    for u in g.users:  # everyone accepted the new version
        circle_services.membership_consent_renew(
            circle=g.circle, user=u, accepts_pledge=True, pledge_version=1, agreements_version=2
        )
    c = client_for(g.users[1])
    page = c.get(base(g) + "new/?kind=agreements").content.decode()
    assert 'value="Phones away"' in page and "We silence our phones." in page
    # The group's one agreement and three empty rows, all sent back (as the draft editor does).
    assert 'name="items-TOTAL_FORMS" value="4"' in page and 'name="items-INITIAL_FORMS" value="4"' in page
    data = common(title="Kinder phones") | {
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "3",
        "items-0-title": "Phones away",
        "items-0-text": "Phones stay in our bags.",
        "items-1-title": "Tea",
        "items-1-text": "Someone brings tea.",
        "items-2-title": "",
        "items-2-text": "",
    }
    r = c.post(base(g) + "new/?kind=agreements", data)
    assert r.status_code == 302, text(r)
    p = opened(g)
    assert p.payload == {
        "items": [
            {"title": "Phones away", "text": "Phones stay in our bags."},
            {"title": "Tea", "text": "Someone brings tea."},
        ]
    }
    # The detail shows what would change: one changed (with the text before), one new.
    page = text(c.get(at(g, p)))
    assert "Changed Phones away. Phones stay in our bags. Before: We silence our phones." in page
    assert "New Tea. Someone brings tea." in page


def test_an_agreement_removed_in_the_form_shows_as_removed(group: Any) -> None:
    g = group(3)
    adopt(g.circle, [{"title": "Phones away", "text": "Quiet."}, {"title": "Cake", "text": "Bring cake."}])
    for u in g.users:
        circle_services.membership_consent_renew(
            circle=g.circle, user=u, accepts_pledge=True, pledge_version=1, agreements_version=2
        )
    c = client_for(g.users[0])
    data = common() | {
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "2",
        "items-0-title": "Phones away",
        "items-0-text": "Quiet.",
        "items-1-title": "Cake",
        "items-1-text": "Bring cake.",
        "items-1-remove": "on",
    }
    assert c.post(base(g) + "new/?kind=agreements", data).status_code == 302
    p = opened(g)
    assert p.payload == {"items": [{"title": "Phones away", "text": "Quiet."}]}
    page = text(c.get(at(g, p)))
    assert "Removed Cake. Bring cake." in page and "Changed" not in page


def test_an_agreement_row_with_a_text_but_no_title_is_refused(group: Any) -> None:
    g = group(3)
    data = common() | {
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-0-title": "",
        "items-0-text": "Something",
    }
    r = client_for(g.users[0]).post(base(g) + "new/?kind=agreements", data)
    assert r.status_code == 400 and "Give this agreement a short title." in text(r)
    assert not Proposal.objects.exists()


def test_a_schedule_proposal_carries_the_rhythm_and_shows_now_and_proposed(group: Any) -> None:
    g = group(5)
    start = timezone.localdate() + timedelta(days=3)
    circle_services.circle_schedule_set(
        circle=g.circle, rhythm=weekly(1, 19, "Europe/Madrid", start), user=None
    )
    c = client_for(g.users[2])
    page = c.get(base(g) + "new/?kind=schedule").content.decode()
    assert 'name="weekday"' in page and 'name="timezone"' in page
    data = common() | {
        "kind": "weekly",
        "weekday": "3",
        "start_date": (start + timedelta(days=7)).isoformat(),
        "start_time": "18:30",
        "duration": "120",
        "timezone": "Europe/Madrid",
    }
    r = c.post(base(g) + "new/?kind=schedule", data)
    assert r.status_code == 302, text(r)
    p = opened(g)
    assert p.payload["weekday"] == 3 and p.payload["start_time"] == "18:30"
    assert p.payload["duration_minutes"] == 120
    page = text(c.get(at(g, p)))
    assert "Now Every week on Tuesday at 19:00 (Madrid time)" in page
    assert "Proposed Every week on Thursday at 18:30 (Madrid time)" in page


def test_the_schedule_form_puts_a_rule_error_next_to_its_field(group: Any) -> None:
    g = group(3)
    data = common() | {
        "kind": "weekly",
        "start_date": "2030-01-01",
        "start_time": "19:00",
        "duration": "90",
        "timezone": "Europe/Madrid",
    }
    r = client_for(g.users[0]).post(base(g) + "new/?kind=schedule", data)
    assert r.status_code == 400 and 'href="#id_weekday"' in r.content.decode()
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("size,ok", [("4", False), ("5", False), ("8", True), ("12", True), ("13", False)])
def test_capacity_is_5_to_12(group: Any, size: str, ok: bool) -> None:
    g = group(3, max_members=5)  # 5 is the size already: refused by the service
    r = client_for(g.users[0]).post(base(g) + "new/?kind=capacity", common(max_members=size))
    assert (r.status_code == 302) is ok, text(r)
    if ok:
        assert opened(g).payload == {"max_members": int(size)}
    else:
        assert not Proposal.objects.exists()


def test_openness_is_a_choice_of_three(group: Any) -> None:
    g = group(3)
    c = client_for(g.users[0])
    page = c.get(base(g) + "new/?kind=openness").content.decode()
    assert page.count('name="openness"') == 3
    assert c.post(base(g) + "new/?kind=openness", common(openness="review")).status_code == 302
    p = opened(g)
    assert p.payload == {"openness": "review"}
    page = text(c.get(at(g, p)))
    assert "Now Open: newcomers join straight away" in page
    assert "Proposed Newcomers ask, and the group welcomes them" in page


def test_a_professional_has_a_purpose_and_a_period(group: Any) -> None:
    g = group(3)
    c = client_for(g.users[0])
    starts = timezone.localdate() + timedelta(days=10)
    bad = common(purpose="A talk", starts=starts.isoformat(), ends=(starts - timedelta(days=1)).isoformat())
    r = c.post(base(g) + "new/?kind=professional", bad)
    assert r.status_code == 400 and "The end comes before the start." in text(r)
    good = common(purpose="A talk about grief", starts=starts.isoformat(), ends=starts.isoformat())
    assert c.post(base(g) + "new/?kind=professional", good).status_code == 302
    p = opened(g)
    assert p.payload == {
        "purpose": "A talk about grief",
        "starts": starts.isoformat(),
        "ends": starts.isoformat(),
    }
    assert "What they would do A talk about grief" in text(c.get(at(g, p)))


def test_a_removal_lists_the_other_members_explains_and_asks_to_confirm(group: Any) -> None:
    g = group(4)
    c = client_for(g.users[1])
    page = c.get(base(g) + "new/?kind=removal").content.decode()
    assert 'value="M0"' in page and 'value="M2"' in page and 'value="M3"' in page
    assert 'value="M1"' not in page  # never oneself
    assert "needs the consent of everyone else" in html_lib.unescape(page)
    data = common(title="About M2", member="M2")
    first = c.post(base(g) + "new/?kind=removal", data)
    assert first.status_code == 200
    assert "Open a proposal asking M2 to leave?" in text(first)
    assert not Proposal.objects.exists()  # the confirmation page opened nothing
    r = c.post(base(g) + "new/?kind=removal", data | {"confirmed": "yes"})
    assert r.status_code == 302
    p = opened(g)
    assert (p.kind, p.subject.user, p.process) == ("removal", g.users[2], "consent")


def test_a_removal_of_someone_not_in_the_list_is_refused(group: Any, make_user: Any) -> None:
    g = group(3)
    r = client_for(g.users[1]).post(base(g) + "new/?kind=removal", common(member="M1", confirmed="yes"))
    assert r.status_code == 400
    assert not Proposal.objects.exists()


def test_a_dissolution_asks_to_confirm_first(group: Any) -> None:
    g = group(3)
    c = client_for(g.users[0])
    first = c.post(base(g) + "new/?kind=dissolution", common(title="End it"))
    assert first.status_code == 200 and "Open a proposal to end the group?" in text(first)
    assert not Proposal.objects.exists()
    assert (
        c.post(base(g) + "new/?kind=dissolution", common(title="End it", confirmed="yes")).status_code == 302
    )
    assert opened(g).kind == "dissolution"


def test_majority_is_a_choice(group: Any) -> None:
    g = group(3)
    client_for(g.users[0]).post(base(g) + "new/?kind=question", common(process="majority", days="3"))
    p = opened(g)
    assert p.process == "majority"
    assert abs((p.deadline - p.opened_at) - timedelta(days=3)) < timedelta(seconds=5)


def test_a_service_refusal_shows_on_the_form(group: Any) -> None:
    g = group(3)
    r = client_for(g.users[0]).post(base(g) + "new/?kind=question", common(days="31"))
    assert r.status_code == 400 and not Proposal.objects.exists()


# --------------------------------------------------------------------------- one proposal


def test_the_detail_has_the_text_the_deadline_in_my_zone_and_how_many_answered(group: Any) -> None:
    g = group(5)
    g.users[3].timezone = "Asia/Tokyo"
    g.users[3].save(update_fields=["timezone"])
    p = g.open(0, title="Summer break", body="Two weeks off in August.")
    g.say(p, 1, "agree")
    g.say(p, 2, "disagree", "Summer is when I need the group most.")
    page = text(client_for(g.users[3]).get(at(g, p)))
    assert "Summer break" in page and "Two weeks off in August." in page
    assert "Proposed by M0." in page
    assert f"Closes on {display.day_and_time(p.deadline, 'Asia/Tokyo')} (Tokyo time)" in page
    assert "2 of 5 members have answered." in page


def test_results_are_hidden_while_open_in_the_page(group: Any) -> None:
    g = group(5)
    p = g.open(0)
    g.say(p, 1, "object", "It would leave M4 out.")
    g.say(p, 2, "disagree", "Too early for this.")
    for viewer in (0, 1, 3):
        html = client_for(g.users[viewer]).get(at(g, p)).content.decode()
        page = text(client_for(g.users[viewer]).get(at(g, p)))
        # Neither the others' reasons, nor who said what, nor counts per stance.
        assert "It would leave M4 out." not in html or viewer == 1
        assert "Too early for this." not in html
        assert "Who said what" not in page and "Result" not in page
        assert "M1: Object" not in page and "M2: Disagree" not in page
    # The one who objected sees their own stance and reason (to change them), nobody else's.
    own = text(client_for(g.users[1]).get(at(g, p)))
    assert "You answered: Object." in own and "Too early for this." not in own


def test_after_the_close_the_result_counts_reason_in_words_and_each_stance(group: Any) -> None:
    g = group(5)
    p = g.open(0)
    for i in (0, 2, 3, 4):
        g.say(p, i, "agree")
    g.say(p, 1, "object", "It would leave M4 out.")
    p.refresh_from_db()
    assert p.status == ProposalStatus.CLOSED  # everyone spoke: closed early
    page = text(client_for(g.users[3]).get(at(g, p)))
    assert "It did not pass. Someone objected, with a reason." in page
    assert "5 of 5 members took part." in page
    assert "Agree 4" in page and "Object 1" in page and "Abstain 0" in page
    assert "M1 : Object — It would leave M4 out." in page or "M1: Object — It would leave M4 out." in page


@pytest.mark.parametrize(
    "process,stances,words",
    [
        ("consent", ["agree"], "Too few members took part: at least 50% had to."),
        ("majority", ["agree"], "The quorum was not reached: at least 50% had to take part."),
        ("majority", ["agree", "disagree", "agree", "object"], "Not more members agreed than disagreed"),
        ("consent", ["agree", "agree", "abstain"], "Nobody objected, and enough members took part."),
        ("majority", ["agree", "agree", "disagree"], "More members agreed than disagreed or objected"),
    ],
)
def test_each_reason_in_words(group: Any, process: str, stances: list[str], words: str) -> None:
    g = group(5)
    p = g.open(0, process=process)
    for i, s in enumerate(stances):
        g.say(p, i, s, "Because." if s in ("disagree", "object") else "")
    p = close_now(p)
    assert words in text(client_for(g.users[0]).get(at(g, p)))


def test_a_removal_that_not_everyone_answered_says_so(group: Any) -> None:
    g = group(4)
    p = g.open(0, kind="removal", subject_ref=g.m(3).pk)
    g.say(p, 0, "agree")
    p = close_now(p)
    page = text(client_for(g.users[1]).get(at(g, p)))
    assert "needs everyone else's consent, and not everyone answered" in page
    assert "Who said what" not in page  # a removal shows counts only


def test_a_stance_is_saved_and_changes_until_the_close(group: Any) -> None:
    g = group(5)
    p = g.open(0)
    c = client_for(g.users[1])
    r = c.post(at(g, p, "stance/"), {"stance": "abstain"})
    assert r.status_code == 302 and r["Location"] == at(g, p)
    r = c.post(at(g, p, "stance/"), {"stance": "disagree", "reason": "Not now."})
    assert r.status_code == 302
    row = ProposalStance.objects.get(proposal=p)
    assert (row.membership.user, row.stance, row.reason) == (g.users[1], "disagree", "Not now.")
    page = text(c.get(at(g, p)))
    assert "You answered: Disagree." in page and "Change my stance" in page
    assert "You can change it until the proposal closes." in page  # the message after saving


def test_the_last_stance_missing_closes_it_and_says_so(group: Any) -> None:
    g = group(3)
    p = g.open(0)
    g.say(p, 0, "agree")
    g.say(p, 1, "agree")
    page = text(client_for(g.users[2]).post(at(g, p, "stance/"), {"stance": "agree"}, follow=True))
    assert "Your stance is saved. Everyone has answered, so it has closed." in page
    assert "It passed." in page and 'name="stance"' not in page


@pytest.mark.parametrize("stance", ["disagree", "object"])
def test_disagreeing_or_objecting_needs_a_reason(group: Any, stance: str) -> None:
    g = group(5)
    p = g.open(0)
    r = client_for(g.users[1]).post(at(g, p, "stance/"), {"stance": stance, "reason": "  "})
    assert r.status_code == 400
    assert "a reason is needed to disagree or object" in text(r)
    assert not ProposalStance.objects.exists()


def test_no_stance_after_the_close(group: Any) -> None:
    g = group(5)
    p = close_now(g.open(0))
    c = client_for(g.users[1])
    assert 'name="stance"' not in c.get(at(g, p)).content.decode()
    r = c.post(at(g, p, "stance/"), {"stance": "agree"})
    assert r.status_code == 400 and "This proposal is closed" in text(r)
    assert not ProposalStance.objects.exists()


def test_the_thread_shows_pseudonyms_and_takes_a_message(group: Any) -> None:
    g = group(3)
    p = g.open(0)
    c = client_for(g.users[2])
    r = c.post(at(g, p, "comment/"), {"text": "I like it,\nbut later."})
    assert r.status_code == 302
    assert Comment.objects.get().membership.user == g.users[2]
    page = text(client_for(g.users[1]).get(at(g, p)))
    assert "M2" in page and "I like it, but later." in page
    r = c.post(at(g, p, "comment/"), {"text": " "})
    assert r.status_code == 400 and Comment.objects.count() == 1


def test_the_thread_closes_with_the_proposal(group: Any) -> None:
    g = group(3)
    p = close_now(g.open(0))
    c = client_for(g.users[1])
    assert 'name="text"' not in c.get(at(g, p)).content.decode()
    assert c.post(at(g, p, "comment/"), {"text": "Late"}).status_code == 400
    assert not Comment.objects.exists()


def test_withdraw_asks_first_then_withdraws(group: Any) -> None:
    g = group(3)
    p = g.open(1)
    c = client_for(g.users[1])
    assert "Withdraw my proposal" in text(c.get(at(g, p)))
    confirm = c.get(at(g, p, "withdraw/"))
    assert confirm.status_code == 200 and "Withdraw your proposal?" in text(confirm)
    p.refresh_from_db()
    assert p.status == ProposalStatus.OPEN  # the GET changed nothing
    r = c.post(at(g, p, "withdraw/"))
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == ProposalStatus.WITHDRAWN
    assert "Withdrawn by the member who opened it." in text(c.get(at(g, p)))


def test_only_the_opener_withdraws_and_only_before_any_stance(group: Any) -> None:
    g = group(3)
    p = g.open(1)
    other = client_for(g.users[2])
    assert "Withdraw my proposal" not in text(other.get(at(g, p)))
    assert other.get(at(g, p, "withdraw/")).status_code == 302  # sent back to the proposal
    other.post(at(g, p, "withdraw/"))
    g.say(p, 2, "agree")
    opener = client_for(g.users[1])
    assert "Withdraw my proposal" not in text(opener.get(at(g, p)))
    opener.post(at(g, p, "withdraw/"))
    p.refresh_from_db()
    assert p.status == ProposalStatus.OPEN


def test_any_member_writes_the_outcome_and_a_review_day_after_the_close(group: Any) -> None:
    g = group(3)
    p = g.open(0)
    c = client_for(g.users[2])
    assert 'name="outcome"' not in c.get(at(g, p)).content.decode()
    assert c.post(at(g, p, "outcome/"), {"outcome": "Early"}).status_code == 400
    p = close_now(p)
    review = timezone.localdate() + timedelta(days=30)
    r = c.post(at(g, p, "outcome/"), {"outcome": "We bring tea in turns.", "review_on": review.isoformat()})
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.outcome, p.review_on) == ("We bring tea in turns.", review)
    page = text(client_for(g.users[0]).get(at(g, p)))
    assert "We bring tea in turns." in page and "The group looks at it again on" in page


# --------------------------------------------------------------------------- who may see


def test_the_person_a_removal_is_about_reads_it_answers_but_has_no_stance_form(group: Any) -> None:
    g = group(4)
    p = g.open(0, kind="removal", subject_ref=g.m(3).pk, body="You shouted at M1.")
    c = client_for(g.users[3])
    r = c.get(at(g, p))
    assert r.status_code == 200
    page = text(r)
    assert "This proposal is about you." in page and "You shouted at M1." in page
    assert 'name="stance"' not in r.content.decode()
    assert c.post(at(g, p, "stance/"), {"stance": "object", "reason": "No"}).status_code == 400
    assert not ProposalStance.objects.exists()
    assert c.post(at(g, p, "comment/"), {"text": "I am sorry."}).status_code == 302
    page = text(client_for(g.users[1]).get(at(g, p)))
    assert "M3 (the person this is about)" in page and "I am sorry." in page
    # Their list marks it.
    assert "About you" in text(c.get(base(g)))


def test_outsiders_waiting_and_former_members_get_404_everywhere(group: Any, make_user: Any) -> None:
    g = group(5, max_members=5)
    p = g.open(0)
    waiting, former, outsider = make_user(), make_user(), make_user()
    join(g.circle, waiting, "Waiter")
    assert g.circle.memberships.get(user=waiting).status == MembershipStatus.WAITING
    circle_services.membership_leave(circle=g.circle, user=g.users[4])
    former = g.users[4]
    paths = ["", "new/", "new/?kind=question", f"{p.code}/", f"{p.code}/withdraw/"]
    posts = ["new/?kind=question", f"{p.code}/stance/", f"{p.code}/comment/", f"{p.code}/withdraw/"]
    for person in (waiting, former, outsider):
        c = client_for(person)
        for path in paths:
            assert c.get(base(g) + path).status_code == 404, path
        for path in posts:
            assert c.post(base(g) + path, common(stance="agree", text="x")).status_code == 404, path
    # The waiting person took the freed seat (an offer), still no way in.
    assert not ProposalStance.objects.exists() and not Comment.objects.exists()
    assert Proposal.objects.count() == 1


def test_another_groups_proposal_code_is_404(group: Any) -> None:
    g, h = group(3), group(3)
    p = h.open(0)
    assert client_for(g.users[0]).get(at(g, p)).status_code == 404


def test_a_member_who_must_accept_new_agreements_is_sent_to_accept_them(group: Any) -> None:
    g = group(3)
    p = g.open(0)
    adopt(g.circle, [{"title": "New", "text": "A new one."}])
    r = client_for(g.users[1]).get(at(g, p))
    assert r.status_code == 302 and r["Location"] == f"/groups/{g.circle.code}/consent/"


def test_no_get_writes(group: Any) -> None:
    g = group(4)
    p = g.open(1)
    before = (Proposal.objects.count(), ProposalStance.objects.count(), Comment.objects.count())
    audits = AuditEvent.objects.count()
    c = client_for(g.users[1])
    paths = ["", "new/", *(f"new/?kind={k}" for k in ("agreements", "removal", "dissolution", "schedule"))]
    paths += [
        f"{p.code}/",
        f"{p.code}/withdraw/",
        f"{p.code}/stance/",
        f"{p.code}/comment/",
        f"{p.code}/outcome/",
    ]
    for path in paths:
        assert c.get(base(g) + path).status_code in (200, 405), path
    p.refresh_from_db()
    assert p.status == ProposalStatus.OPEN
    assert (Proposal.objects.count(), ProposalStance.objects.count(), Comment.objects.count()) == before
    assert AuditEvent.objects.count() == audits


# --------------------------------------------------------------------------- the meetings schedule page


def test_an_active_groups_schedule_page_sends_members_to_a_proposal(group: Any) -> None:
    g = group(5)
    start = timezone.localdate() + timedelta(days=3)
    circle_services.circle_schedule_set(
        circle=g.circle, rhythm=weekly(1, 19, "Europe/Madrid", start), user=None
    )
    assert g.reload().status == "active"
    c = client_for(g.users[1])
    schedule = f"/groups/{g.circle.code}/meetings/schedule/"
    r = c.get(schedule)
    assert r.status_code == 302 and r["Location"] == base(g) + "new/?kind=schedule"
    r = c.post(
        schedule,
        {
            "kind": "weekly",
            "weekday": "4",
            "start_date": start.isoformat(),
            "start_time": "10:00",
            "duration": "90",
            "timezone": "Europe/Madrid",
        },
    )
    assert r.status_code == 302 and r["Location"] == base(g) + "new/?kind=schedule"
    assert g.reload().schedule_weekday == 1  # unchanged
    page = c.get(f"/groups/{g.circle.code}/meetings/").content.decode()
    assert "Propose a new meeting time" in page and 'href="' + schedule + '"' not in page


def test_a_forming_group_still_sets_its_schedule_directly(group: Any) -> None:
    g = group(3)
    assert g.circle.status == "forming"
    r = client_for(g.users[1]).get(f"/groups/{g.circle.code}/meetings/schedule/")
    assert r.status_code == 200


def test_a_schedule_proposal_passes_and_the_group_meets_then(group: Any) -> None:
    """Through the pages: an active group's member proposes, everyone agrees, the rhythm changes."""
    g = group(5)
    start = timezone.localdate() + timedelta(days=3)
    circle_services.circle_schedule_set(
        circle=g.circle, rhythm=weekly(1, 19, "Europe/Madrid", start), user=None
    )
    data = common() | {
        "kind": "weekly",
        "weekday": "3",
        "start_date": start.isoformat(),
        "start_time": "18:00",
        "duration": "90",
        "timezone": "Europe/Madrid",
    }
    assert client_for(g.users[1]).post(base(g) + "new/?kind=schedule", data).status_code == 302
    p = opened(g)
    for i in range(5):
        assert client_for(g.users[i]).post(at(g, p, "stance/"), {"stance": "agree"}).status_code == 302
    circle = g.reload()
    assert (circle.schedule_weekday, circle.schedule_start_time.hour) == (3, 18)
    assert "It passed. Nobody objected" in text(client_for(g.users[0]).get(at(g, p)))

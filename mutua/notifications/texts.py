"""What each kind of notification says. One neutral text per kind, shown in the reader's language in
the inbox and in emails alike: it never names a group, its topic, a pseudonym or anything written in a
group (P7), because a notification can be seen by someone looking over a shoulder or a shared inbox."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mutua.notifications.models import Kind


@dataclass(frozen=True)
class Text:
    title: Promise
    body: Promise
    action: Promise
    # What the notification's `due_at` is: a deadline to answer by (the default), or when the meeting
    # it is about starts (shown in the inbox, kept out of emails).
    due_is_start: bool = False


TEXTS: dict[str, Text] = {
    Kind.SEAT_OFFERED: Text(
        _("A seat is free for you"),
        _("A seat has opened up in a group you are waiting for. It is yours if you want it."),
        _("See the offer"),
    ),
    Kind.SEAT_OFFER_EXPIRING: Text(
        _("Your seat offer ends soon"),
        _("A seat is still kept for you, but not for much longer. If you want it, say yes before it ends."),
        _("See the offer"),
    ),
    Kind.PROPOSAL_RECEIVED: Text(
        _("A group is proposed to you"),
        _(
            "We found people who could meet with you. Have a look and decide if you want to join. "
            "Nobody is added to a group without saying yes."
        ),
        _("See the proposal"),
    ),
    Kind.PROPOSAL_DEADLINE: Text(
        _("Your proposal closes soon"),
        _("A group proposed to you is still waiting for your answer, but not for much longer."),
        _("See the proposal"),
    ),
    Kind.GROUP_FORMED: Text(
        _("Your new group is ready"),
        _("Enough people said yes, so your new group has formed. You can find it in My groups."),
        _("Go to the group"),
    ),
    Kind.JOIN_CONFIRMED: Text(
        _("You are in"),
        _("You have joined the group. Welcome. You can find it in My groups."),
        _("Go to the group"),
    ),
    Kind.OFFER_LAPSED: Text(
        _("An offer has closed"),
        _(
            "An offer for you has closed. You are still waiting, and you will hear from us when there "
            "is something new."
        ),
        _("See what's next"),
    ),
    Kind.MEETING_REMINDER: Text(
        _("A meeting is coming up"),
        _("One of your groups meets soon. The time and how to join are on the meeting page."),
        _("See the meeting"),
        due_is_start=True,
    ),
    Kind.MEETING_CHANGED: Text(
        _("A meeting has changed"),
        _(
            "A meeting of one of your groups was cancelled or moved, or how to join it changed. "
            "Check the meeting page."
        ),
        _("See the meeting"),
    ),
    Kind.PROPOSAL_OPENED: Text(
        _("Your group has a decision to make"),
        _("A member of one of your groups has opened a proposal. Read it and say where you stand."),
        _("See the proposal"),
    ),
    Kind.PROPOSAL_CLOSING: Text(
        _("A group decision closes soon"),
        _("A proposal in one of your groups closes soon, and you have not said where you stand yet."),
        _("See the proposal"),
    ),
    Kind.PROPOSAL_CLOSED: Text(
        _("A group decision has closed"),
        _("A proposal in one of your groups has closed. The result is on its page."),
        _("See the result"),
    ),
    Kind.PROPOSAL_ABOUT_YOU: Text(
        _("A group decision concerns you"),
        _(
            "A proposal in one of your groups is about you. You can read it and answer in its "
            "discussion. You do not vote on it."
        ),
        _("See the proposal"),
    ),
    Kind.REVIEW_DUE: Text(
        _("Time to look at a decision again"),
        _("One of your groups asked to review a decision it made. It is time to look at it again."),
        _("See the decision"),
    ),
    Kind.JOIN_REQUEST: Text(
        _("Someone asks to join"),
        _("Someone asks to join one of your groups. Members can welcome them or object, with a reason."),
        _("See the request"),
    ),
    Kind.JOIN_REQUEST_CLOSED: Text(
        _("Your request has an answer"),
        _("Your request to join a group has an answer. You can see it on the group's page."),
        _("See the answer"),
    ),
    Kind.ROLE_OFFERED: Text(
        _("A role is offered to you"),
        _("A practical role at a coming meeting is offered to you. You can take it, decline or swap."),
        _("See the meeting"),
    ),
    Kind.MEMBERSHIP_ENDED: Text(
        _("Your membership has ended"),
        _("Your membership of one of your groups has ended. You can look for another group at any time."),
        _("Browse groups"),
    ),
}


def text_for(kind: str) -> Text:
    return TEXTS[kind]

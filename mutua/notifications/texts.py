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
    ),
    Kind.MEETING_CHANGED: Text(
        _("A meeting has changed"),
        _(
            "A meeting of one of your groups was cancelled or moved, or how to join it changed. "
            "Check the meeting page."
        ),
        _("See the meeting"),
    ),
}


def text_for(kind: str) -> Text:
    return TEXTS[kind]

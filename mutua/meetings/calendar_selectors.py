"""Reads behind calendar feeds: which feed a secret address opens, and what one person's feed holds.

A feed holds only the person's own groups where they are a current member whose consent is current
(the gate's rule, `consent_is_current`): waiting, offered and former members, and members who must
accept new agreements or a new pledge, see nothing of a group (P7). It never holds another person's
data: no pseudonym, answer, note, address or room (decision 0018).
"""

import hmac
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from mutua.accounts.models import User, hash_token
from mutua.circles.consent import consent_is_current, current_pledge_version
from mutua.circles.models import Circle, Membership, MembershipStatus
from mutua.meetings.calendar import FeedGroup, build_feed, build_single
from mutua.meetings.models import CalendarFeed
from mutua.meetings.schedule import Occurrence
from mutua.meetings.selectors import changes_of, key_slug

UID_SALT = "mutua.meetings.calendar.uid"


def feed_by_token(raw: str) -> CalendarFeed | None:
    """The working feed a secret address opens, or None (unknown, revoked, or the person's account is
    closed). Only the token's hash is stored and it is looked up by exact equality."""
    if not raw:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def calendar_feed_of(*, user: User) -> CalendarFeed | None:
    """The person's working feed, if any (never its token: only the hash is kept)."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_ref(*, user_id: int, circle_id: int) -> str:
    """An opaque, stable name for one group in one person's calendar (SECRET_KEY HMAC): the same for
    that person whatever feed address they use, different for every person, and not the group's code,
    so neither the calendar service nor anyone it shows the calendar to can link people or find the
    group's public page."""
    return salted_hmac(UID_SALT, f"{user_id}:{circle_id}", algorithm="sha256").hexdigest()[:32]


def _host() -> str:
    return urlsplit(str(settings.SITE_URL)).hostname or "mutua"


def feed_uid(*, user_id: int, circle_id: int) -> str:
    return f"{feed_ref(user_id=user_id, circle_id=circle_id)}@{_host()}"


def absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def feed_urls(raw: str) -> tuple[str, str]:
    """The https:// and webcal:// addresses of a feed (shown once, right after it is made)."""
    https = absolute(reverse("calendar:feed", args=[raw]))
    return https, "webcal://" + https.split("://", 1)[1]


def _language(user: User) -> str:
    return user.language or str(settings.LANGUAGE_CODE)


def _feed_group(*, user: User, circle: Circle, show_names: bool) -> FeedGroup | None:
    rhythm = circle.rhythm
    if rhythm is None:
        return None
    ref = feed_ref(user_id=user.pk, circle_id=circle.pk)

    def url_for(key: datetime | None) -> str:
        if key is None:
            return absolute(reverse("calendar:go", args=[ref]))
        return absolute(reverse("calendar:go_meeting", args=[ref, key_slug(key)]))

    return FeedGroup(
        uid=feed_uid(user_id=user.pk, circle_id=circle.pk),
        rhythm=rhythm,
        changes=changes_of(circle=circle),
        summary=circle.name if show_names else _("Group meeting"),
        description=_("The details are on this page, for members (you may need to sign in):"),
        url_for=url_for,
    )


def _member_circles(*, user: User) -> list[Circle]:
    """The person's groups whose content they may see now: current member, consent current."""
    pledge_version = current_pledge_version()
    memberships = (
        Membership.objects.filter(user=user, status=MembershipStatus.MEMBER)
        .select_related("circle")
        .order_by("circle__pk")
    )
    return [
        m.circle
        for m in memberships
        if consent_is_current(membership=m, circle=m.circle, pledge_version=pledge_version)
    ]


def feed_ics(*, feed: CalendarFeed, now: datetime | None = None) -> bytes:
    """The iCalendar text of one person's feed, in their profile language."""
    user = feed.user
    with translation.override(_language(user)):
        groups = [
            group
            for circle in _member_circles(user=user)
            if (group := _feed_group(user=user, circle=circle, show_names=feed.show_names)) is not None
        ]
        return build_feed(groups, name=_("Group meetings"), now=now)


def meeting_ics(*, user: User, circle: Circle, occ: Occurrence, now: datetime | None = None) -> bytes:
    """One meeting of a group the gate let the person into, as a file to import. The title follows the
    person's feed choice (neutral when they have no feed)."""
    feed = calendar_feed_of(user=user)
    show_names = feed is not None and feed.show_names
    with translation.override(_language(user)):
        group = _feed_group(user=user, circle=circle, show_names=show_names)
        if group is None:
            raise ValueError("a group without a schedule has no meetings")
        uid = f"{feed_ref(user_id=user.pk, circle_id=circle.pk)}-{key_slug(occ.key)}@{_host()}"
        return build_single(group, occ, uid=uid, name=_("Group meetings"), now=now)


def circle_for_ref(*, user: User, ref: str) -> Circle | None:
    """The group a calendar link names, if the person is a current member of it (else None: a 404)."""
    for membership in Membership.objects.filter(user=user, status=MembershipStatus.MEMBER).select_related(
        "circle"
    ):
        if hmac.compare_digest(
            feed_ref(user_id=user.pk, circle_id=membership.circle_id).encode(), ref.encode()
        ):
            return membership.circle
    return None

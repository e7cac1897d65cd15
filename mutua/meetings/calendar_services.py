"""The only writers of calendar feeds. Each takes the acting person as `user` and touches only that
person's feed (P2). The secret token is returned once and never stored: only its SHA-256 is kept, as
for API tokens (`accounts.models.hash_token`, one definition)."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.accounts.models import User, hash_token
from mutua.core.errors import DomainError
from mutua.core.models import audit
from mutua.meetings.models import CalendarFeed

NO_FEED = _("You have no calendar address.")


def _lock(user: User) -> None:
    # Two requests creating a feed at once queue here rather than break the one-active constraint.
    User.objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def calendar_feed_create(*, user: User, show_names: bool) -> str:
    """A new secret address for the person's calendar; the old one, if any, stops working at once.
    Returns the raw token, which is shown once. Only the previous address is remembered (as revoked)."""
    _lock(user)
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=False).delete()
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    raw = secrets.token_urlsafe(32)
    CalendarFeed.objects.create(user=user, token_hash=hash_token(raw), show_names=show_names)
    audit("calendar.feed_created", actor=user)
    return raw


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    """Stop the person's calendar address: it answers 404 from now on."""
    _lock(user)
    if not CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        raise DomainError(NO_FEED, code="not_found")
    audit("calendar.feed_revoked", actor=user)


@transaction.atomic
def calendar_feed_set_names(*, user: User, show_names: bool) -> CalendarFeed:
    """Show each group's name in the person's calendar, or a neutral title; the address stays."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True).first()
    if feed is None:
        raise DomainError(NO_FEED, code="not_found")
    if feed.show_names != show_names:
        feed.show_names = show_names
        feed.save(update_fields=["show_names"])
    return feed

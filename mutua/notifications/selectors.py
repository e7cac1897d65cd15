"""Reads of one person's own notifications and preferences. Nobody reads another person's."""

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from mutua.notifications.models import EMAIL_BY_DEFAULT, Kind, Notification, Preference

if TYPE_CHECKING:
    from mutua.accounts.models import User


def inbox_for(*, viewer: "User") -> QuerySet[Notification]:
    """The viewer's notifications, newest first."""
    return Notification.objects.filter(user_id=viewer.pk).order_by("-created_at", "-pk")


def notification_of(*, viewer: "User", code: str) -> Notification | None:
    """One of the viewer's own notifications by its code; another person's is None, like a code that
    does not exist."""
    return Notification.objects.filter(user_id=viewer.pk, code=code).first()


def unread_count(*, viewer: "User") -> int:
    return Notification.objects.filter(user_id=viewer.pk, read_at__isnull=True).count()


def email_wanted(*, user_id: int, kind: str) -> bool:
    """Whether this kind should also arrive by email: the person's choice, or the kind's default."""
    chosen = Preference.objects.filter(user_id=user_id, kind=kind).values_list("email", flat=True).first()
    return (kind in EMAIL_BY_DEFAULT) if chosen is None else bool(chosen)


def preferences_for(*, viewer: "User") -> dict[str, bool]:
    """Every kind, in display order, with whether it also arrives by email."""
    chosen = dict(Preference.objects.filter(user_id=viewer.pk).values_list("kind", "email"))
    return {kind: bool(chosen.get(kind, kind in EMAIL_BY_DEFAULT)) for kind in Kind.values}

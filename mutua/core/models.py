import re
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Governance-relevant and staff actions. Holds identifiers and action names only — never a
    group's topic or anything a member wrote (P7).

    Rows are append-only: `audit()` is the only writer and the admin can neither change nor delete
    them. A row about a group never points at a person: the acting member is recorded as
    `member_ref`, the id of their membership in that group, which the group itself can resolve to
    a pseudonym but which the admin shows nowhere next to a person (DESIGN §2: staff cannot see who
    belongs to which group). Only staff actions carry `actor`."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("staff actor"),
        help_text=_("Set only for staff actions; group events name their member by membership id."),
    )
    action = models.CharField(max_length=64)
    circle = models.ForeignKey("circles.Circle", null=True, blank=True, on_delete=models.CASCADE)
    member_ref = models.PositiveBigIntegerField(
        _("member (membership id)"),
        null=True,
        blank=True,
        help_text=_("The acting member's membership id in this group, meaningful only inside the group."),
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: an existing row is never rewritten.
        if not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        # Nor removed one by one (the admin's delete calls this). Retention, when it comes, deletes
        # old rows with a queryset in a service, in the open.
        raise ValueError("Audit events are append-only.")


# Keys that would name a person next to a group; `audit()` drops them from a group's rows.
PERSON_KEY = re.compile(
    r"(^|_)(user|users|person|people|email|emails|actor|name|display_name)(_ids?|_pks?)?$"
)


def audit(action: str, *, actor: Any = None, circle: Any = None, **data: object) -> None:
    """Record an event. For an event in a group the person acting is stored as their membership id
    in that group, never as a user; staff acting outside their own membership keep their identity,
    as staff actions must stay accountable."""
    member_ref = None
    if circle is not None:
        data = {key: value for key, value in data.items() if not PERSON_KEY.search(key)}
        if actor is not None:
            # Through the group's own relation: core imports no app above it.
            member_ref = circle.memberships.filter(user=actor).values_list("pk", flat=True).first()
            if member_ref is not None or not getattr(actor, "is_staff", False):
                actor = None
    AuditEvent.objects.create(action=action, actor=actor, circle=circle, member_ref=member_ref, data=data)


class RateCounter(models.Model):
    """A fixed-window counter shared by every worker process (login, sign-up and reset throttles,
    join/leave cycles). `key` is `scope:` plus a keyed hash of the identifier, so the table never
    holds an email address or an IP address in clear. See `core/ratelimit.py`."""

    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key.split(":", 1)[0]

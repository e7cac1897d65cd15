from typing import Any

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Governance-relevant and staff actions. Holds identifiers and action names only — never a
    group's topic or anything a member wrote (P7)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=64)
    circle = models.ForeignKey("circles.Circle", null=True, blank=True, on_delete=models.CASCADE)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


def audit(action: str, *, actor: Any = None, circle: Any = None, **data: object) -> None:
    AuditEvent.objects.create(action=action, actor=actor, circle=circle, data=data)


class RateCounter(models.Model):
    """A fixed-window counter shared by every worker process (login, sign-up and reset throttles,
    join/leave cycles). `key` is `scope:` plus a keyed hash of the identifier, so the table never
    holds an email address or an IP address in clear. See `core/ratelimit.py`."""

    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key.split(":", 1)[0]

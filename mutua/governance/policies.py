"""What the group decides together (P5). One place for the pages and the API."""

from django.utils.translation import gettext_lazy as _

from mutua.circles.models import Circle, CircleStatus

SCHEDULE_BY_PROPOSAL = _("The group decides a new meeting time together: propose it to the group.")


def schedule_by_proposal(circle: Circle) -> bool:
    """An active group changes when it meets by a proposal (the whole group owns its rules); a forming
    group's members still set its first meeting time directly (decision 0004)."""
    return circle.status == CircleStatus.ACTIVE

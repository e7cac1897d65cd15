"""When a group meets, in words, for the directory's cards and the public page (`meetings.describe`)."""

from django import template

from mutua.circles.models import Circle
from mutua.core.i18n import Visitor
from mutua.meetings.describe import describe_next, describe_rhythm, no_rhythm_text, zone_place

register = template.Library()


@register.simple_tag
def rhythm_text(circle: Circle, visitor: Visitor | None = None) -> str:
    """The rhythm in words, "Every week on Tuesday at 19:00" (naming the group's zone when the visitor's
    clock differs), or that the group has no meeting time yet."""
    rhythm = circle.rhythm
    if rhythm is None:
        return no_rhythm_text()
    return describe_rhythm(rhythm, viewer_tz=visitor.timezone if isinstance(visitor, Visitor) else None)


@register.simple_tag
def next_meeting_text(circle: Circle, visitor: Visitor | None = None) -> str:
    """The group's next meeting on the visitor's clock and on the group's, when a selector read it
    (`selectors.with_next_meetings`); "" otherwise."""
    upcoming = getattr(circle, "next_meeting", None)
    if upcoming is None:
        return ""
    viewer = visitor if isinstance(visitor, Visitor) else Visitor()
    return describe_next(
        upcoming.start,
        group_tz=circle.timezone,
        viewer_tz=viewer.timezone,
        viewer_tz_known=viewer.timezone_known,
    )


@register.filter(name="zone_place")
def zone_place_filter(tz: str) -> str:
    """The place of a zone, "Europe/Madrid" → "Madrid": the zone a page used, named when it was a guess."""
    return zone_place(str(tz))

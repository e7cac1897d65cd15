from django import template
from django.template import Context

from mutua.notifications import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_unread(context: Context) -> int:
    """The signed-in person's unread count for the header (0 for anyone else)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return selectors.unread_count(viewer=user)

"""The calendar feed in the JSON API: the same services and selectors as the page. The secret address
is in the answer to the POST that makes it, and never again."""

from datetime import datetime
from typing import TYPE_CHECKING

from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from mutua.api.schemas import Message
from mutua.core.http import AuthenticatedHttpRequest
from mutua.meetings import calendar_selectors, calendar_services

if TYPE_CHECKING:
    from mutua.accounts.models import User

router = Router(tags=["calendar"])


class CalendarFeedOut(Schema):
    active: bool = Field(..., description="The person has a working calendar address.")
    show_names: bool = Field(
        ..., description="Events carry each group's name; otherwise a neutral title (the default)."
    )
    created_at: datetime | None = None


class CalendarFeedIn(Schema):
    show_names: StrictBool = Field(
        ...,
        description=(
            "Show each group's name in the calendar. Your calendar app or its provider may show it to "
            "anyone who sees your calendar; false gives a neutral title."
        ),
    )


class CalendarFeedCreatedOut(CalendarFeedOut):
    token: str = Field(..., description="The secret in the address. Shown once: only its hash is kept.")
    url: str = Field(..., description="The address to subscribe to (https://).")
    webcal_url: str = Field(..., description="The same address as webcal://, which opens a calendar app.")


def _out(user: "User") -> CalendarFeedOut:
    feed = calendar_selectors.calendar_feed_of(user=user)
    if feed is None:
        return CalendarFeedOut(active=False, show_names=False, created_at=None)
    return CalendarFeedOut(active=True, show_names=feed.show_names, created_at=feed.created_at)


@router.get("/me/calendar", response=CalendarFeedOut)
def calendar_feed(request: AuthenticatedHttpRequest) -> CalendarFeedOut:
    return _out(request.user)


@router.post("/me/calendar", response={201: CalendarFeedCreatedOut})
def calendar_feed_create(
    request: AuthenticatedHttpRequest, payload: CalendarFeedIn
) -> Status[CalendarFeedCreatedOut]:
    """A new secret address; the old one, if any, stops working at once."""
    raw = calendar_services.calendar_feed_create(user=request.user, show_names=payload.show_names)
    state = _out(request.user)
    url, webcal_url = calendar_selectors.feed_urls(raw)
    return Status(
        201, CalendarFeedCreatedOut(**state.model_dump(), token=raw, url=url, webcal_url=webcal_url)
    )


@router.put("/me/calendar", response={200: CalendarFeedOut, 404: Message})
def calendar_feed_names(request: AuthenticatedHttpRequest, payload: CalendarFeedIn) -> CalendarFeedOut:
    """Change the titles (group names or neutral); the address stays the same."""
    calendar_services.calendar_feed_set_names(user=request.user, show_names=payload.show_names)
    return _out(request.user)


@router.delete("/me/calendar", response={204: None, 404: Message})
def calendar_feed_revoke(request: AuthenticatedHttpRequest) -> Status[None]:
    """Stop the address: it answers 404 from now on."""
    calendar_services.calendar_feed_revoke(user=request.user)
    return Status(204, None)

"""The inbox in the JSON API: the same services, selectors and neutral texts as the pages."""

from datetime import datetime

from django.core.paginator import Paginator
from ninja import Field, Query, Router, Schema

from mutua.api.schemas import Message
from mutua.core.http import AuthenticatedHttpRequest
from mutua.notifications import selectors, services
from mutua.notifications.models import Kind, Notification
from mutua.notifications.texts import text_for

router = Router(tags=["notifications"])

PAGE_SIZE = 20


class NotificationOut(Schema):
    code: str
    kind: str = Field(..., description="One of: " + ", ".join(Kind.values))
    title: str
    body: str
    url: str = Field(..., description="A path on this site; the page applies its own access rules.")
    due_at: datetime | None = Field(
        ..., description="A deadline to answer by; for kind meeting_reminder, when the meeting starts."
    )
    created_at: datetime
    read: bool


class InboxOut(Schema):
    items: list[NotificationOut]
    unread: int
    page: int
    pages: int


class PageIn(Schema):
    page: int = Field(1, ge=1, le=100_000)


class ReadAllOut(Schema):
    marked: int


class PreferenceItem(Schema):
    kind: str
    label: str
    email: bool = Field(..., description="True: inbox and email. False: inbox only.")


class PreferenceIn(Schema):
    kind: str = Field(..., max_length=32, description="One of: " + ", ".join(Kind.values))
    email: bool


def _out(n: Notification) -> NotificationOut:
    text = text_for(n.kind)
    return NotificationOut(
        code=n.code,
        kind=n.kind,
        title=str(text.title),
        body=str(text.body),
        url=n.url,
        due_at=n.due_at,
        created_at=n.created_at,
        read=n.read_at is not None,
    )


def _preferences(current: dict[str, bool]) -> list[PreferenceItem]:
    labels = dict(Kind.choices)
    return [PreferenceItem(kind=k, label=str(labels[k]), email=v) for k, v in current.items()]


@router.get("/me/notifications", response=InboxOut)
def inbox(request: AuthenticatedHttpRequest, query: Query[PageIn]) -> InboxOut:
    page = Paginator(selectors.inbox_for(viewer=request.user), PAGE_SIZE).get_page(query.page)
    return InboxOut(
        items=[_out(n) for n in page.object_list],
        unread=selectors.unread_count(viewer=request.user),
        page=page.number,
        pages=page.paginator.num_pages,
    )


@router.post("/me/notifications/read", response=ReadAllOut)
def read_all(request: AuthenticatedHttpRequest) -> ReadAllOut:
    return ReadAllOut(marked=services.notifications_mark_all_read(user=request.user))


@router.post("/me/notifications/{code}/read", response={200: NotificationOut, 404: Message})
def read_one(request: AuthenticatedHttpRequest, code: str) -> NotificationOut:
    return _out(services.notification_mark_read(user=request.user, code=code[:16]))


@router.get("/me/notification-preferences", response=list[PreferenceItem])
def preferences_get(request: AuthenticatedHttpRequest) -> list[PreferenceItem]:
    return _preferences(selectors.preferences_for(viewer=request.user))


@router.put("/me/notification-preferences", response={200: list[PreferenceItem], 400: Message})
def preferences_put(request: AuthenticatedHttpRequest, payload: list[PreferenceIn]) -> list[PreferenceItem]:
    current = services.preferences_set(user=request.user, email={p.kind: p.email for p in payload})
    return _preferences(current)

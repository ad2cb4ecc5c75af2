"""Notifications API: the signed-in user's own notifications, and marking one read.

A notification about a record the reader can no longer see comes with ``visible: false`` and
without its subject, body and link, as on the inbox page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate

from bridgework.web.api import ERROR_RESPONSES, KeysetPagination
from bridgework.web.api_rows import RecordOut

from . import selectors
from .actions import do_mark_read
from .models import Notification

__all__ = ["router"]

router = Router(tags=["notifications"])


class NotificationOut(RecordOut):
    id: int
    kind: str
    visible: bool
    subject: str | None
    body: str | None
    url: str | None
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_visible(obj: Notification) -> bool:
        return bool(getattr(obj, "visible", False))

    @staticmethod
    def resolve_subject(obj: Notification) -> str | None:
        return obj.subject if getattr(obj, "visible", False) else None

    @staticmethod
    def resolve_body(obj: Notification) -> str | None:
        return obj.body if getattr(obj, "visible", False) else None

    @staticmethod
    def resolve_url(obj: Notification) -> str | None:
        return obj.url if getattr(obj, "visible", False) else None


class NotificationPagination(KeysetPagination):
    """Keyset pages whose items know whether their record is still visible to the reader
    (one query per kind of record on the page, not one per notification)."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        selectors.mark_visibility(request.user, result["items"])
        return result


@router.get(
    "/notifications",
    response={200: list[NotificationOut], **ERROR_RESPONSES},
    summary="My notifications, newest first",
)
@paginate(NotificationPagination, ordering=selectors.INBOX_ORDERING)
def list_notifications(request):
    return selectors.inbox(request.user).select_related("content_type")


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERROR_RESPONSES},
    summary="Mark one of my notifications read",
)
def read_notification(request, notification_id: int):
    notification = get_object_or_404(
        selectors.inbox(request.user).select_related("content_type"), pk=notification_id
    )
    do_mark_read(notification, acting_user=request.user)
    selectors.mark_visibility(request.user, [notification])
    return notification

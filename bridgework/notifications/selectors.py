"""Reads of the notifications module. Every read of a notification goes through
``Notification.objects.filter(recipient=user)``; the record each is about is re-checked
against the reader's scope, so a notification about a record they can no longer see shows as
"a record you can no longer see", without its subject or body."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Case, CharField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from bridgework.access.requests import counted

from .apps import UNREAD
from .kinds import kinds
from .models import EmailMode, Notification, NotificationPreference

__all__ = [
    "INBOX_ORDERING",
    "email_mode_of",
    "email_modes",
    "inbox",
    "mark_visibility",
    "unread_count",
    "visible_record_keys",
    "with_email_mode",
]

INBOX_ORDERING = ("-created_at", "-pk")


def inbox(user) -> QuerySet[Notification]:
    """The user's own notifications, newest first: the only way any page reads them."""
    return Notification.objects.filter(recipient=user).order_by(*INBOX_ORDERING)


def unread_count(request: HttpRequest) -> int:
    """The menu badge: the signed-in user's unread notifications, as read with their session
    on a page read, else counted (one indexed count)."""
    return counted(request, UNREAD)


def visible_record_keys(user, notifications: Iterable[Notification]) -> set[tuple[int, str]]:
    """The (content type id, object id) of the notifications' records that ``user`` may see
    now: the scoped queryset's answer, one query per kind of record."""
    wanted: dict[int, set[str]] = defaultdict(set)
    models_by_type: dict[int, Any] = {}
    for notification in notifications:
        wanted[notification.content_type_id].add(notification.object_id)
        models_by_type[notification.content_type_id] = notification.content_type.model_class()
    found: set[tuple[int, str]] = set()
    for type_id, ids in wanted.items():
        model = models_by_type[type_id]
        manager: Any = getattr(model, "_default_manager", None)
        if manager is None or not hasattr(manager, "visible_to"):
            continue  # a model that is gone, or not scoped: nothing to show
        for pk in manager.visible_to(user, "view").filter(pk__in=ids).values_list("pk", flat=True):
            found.add((type_id, str(pk)))
    return found


def mark_visibility(user, notifications: list[Notification]) -> list[Notification]:
    """Set ``visible`` on each notification: whether ``user`` may still see its record."""
    keys = visible_record_keys(user, notifications)
    for notification in notifications:
        notification.visible = (  # type: ignore[attr-defined]
            notification.content_type_id,
            notification.object_id,
        ) in keys
    return notifications


def _default_mode() -> Case:
    return Case(
        *[When(kind=name, then=Value(kind.default_email)) for name, kind in kinds().items()],
        default=Value(EmailMode.IMMEDIATE),
        output_field=CharField(),
    )


def with_email_mode(notifications: QuerySet[Notification]) -> QuerySet[Notification]:
    """Annotate ``email_mode``: the recipient's preference for the kind, or its default."""
    chosen = NotificationPreference.objects.filter(
        user=OuterRef("recipient"), kind=OuterRef("kind")
    ).values("email")[:1]
    return notifications.annotate(
        email_mode=Coalesce(Subquery(chosen, output_field=CharField()), _default_mode())
    )


def email_modes(user) -> dict[str, str]:
    """Every kind's email mode for ``user``: their preference, or the kind's default."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {name: chosen.get(name, kind.default_email) for name, kind in kinds().items()}


def email_mode_of(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """The email mode of ``kind`` for each of ``user_ids`` (one query)."""
    default = kinds()[kind].default_email
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=list(user_ids), kind=kind).values_list(
            "user_id", "email"
        )
    )
    return {user_id: chosen.get(user_id, default) for user_id in user_ids}

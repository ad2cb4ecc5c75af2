"""What the plans module tells people about local needs, and whom: the coordinators of the
level a need is before, and those of the place that raised it."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.access.models import RoleAssignment, User
from bridgework.access.policy import named_for
from bridgework.notifications.kinds import Message, NotificationKind

from .models import LocalNeed

__all__ = [
    "KINDS",
    "NEED_MOVED",
    "NEED_RAISED",
    "NEED_SUPPORTED",
    "handler_audience",
    "need_audience",
    "raiser_audience",
]

NEED_RAISED = "plans.need_raised"
NEED_MOVED = "plans.need_moved"
NEED_SUPPORTED = "plans.need_supported"
COORDINATOR_ROLES = ("local_coordinator", "national_coordinator")


def coordinators_at(place_id: int) -> list[User]:
    """Active coordinators whose assignment is at exactly this place (the people who speak
    for it); delivery re-checks that each may still see the record."""
    assignments = (
        RoleAssignment.objects.active_on(timezone.localdate())
        .filter(place_id=place_id, role__slug__in=COORDINATOR_ROLES, user__is_active=True)
        .select_related("user")
    )
    return list({a.user_id: a.user for a in assignments}.values())


def handler_audience(need: LocalNeed) -> list[User]:
    return coordinators_at(need.handled_at_id)


def raiser_audience(need: LocalNeed) -> list[User]:
    return coordinators_at(need.place_id)


def need_audience(need: Model) -> list[User]:
    """Who hears that a need took a step: the place that raised it and the level it is with
    now (after a step up, the new one)."""
    item = cast(LocalNeed, need)
    users = raiser_audience(item) + handler_audience(item)
    return list({user.pk: user for user in users}.values())


def _need(record: Model) -> LocalNeed:
    return cast(LocalNeed, record)


def _link(need: LocalNeed) -> str:
    return settings.SITE_URL + need.get_absolute_url()


def render_raised(record: Model, context: dict[str, Any], reader=None) -> Message:
    need = _need(record)
    subject = _("[Bridgework] A need is before you: %(title)s") % {"title": need.title}
    body = _(
        "%(place)s has raised a need (%(category)s, %(priority)s priority). It is with "
        "%(level)s: answer it, decline it with a reason, or pass it up.\n\n%(title)s\n\n%(link)s\n"
    ) % {
        "place": named_for(reader, need.place),
        "category": need.get_category_display().lower(),
        "priority": need.get_priority_display().lower(),
        "level": named_for(reader, need.handled_at),
        "title": need.title,
        "link": _link(need),
    }
    return Message(subject, body, need.get_absolute_url())


def render_moved(record: Model, context: dict[str, Any], reader=None) -> Message:
    from .workflows import LOCAL_NEED

    need = _need(record)
    state = LOCAL_NEED.state_label(str(context.get("to", need.status)))
    subject = _("[Bridgework] Need %(state)s: %(title)s") % {
        "state": state.lower(),
        "title": need.title,
    }
    lines = [
        _("The need %(title)s, raised by %(place)s, is now: %(state)s.")
        % {"title": need.title, "place": named_for(reader, need.place), "state": state}
    ]
    if need.is_open:
        lines.append(_("It is with %(level)s.") % {"level": named_for(reader, need.handled_at)})
    elif need.answer_kind:
        lines.append(
            _("Answer (%(kind)s): %(title)s\n%(text)s")
            % {
                "kind": need.get_answer_kind_display().lower(),
                "title": need.answer_title or "—",
                "text": need.answer_text,
            }
        )
    return Message(subject, "\n\n".join([*lines, _link(need)]) + "\n", need.get_absolute_url())


def render_supported(record: Model, context: dict[str, Any], reader=None) -> Message:
    need = _need(record)
    subject = _("[Bridgework] Another place shares your need: %(title)s") % {"title": need.title}
    body = _(
        "Another place says it shares the need %(title)s; %(count)s places share it now.\n\n"
        "%(link)s\n"
    ) % {"title": need.title, "count": need.support_count, "link": _link(need)}
    return Message(subject, body, need.get_absolute_url())


KINDS = [
    NotificationKind(
        NEED_RAISED, gettext_lazy("A need is put before a place you coordinate"), render_raised
    ),
    NotificationKind(
        NEED_MOVED,
        gettext_lazy("A need of your place is answered, declined or passed up"),
        render_moved,
    ),
    NotificationKind(
        NEED_SUPPORTED,
        gettext_lazy("Another place shares a need your place raised"),
        render_supported,
        default_email="digest",
    ),
]
